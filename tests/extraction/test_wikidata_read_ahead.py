"""Wikidata searches read ahead for the coming companies go only when no company's request waits, and
spare the company its own search."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.knowledge_records import WIKIDATA_HOST
from sandbox.web import SandboxWeb
from server.domain import BatchEvent, BatchOptions, BatchSpec, BatchStatus, ExtractionRequest, Profile
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.pipeline import WebExtractor
from server.extraction.response_cache import ResponseCache
from server.extraction.sources import wikidata_api as wd
from server.scheduling.scheduler import BatchScheduler
from server.settings import Settings
from server.storage import BatchStore, open_store
from tests.extraction.test_wikidata_requests import (
    CORPUS_DIR,
    QUEUEING_TURNS,
    HeldFirstRequest,
    _wikidata_requests,
    _wikidata_with,
)


def read_searches_ahead(fetcher: WebFetcher, *names: str) -> None:
    """Read ahead the searches for ``names`` (in English), replacing what was read ahead before."""
    wd.read_ahead(
        fetcher,
        {
            wd.search_url(name, "en"): functools.partial(wd.search_entities, fetcher, name, "en")
            for name in names
        },
    )


async def batch_to_its_end(
    store: BatchStore, extractor: WebExtractor, companies: dict[str, str]
) -> BatchEvent:
    """Run ``companies`` (name: domain hint) as one batch through a one-worker scheduler, one company at
    a time in that order, and return the batch's final event; closes the extractor and the store."""
    scheduler = BatchScheduler(store, extractor, workers=1, aging_seconds=30.0)
    try:
        await scheduler.start()
        submitted = await scheduler.submit(
            BatchSpec(tuple(companies), BatchOptions(max_concurrent=1), domain_hints=companies)
        )
        async for event in await scheduler.watch(submitted.batch.batch_id):
            if event.batch.status.is_final:
                return event
        raise AssertionError("the watch ended before the batch's final status")
    finally:
        await scheduler.stop()
        await extractor.aclose()
        await store.close()


async def _answered(web: SandboxWeb, count: int, kind: str | None = None) -> None:
    """Yield to the loop until the sandbox has answered ``count`` Wikidata requests (of ``kind``, when
    given: "search" or "entities"), a readiness wait."""
    async with asyncio.timeout(10):
        while True:
            if sum(kind in (None, request[0]) for request in _wikidata_requests(web)) >= count:
                return
            await asyncio.sleep(0.002)


async def test_a_search_read_ahead_waits_behind_every_request_a_company_waits_for(tmp_path: Path) -> None:
    _wikidata_with(tmp_path, ["Q1"], ["Alpha", "Beta", "Gamma"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            await held.sent.wait()
            read_searches_ahead(fetcher, "Gamma")  # queued first, yet goes last
            await held.queue_behind(
                wd.search_entities(fetcher, "Beta", "en"), wd.get_entities(fetcher, ["Q1"], "en")
            )
            await first
            await _answered(web, 4)
        finally:
            await fetcher.aclose()
    assert _wikidata_requests(web) == [
        ("search", "Alpha"),
        ("search", "Beta"),  # the companies' requests in the order asked
        ("entities", "en", "Q1"),
        ("search", "Gamma"),
    ]


async def test_a_company_whose_search_was_read_ahead_sends_none_of_its_own(tmp_path: Path) -> None:
    _wikidata_with(tmp_path, [], ["Alpha", "Beta"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))  # no response cache: kept in memory
        try:
            read_searches_ahead(fetcher, "Alpha", "Beta")
            await _answered(web, 1)  # Alpha answered (or on its way), Beta not yet asked by anyone
            alpha, beta = await asyncio.gather(
                wd.search_entities(fetcher, "Alpha", "en"), wd.search_entities(fetcher, "Beta", "en")
            )
        finally:
            await fetcher.aclose()
    assert (alpha, beta) == ([], [])
    assert _wikidata_requests(web) == [("search", "Alpha"), ("search", "Beta")]


async def test_a_search_no_longer_read_ahead_is_not_sent(tmp_path: Path) -> None:
    """A company dropped from the lookahead (its batch cancelled or paused) costs no request."""
    _wikidata_with(tmp_path, [], ["Alpha", "Gamma", "Delta"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            await held.sent.wait()
            read_searches_ahead(fetcher, "Gamma", "Delta")
            for _ in range(QUEUEING_TURNS):
                await asyncio.sleep(0)
            read_searches_ahead(fetcher, "Delta")
            held.release.set()
            await first
            await _answered(web, 2)
            read_searches_ahead(fetcher)
            # Asked now, Gamma goes as the company's own search.
            await wd.search_entities(fetcher, "Gamma", "en")
        finally:
            await fetcher.aclose()
    assert _wikidata_requests(web) == [("search", "Alpha"), ("search", "Delta"), ("search", "Gamma")]


async def test_a_search_read_ahead_that_failed_is_asked_again_by_its_company(tmp_path: Path) -> None:
    """The read-ahead's failure is in no company's report: the company's own request records it."""
    _wikidata_with(tmp_path, [], ["Alpha"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        original = fetcher.fetch_json
        failed = asyncio.Event()

        async def first_fails(url: str, **options: object) -> tuple[object, FetchedPage]:
            if not failed.is_set():
                failed.set()
                await original(url.replace("Alpha", "Unknown"), **options)  # type: ignore[arg-type]
            return await original(url, **options)  # type: ignore[arg-type]

        fetcher.fetch_json = first_fails  # type: ignore[assignment]
        try:
            read_searches_ahead(fetcher, "Alpha")
            await failed.wait()
            hits = await wd.search_entities(fetcher, "Alpha", "en")
        finally:
            await fetcher.aclose()
    assert hits == []
    assert [host for host, _ in web.requests].count(WIKIDATA_HOST) == 2  # the failed one, then its own


async def test_a_queued_company_finds_its_search_read_ahead_while_wikidata_is_idle(tmp_path: Path) -> None:
    """Through the scheduler: the second company's search goes while the first runs, before the second
    reads its own site; neither company searches twice, and Wikidata still sees one request at a time."""
    companies = {
        "Bluefin Analytics LLC": "bluefin-analytics.example",
        "Cedar & Stone Architects": "cedarandstone.test",
    }
    store = await open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    async with SandboxWeb(CORPUS_DIR, latency=0.02, concurrency_limits={WIKIDATA_HOST: 1}) as web:
        settings = Settings(_env_file=None, data_dir=tmp_path, **web.settings_overrides())
        extractor = WebExtractor(settings, fetcher=WebFetcher(settings, responses=ResponseCache(store)))
        event = await batch_to_its_end(store, extractor, companies)
    assert event.batch.status is BatchStatus.COMPLETED and event.batch.progress.completed == 2
    searches = [request for request in _wikidata_requests(web) if request[0] == "search"]
    assert sorted(name for _, name in searches) == sorted(companies)
    site = companies["Cedar & Stone Architects"]
    first_site_request = next(i for i, (host, _) in enumerate(web.requests) if host.endswith(site))
    search = next(
        i
        for i, (host, path) in enumerate(web.requests)
        if host == WIKIDATA_HOST
        and parse_qs(urlsplit(path).query).get("search") == ["Cedar & Stone Architects"]
    )
    assert search < first_site_request  # read ahead, before the company itself started
    assert web.refused[WIKIDATA_HOST] == 0
    assert web.peak_in_flight[WIKIDATA_HOST] == 1


class FirstCompanyWaits(WebExtractor):
    """Starts ``first`` only once the sandbox has answered ``entity_requests`` Wikidata entity requests
    (a readiness wait: the read-ahead of the company queued behind it has then run its course)."""

    def __init__(
        self, settings: Settings, web: SandboxWeb, first: str, entity_requests: int, **kw: Any
    ) -> None:
        super().__init__(settings, **kw)
        self._web, self._first, self._entity_requests = web, first, entity_requests

    async def extract(self, request: ExtractionRequest) -> Profile:
        if request.company_name == self._first:
            await _answered(self._web, self._entity_requests, "entities")
        return await super().extract(request)


async def test_a_queued_company_finds_its_item_and_what_it_points_to_read_ahead(tmp_path: Path) -> None:
    """With a domain hint, the read-ahead also reads the item on the hinted domain and the items it
    points to: the company, once it runs, asks Wikidata nothing, and nothing was asked twice."""
    companies = {
        "Bluefin Analytics LLC": "bluefin-analytics.example",
        "Acme Robotics Inc.": "acme-robotics.example",
    }
    store = await open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    async with SandboxWeb(CORPUS_DIR, latency=0.01, concurrency_limits={WIKIDATA_HOST: 1}) as web:
        settings = Settings(_env_file=None, data_dir=tmp_path, **web.settings_overrides())
        fetcher = WebFetcher(settings, responses=ResponseCache(store))
        # Its item, the items it points to, their regions and countries.
        extractor = FirstCompanyWaits(settings, web, "Bluefin Analytics LLC", 3, fetcher=fetcher)
        event = await batch_to_its_end(store, extractor, companies)
    assert event.batch.progress.completed == 2
    first_site_request = next(
        i for i, (host, _) in enumerate(web.requests) if host.endswith(companies["Acme Robotics Inc."])
    )
    assert [host for host, _ in web.requests[first_site_request:]].count(WIKIDATA_HOST) == 0
    asked = _wikidata_requests(web)
    assert sorted(name for kind, name, *_ in asked if kind == "search") == sorted(companies)
    items = [qid for request in asked if request[0] == "entities" for qid in request[2:]]
    assert len(items) == len(set(items))
    assert web.peak_in_flight[WIKIDATA_HOST] == 1


async def test_an_entity_lookup_read_ahead_waits_behind_searches_until_a_company_asks_for_it(
    tmp_path: Path,
) -> None:
    _wikidata_with(tmp_path, ["Q1"], ["Alpha", "Beta", "Gamma", "Delta"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            await held.sent.wait()
            wd.read_ahead(fetcher, {"q1": functools.partial(wd.get_entities, fetcher, ["Q1"], "en")})
            await held.queue_behind(wd.search_entities(fetcher, "Beta", "en"))
            await first
            await _answered(web, 3)
            # Read ahead again while a request is held, then asked for by a company: it goes first.
            held.sent.clear()
            held.release.clear()
            second = asyncio.create_task(wd.search_entities(fetcher, "Gamma", "en"))
            await held.sent.wait()
            wd.read_ahead(fetcher, {"q1-again": functools.partial(wd.get_entities, fetcher, ["Q1"], "de")})
            await held.queue_behind(
                wd.get_entities(fetcher, ["Q1"], "de"), wd.search_entities(fetcher, "Delta", "en")
            )
            await second
        finally:
            await fetcher.aclose()
    assert _wikidata_requests(web) == [
        ("search", "Alpha"),
        ("search", "Beta"),
        ("entities", "en", "Q1"),  # read ahead: after the company's search
        ("search", "Gamma"),
        ("entities", "de|en", "Q1"),  # taken over by a company: before a search asked after it
        ("search", "Delta"),
    ]


def test_a_search_url_is_encoded_once_per_name_and_language() -> None:
    """Every change of the coming companies keys their read-aheads by their search URLs again: the URL
    of a name already keyed is the one remembered, the same as a fresh encoding."""
    wd.search_url.cache_clear()
    first = wd.search_url("Lindqvist & Söhne GmbH", "de")
    for _ in range(3):
        assert wd.search_url("Lindqvist & Söhne GmbH", "de") == first
    assert parse_qs(urlsplit(first).query)["search"] == ["Lindqvist & Söhne GmbH"]
    assert wd.search_url("Lindqvist & Söhne GmbH", "en") != first
    assert wd.search_url.cache_info().misses == 2 and wd.search_url.cache_info().hits == 3
