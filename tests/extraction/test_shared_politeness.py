"""Politeness across replicas: two fetchers (each its own replica's) against a host that refuses
more concurrent requests than it allows, with their politeness in memory, PostgreSQL or Redis."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.web import SandboxWeb
from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.politeness import build_politeness, policy_for, retry_after_seconds
from server.settings import HostRule, Settings
from server.storage import open_store
from server.storage.scratch import postgres_opted_out, postgres_test_url, scratch_schema

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
HOST = "acme-robotics.example"
LIMIT = 2
REQUESTS_PER_REPLICA = 6
LATENCY_SECONDS = 0.1  # long enough that requests sent together overlap at the host
REDIS_URL = os.environ.get("COMPANY_BATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def limited_web() -> AsyncIterator[SandboxWeb]:
    async with SandboxWeb(CORPUS_DIR, latency=LATENCY_SECONDS, concurrency_limits={HOST: LIMIT}) as web:
        yield web


@pytest.fixture(params=["postgres", "redis"])
async def shared_backend(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """Settings that make every fetcher built with them share politeness through the backend."""
    if request.param == "redis":
        yield {"politeness_backend": "redis", "redis_url": REDIS_URL,
               "redis_key_prefix": f"test:{secrets.token_hex(6)}:"}  # fmt: skip
        return
    if postgres_opted_out():
        pytest.skip("PostgreSQL tests skipped")
    async with scratch_schema(postgres_test_url()) as url:
        store = await open_store(url)  # the migrations create the politeness tables
        await store.close()
        yield {"politeness_backend": "postgres", "database_url": url}


async def _two_replicas_fetch(web: SandboxWeb, overrides: dict[str, Any]) -> list[int]:
    """Two fetchers, as two replicas would hold, each sending its requests to HOST at once."""
    settings = Settings(**{**web.settings_overrides(), "per_host_concurrency": LIMIT, **overrides})
    replicas = [WebFetcher(settings), WebFetcher(settings)]
    try:
        pages = await asyncio.gather(
            *(
                fetcher.fetch(f"https://{HOST}/?n={n}")
                for fetcher in replicas
                for n in range(REQUESTS_PER_REPLICA)
            ),
            return_exceptions=True,
        )
    finally:
        for fetcher in replicas:
            await fetcher.aclose()
    return [page.status if not isinstance(page, BaseException) else 0 for page in pages]


async def test_shared_politeness_keeps_two_replicas_within_the_hosts_limit(
    limited_web: SandboxWeb, shared_backend: dict[str, Any]
) -> None:
    statuses = await _two_replicas_fetch(limited_web, shared_backend)
    assert statuses == [200] * (2 * REQUESTS_PER_REPLICA)
    assert limited_web.refused[HOST] == 0
    assert limited_web.peak_in_flight[HOST] == LIMIT


async def test_politeness_in_memory_holds_per_process_only(limited_web: SandboxWeb) -> None:
    """The counter catches what per-process limits let through: two replicas send twice the limit."""
    await _two_replicas_fetch(limited_web, {"politeness_backend": "memory"})
    # The host refused some (the fetcher's retry policy then tries those again after the Retry-After).
    assert limited_web.refused[HOST] > 0


async def test_a_retry_after_from_a_host_stops_every_replica(
    sandbox_web: SandboxWeb, shared_backend: dict[str, Any]
) -> None:
    settings = Settings(**{**sandbox_web.settings_overrides(), **shared_backend})
    first, second = build_politeness(settings), build_politeness(settings)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        raise asyncio.CancelledError  # one look at the wait is enough

    try:
        await first.back_off(HOST, 5.0)
        with pytest.raises(asyncio.CancelledError):
            async with second.request_slot(HOST, record):
                pass
        assert len(waits) == 1 and 4.0 < waits[0] <= 5.0
        # A wait past the fetch timeout fails the request at once instead of stalling it.
        await first.back_off(HOST, settings.fetch_timeout_seconds + 60)
        with pytest.raises(FetchError, match="asked to be left alone"):
            async with second.request_slot(HOST, record):
                pass
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_rate_limited_answer_is_tried_again_after_its_retry_after(limited_web: SandboxWeb) -> None:
    settings = Settings(**{**limited_web.settings_overrides(), "per_host_concurrency": LIMIT + 1})
    fetcher = WebFetcher(settings)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    fetcher.sleep = record
    try:
        pages = await asyncio.gather(*(fetcher.fetch(f"https://{HOST}/?n={n}") for n in range(LIMIT + 1)))
    finally:
        await fetcher.aclose()
    assert [page.status for page in pages] == [200] * (LIMIT + 1)
    assert limited_web.refused[HOST] >= 1  # one was over the host's limit: 429, Retry-After: 1
    assert waits and 0 < max(waits) <= 1.0


def test_published_limits_hold_for_every_host_under_their_domain() -> None:
    settings = Settings(per_host_delay_seconds=0, host_rules={"sec.gov": HostRule(requests=10)})
    www, data = policy_for("www.sec.gov", settings), policy_for("data.sec.gov", settings)
    assert www.key == data.key == "sec.gov"
    assert [(rate.limit, rate.interval) for rate in www.rates] == [(10, 1000)]
    other = policy_for("notsec.gov", settings)
    assert other.key == "notsec.gov" and other.rates == ()
    assert policy_for("www.wikidata.org", Settings()).concurrency == 1


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [
        pytest.param(429, {"Retry-After": "7"}, 7.0, id="seconds"),
        pytest.param(429, {}, 10.0, id="429-without-header"),
        pytest.param(503, {}, None, id="503-without-header"),
        pytest.param(200, {"Retry-After": "7"}, None, id="not-rate-limited"),
        pytest.param(429, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0, id="date-in-the-past"),
        pytest.param(429, {"Retry-After": "99999999999"}, 3600.0, id="capped"),
        pytest.param(503, {"Retry-After": "soon"}, None, id="unreadable"),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(
    status: int, header: dict[str, str], expected: float | None
) -> None:
    assert retry_after_seconds(status, header) == expected
