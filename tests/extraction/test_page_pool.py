"""The parse pool: the same facts as ``parse_page``, a CPU and memory budget per page, workers replaced."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest
from pebble import ProcessFuture, ProcessPool

from server.errors import PageParseError
from server.extraction import page_pool as page_pool_module
from server.extraction.page_pool import PagePool
from server.extraction.parse import parse_page
from server.settings import Settings

HOME = (
    "<html lang='de'><head><title>Atelier Lumière | Lyon</title>"
    '<script type="application/ld+json">{"@type": "Organization", "name": "Atelier Lumière"}</script>'
    "</head><body><p>Vertrieb: <a href='tel:04 72 55 01 23'>04 72 55 01 23</a></p>"
    "<footer>© 2024 Atelier Lumière SARL</footer></body></html>"
)
# Tens of thousands of tel: links, each a valid number: ~0.3 s of CPU even without quadratic paths.
COSTLY = (
    "<div>"
    + "".join(f'<a href="tel:+1202555{i:04d}">+1 202 555 {i:04d}</a> ' for i in range(9999)) * 4
    + "</div>"
)

T = TypeVar("T")


def _settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **{"parse_workers": 1, **overrides})  # type: ignore[arg-type]


@pytest.fixture
async def pool() -> AsyncIterator[PagePool]:
    page_pool = PagePool(_settings(parse_cpu_seconds=0.3))
    yield page_pool
    await page_pool.aclose()


async def test_facts_from_the_pool_equal_parse_page_in_process(pool: PagePool) -> None:
    facts = await pool.parse(HOME, "https://atelier-lumiere.example/", region="FR")
    assert facts == parse_page(HOME, "https://atelier-lumiere.example/", region="FR")
    assert facts.phones[0].e164 == "+33472550123"
    assert facts.phone_sources == parse_page(HOME, "https://atelier-lumiere.example/").phone_sources


async def test_with_region_in_the_pool_rereads_phones_like_page_facts(pool: PagePool) -> None:
    facts = parse_page(HOME, "https://atelier-lumiere.example/", region="US")
    assert (await pool.with_region(facts, "FR")).phones == facts.with_region("FR").phones


async def test_what_a_worker_hands_back_is_bounded(pool: PagePool) -> None:
    """Thousands of e-mail links or a megabyte-long name would be read on the event loop."""
    name = "N" * 1_000_000
    record = json.dumps({"@type": "Organization", "name": name})
    page = (
        f'<html><head><script type="application/ld+json">{record}</script></head><body>'
        + "".join(f'<a href="mailto:m{i}@flood.example">m</a>' for i in range(5_000))
        + "</body></html>"
    )
    facts = await pool.parse(page, "https://flood.example/")
    assert len(facts.emails) == 100 and facts.emails[0] == "m0@flood.example"
    assert len(facts.organizations[0]["name"]) == 2_000


async def test_a_page_over_its_cpu_budget_fails_alone_and_the_worker_is_replaced() -> None:
    # A budget well below the costly page's ~0.3 s of CPU, well above the home page's few milliseconds.
    pool = PagePool(_settings(parse_cpu_seconds=0.1))
    try:
        with pytest.raises(PageParseError, match="too costly") as caught:
            await pool.parse(COSTLY, "https://costly.example/")
        assert "CPU budget of 0.1 s" in caught.value.details
        # The one worker died of its budget; the next page gets a new one.
        assert (await pool.parse(HOME, "https://atelier-lumiere.example/")).title == "Atelier Lumière | Lyon"
    finally:
        await pool.aclose()


async def test_a_cancelled_parse_frees_its_worker_for_the_next_page() -> None:
    """One worker, a page that would run for seconds, cancelled: the next page is parsed at once."""
    pool = PagePool(_settings(parse_cpu_seconds=600))
    try:
        await pool.parse(HOME, "https://warm.example/")  # the worker is up
        costly = asyncio.ensure_future(pool.parse(COSTLY * 4, "https://costly.example/"))
        second = asyncio.ensure_future(pool.parse(HOME, "https://atelier-lumiere.example/"))
        costly.cancel()
        done, _ = await asyncio.wait({costly, second}, return_when=asyncio.FIRST_COMPLETED)
        assert costly in done and costly.cancelled()
        assert (await second).title == "Atelier Lumière | Lyon"
    finally:
        await pool.aclose()


async def test_a_page_beyond_the_memory_bound_fails_alone() -> None:
    pool = PagePool(
        _settings(parse_cpu_seconds=600, parse_memory_bytes=200_000_000, max_page_bytes=5_000_000)
    )
    try:
        # 1.5 million elements: over 250 MB of lxml tree from 4.5 MB of markup.
        with pytest.raises(PageParseError):
            await pool.parse("<p>" * 1_500_000, "https://huge.example/")
        assert (await pool.parse(HOME, "https://atelier-lumiere.example/")).language == "de"
    finally:
        await pool.aclose()


async def test_text_beyond_the_page_cap_is_not_handed_to_a_worker() -> None:
    pool = PagePool(_settings(max_page_bytes=1000))
    try:
        facts = await pool.parse(
            "<p>x</p>" * 200 + "<footer>© 2020 Late Co</footer>", "https://late.example/"
        )
    finally:
        await pool.aclose()
    assert facts.copyright_holder is None


async def test_a_closed_pool_starts_again_on_the_next_page(pool: PagePool) -> None:
    await pool.parse(HOME, "https://atelier-lumiere.example/")
    await pool.aclose()
    assert (await pool.parse(HOME, "https://atelier-lumiere.example/")).site_name is None


async def test_starting_the_workers_leaves_the_event_loop_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """pebble starts the workers (and the fork server, importing the parsers) in the thread of the first
    schedule: other coroutines go on meanwhile, and the first page's facts are those of parse_page."""
    ticks = 0
    during_start: list[int] = []

    class ObservedPool(ProcessPool):
        def schedule(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> ProcessFuture[T]:
            before = ticks
            future = super().schedule(function, *args, **kwargs)
            during_start.append(ticks - before)
            return future

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    monkeypatch.setattr(page_pool_module, "ProcessPool", ObservedPool)
    pool = PagePool(_settings())
    ticking = asyncio.ensure_future(ticker())
    try:
        facts = await pool.parse(HOME, "https://atelier-lumiere.example/", region="FR")
    finally:
        ticking.cancel()
        await pool.aclose()
    assert facts == parse_page(HOME, "https://atelier-lumiere.example/", region="FR")
    assert during_start[0] > 0  # the loop ran while the first schedule started the workers


async def test_a_pool_that_failed_to_start_is_started_afresh_by_the_next_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first schedule starts the workers; when that fails, the next page starts a new pool rather
    than meeting the same failure for good."""
    failures = [OSError("fork server did not answer")]

    class FlakyStart(ProcessPool):
        def schedule(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> ProcessFuture[T]:
            if failures:
                raise failures.pop()
            return super().schedule(function, *args, **kwargs)

    monkeypatch.setattr(page_pool_module, "ProcessPool", FlakyStart)
    pool = PagePool(_settings())
    try:
        with pytest.raises(OSError, match="fork server"):
            await pool.parse(HOME, "https://atelier-lumiere.example/")
        facts = await pool.parse(HOME, "https://atelier-lumiere.example/")
    finally:
        await pool.aclose()
    assert facts.url == "https://atelier-lumiere.example/"
