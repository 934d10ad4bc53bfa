"""Knowledge answers kept in the store: shared by replicas on one database, revalidated by ETag."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.knowledge_services import SEC_HOST
from sandbox.web import SandboxWeb
from server.domain import SourceState
from server.errors import FetchError
from server.extraction import outcomes
from server.extraction.fetcher import WebFetcher
from server.extraction.response_cache import REVALIDATE_KEEP_SECONDS, ResponseCache, freshness_seconds
from server.extraction.sources.sec_edgar import TICKERS_TTL_SECONDS, TICKERS_URL
from server.settings import Settings
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory, database_url, store_factory  # noqa: F401

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
TICKERS_PATH = "/files/company_tickers.json"


@pytest.fixture
async def web() -> AsyncIterator[SandboxWeb]:
    async with SandboxWeb(CORPUS_DIR) as sandbox:
        yield sandbox


def _tickers_requests(web: SandboxWeb) -> int:
    return sum(1 for host, path in web.requests if host == SEC_HOST and path == TICKERS_PATH)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def _fetch_tickers(web: SandboxWeb, store: BatchStore, clock: Clock) -> dict[str, object]:
    fetcher = WebFetcher(Settings(**web.settings_overrides()), responses=ResponseCache(store, clock=clock))
    try:
        document, page = await fetcher.fetch_json(TICKERS_URL, cache_seconds=TICKERS_TTL_SECONDS)
    finally:
        await fetcher.aclose()
    assert page.url == TICKERS_URL
    return document  # type: ignore[no-any-return]


async def test_two_replicas_stores_on_one_database_share_the_ticker_list(
    web: SandboxWeb,
    store_factory: StoreFactory,  # noqa: F811
) -> None:
    clock = Clock()
    first = await _fetch_tickers(web, await store_factory(), clock)
    clock.now += timedelta(hours=23)
    second = await _fetch_tickers(web, await store_factory(), clock)  # another replica, a day later
    assert first == second and any(row["ticker"] == "OBSD" for row in first.values())  # type: ignore[attr-defined]
    assert _tickers_requests(web) == 1


async def test_a_stale_answer_is_revalidated_with_its_etag(
    web: SandboxWeb,
    store_factory: StoreFactory,  # noqa: F811
) -> None:
    store, clock = await store_factory(), Clock()
    first = await _fetch_tickers(web, store, clock)
    clock.now += timedelta(seconds=TICKERS_TTL_SECONDS + 1)
    again = await _fetch_tickers(web, store, clock)  # stale: asked with If-None-Match, answered 304
    clock.now += timedelta(hours=1)
    fresh = await _fetch_tickers(web, store, clock)  # the 304 made it fresh again: not asked
    assert first == again == fresh
    assert _tickers_requests(web) == 2
    assert web.not_modified[SEC_HOST] == 1


async def test_an_answer_past_its_keep_time_is_fetched_whole(
    web: SandboxWeb,
    store_factory: StoreFactory,  # noqa: F811
) -> None:
    store, clock = await store_factory(), Clock()
    await _fetch_tickers(web, store, clock)
    clock.now += timedelta(seconds=TICKERS_TTL_SECONDS + REVALIDATE_KEEP_SECONDS + 1)
    await _fetch_tickers(web, store, clock)
    assert _tickers_requests(web) == 2 and web.not_modified[SEC_HOST] == 0


@pytest.mark.parametrize(
    ("control", "expected"),
    [
        pytest.param("", 60.0, id="none: the documented ttl"),
        pytest.param("public, max-age=300", 300.0, id="max-age"),
        pytest.param("max-age=300, s-maxage=30", 30.0, id="shortest"),
        pytest.param("private, must-revalidate, max-age=0", 60.0, id="max-age=0: the ttl"),
        pytest.param("no-store", None, id="no-store"),
        pytest.param("max-age=banana", 60.0, id="unreadable"),
    ],
)
def test_freshness_follows_cache_control_where_sent(control: str, expected: float | None) -> None:
    headers = {"Cache-Control": control} if control else {}
    assert freshness_seconds(headers, 60.0) == expected


async def test_a_knowledge_source_asked_through_the_cache_is_named_when_it_does_not_answer(
    store_factory: StoreFactory,  # noqa: F811
) -> None:
    """Issue 12 through the shared cache: an unreachable service is an outage of that source, so the
    company reads "could not be reached", not "not found"."""
    settings = Settings(fetch_attempts=1, circuit_failures=100)  # no sandbox: nothing resolves
    fetcher = WebFetcher(settings, responses=ResponseCache(await store_factory()))
    try:
        with outcomes.collecting() as report, pytest.raises(FetchError):
            await fetcher.fetch_json(TICKERS_URL, cache_seconds=TICKERS_TTL_SECONDS, source="sec_edgar")
    finally:
        await fetcher.aclose()
    (outcome,) = report.outcomes
    assert outcome.source == "sec_edgar" and outcome.outcome is SourceState.UNAVAILABLE
    assert report.unavailable_sources() == ["sec_edgar"]
