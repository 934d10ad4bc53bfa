"""Wikidata requests of every company go through one queue: what waits goes together, in the order asked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.knowledge_records import WIKIDATA_HOST
from sandbox.web import SandboxWeb
from server.domain import ExtractionRequest
from server.extraction.base import RESOLVING
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.pipeline import WebExtractor
from server.extraction.response_cache import ResponseCache
from server.extraction.sources import wikidata_api as wd
from server.settings import Settings
from server.storage import open_store

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
# Corpus companies with a Wikidata item, and their domains (the hint a caller gives).
WITH_ITEMS = {
    "Acme Robotics Inc.": "acme-robotics.example",
    "Kestrel Aerospace GmbH": "kestrel-aerospace.example",
    "Northwind Freight Co.": "northwind-freight.example",
    "Umbra Games Studio AB": "umbragames.test",
}
# Enough turns of the event loop for a task that asks for something to queue it (no cache to read).
QUEUEING_TURNS = 5


def _wikidata_with(root: Path, ids: list[str], names: list[str]) -> None:
    """A Wikidata host that knows these items and answers a search for these names (no hits)."""
    site = root / "sites" / WIKIDATA_HOST
    (site / "_responses").mkdir(parents=True)
    entities = {qid: {"id": qid, "labels": {"en": {"language": "en", "value": f"Item {qid}"}}} for qid in ids}
    (site / "_responses/entities.json").write_text(json.dumps({"entities": entities, "success": 1}))
    (site / "_responses/search.json").write_text(json.dumps({"search": [], "success": 1}))
    routes = [
        {
            "path": "/w/api.php",
            "query": {"action": "wbgetentities", "ids": "|".join(ids)},
            "content_type": "application/json",
            "body_file": "_responses/entities.json",
        },
        *(
            {
                "path": "/w/api.php",
                "query": {"action": "wbsearchentities", "search": name},
                "content_type": "application/json",
                "body_file": "_responses/search.json",
            }
            for name in names
        ),
    ]
    (site / "_meta.json").write_text(json.dumps({"routes": routes}))


def _wikidata_requests(web: SandboxWeb) -> list[tuple[str, ...]]:
    """Every Wikidata request the sandbox answered, in order: ``("search", name)`` or ``("entities",
    languages or "*", *ids)``."""
    asked: list[tuple[str, ...]] = []
    for host, path in web.requests:
        query = parse_qs(urlsplit(path).query)
        if host != WIKIDATA_HOST:
            continue
        if query.get("action") == ["wbsearchentities"]:
            asked.append(("search", query["search"][0]))
        elif query.get("action") == ["wbgetentities"]:
            asked.append(("entities", query.get("languages", ["*"])[0], *query["ids"][0].split("|")))
    return asked


class HeldFirstRequest:
    """Holds the fetcher's first Wikidata request on its way until ``release``, so a test can queue
    others behind it and see in which order and shape they go."""

    def __init__(self, fetcher: WebFetcher) -> None:
        self.sent = asyncio.Event()
        self.release = asyncio.Event()
        original = fetcher.fetch_json

        async def held(url: str, **options: Any) -> tuple[Any, FetchedPage]:
            if not self.sent.is_set():
                self.sent.set()
                await self.release.wait()
            return await original(url, **options)

        fetcher.fetch_json = held  # type: ignore[method-assign]

    async def queue_behind(self, *asks: Coroutine[Any, Any, Any]) -> list[Any]:
        """Start ``asks`` in turn while the first request is held, then let everything go."""
        await self.sent.wait()
        tasks = []
        for ask in asks:
            tasks.append(asyncio.create_task(ask))
            for _ in range(QUEUEING_TURNS):
                await asyncio.sleep(0)
        self.release.set()
        return await asyncio.gather(*tasks)


async def test_requests_go_in_the_order_asked_and_a_lookup_takes_every_id_waiting(tmp_path: Path) -> None:
    """An entity lookup waits behind the search asked before it, and goes before the one asked after
    it with the ids asked meanwhile: one request where going first would have made two."""
    _wikidata_with(tmp_path, ["Q1", "Q3"], ["Alpha", "Beta", "Gamma"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            _, one, _, three, again = await held.queue_behind(
                wd.search_entities(fetcher, "Beta", "en"),
                wd.get_entities(fetcher, ["Q1"], "en"),
                wd.search_entities(fetcher, "Gamma", "en"),
                wd.get_entities(fetcher, ["Q3"], "en"),
                wd.get_entities(fetcher, ["Q3", "Q1"], "en"),  # both already waiting
            )
            await first
        finally:
            await fetcher.aclose()
    assert (sorted(one.entities), sorted(three.entities), sorted(again.entities)) == (
        ["Q1"],
        ["Q3"],
        ["Q1", "Q3"],
    )
    assert _wikidata_requests(web) == [
        ("search", "Alpha"),
        ("search", "Beta"),
        ("entities", "en", "Q1", "Q3"),  # Q1's turn, Q3 asked after Gamma along with it
        ("search", "Gamma"),
    ]


async def test_an_item_asked_with_every_language_answers_it_asked_with_a_few(tmp_path: Path) -> None:
    _wikidata_with(tmp_path, ["Q1", "Q2"], ["Alpha"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            few, every, again = await held.queue_behind(
                wd.get_entities(fetcher, ["Q1"], "en"),
                wd.get_entities(fetcher, ["Q1", "Q2"], "en", all_languages=True),
                wd.get_entities(fetcher, ["Q2"], "de"),  # joins the lookup of every language
            )
            await first
        finally:
            await fetcher.aclose()
    assert sorted(few.entities) == ["Q1"]
    assert sorted(every.entities) == ["Q1", "Q2"]
    assert sorted(again.entities) == ["Q2"]
    assert _wikidata_requests(web) == [("search", "Alpha"), ("entities", "*", "Q1", "Q2")]


async def test_companies_in_flight_ask_each_item_once_and_wikidata_one_request_at_a_time(
    tmp_path: Path,
) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    # The host refuses (429) a request that comes while another is in flight: politeness must hold.
    async with SandboxWeb(CORPUS_DIR, latency=0.02, concurrency_limits={WIKIDATA_HOST: 1}) as web:
        settings = Settings(_env_file=None, data_dir=tmp_path, **web.settings_overrides())
        extractor = WebExtractor(settings, fetcher=WebFetcher(settings, responses=ResponseCache(store)))
        try:
            profiles = await asyncio.gather(
                *(
                    extractor.extract(ExtractionRequest(name, domain_hint=domain))
                    for name, domain in WITH_ITEMS.items()
                )
            )
        finally:
            await extractor.aclose()
            await store.close()
    assert all(profile["identifiers"]["wikidata_id"] for profile in profiles)
    assert web.refused[WIKIDATA_HOST] == 0
    assert web.peak_in_flight[WIKIDATA_HOST] == 1
    asked = _wikidata_requests(web)
    items = [qid for request in asked if request[0] == "entities" for qid in request[2:]]
    assert len(items) == len(set(items))  # every item once, whichever languages its askers wanted
    assert sorted(name for kind, name, *_ in asked if kind == "search") == sorted(WITH_ITEMS)


async def test_a_request_for_every_language_takes_ids_waiting_for_a_few_along(tmp_path: Path) -> None:
    _wikidata_with(tmp_path, ["Q1", "Q2"], ["Alpha"])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            few, every = await held.queue_behind(
                wd.get_entities(fetcher, ["Q1"], "en"),
                wd.get_entities(fetcher, ["Q2"], "en", all_languages=True),
            )
            await first
        finally:
            await fetcher.aclose()
    assert (sorted(few.entities), sorted(every.entities)) == (["Q1"], ["Q2"])
    assert _wikidata_requests(web) == [("search", "Alpha"), ("entities", "*", "Q1", "Q2")]


async def test_a_search_of_a_company_resolving_its_domain_goes_before_earlier_ones(tmp_path: Path) -> None:
    """The rest of that company's extraction waits on it; the others' only on a few knowledge requests."""
    _wikidata_with(tmp_path, [], ["Alpha", "Beta", "Gamma"])

    async def resolving(ask: Coroutine[Any, Any, Any]) -> Any:
        RESOLVING.set(True)  # in this task's own context
        return await ask

    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        held = HeldFirstRequest(fetcher)
        try:
            first = asyncio.create_task(wd.search_entities(fetcher, "Alpha", "en"))
            await held.queue_behind(
                wd.search_entities(fetcher, "Beta", "en"),
                resolving(wd.search_entities(fetcher, "Gamma", "en")),
            )
            await first
        finally:
            await fetcher.aclose()
    assert _wikidata_requests(web) == [("search", "Alpha"), ("search", "Gamma"), ("search", "Beta")]
