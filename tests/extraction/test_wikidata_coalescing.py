"""Wikidata entity lookups of concurrent companies go together: one ``wbgetentities`` for many."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.knowledge_records import WIKIDATA_HOST
from sandbox.web import SandboxWeb
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.sources import wikidata_api as wd
from server.settings import Settings


def _wikidata_with(root: Path, ids: list[str]) -> None:
    """A Wikidata host whose recordings hold these items (each in its own recorded answer)."""
    site = root / "sites" / WIKIDATA_HOST
    (site / "_responses").mkdir(parents=True)
    routes = []
    for qid in ids:
        body = f"_responses/{qid}.json"
        entity = {"id": qid, "labels": {"en": {"language": "en", "value": f"Item {qid}"}}}
        (site / body).write_text(json.dumps({"entities": {qid: entity}, "success": 1}))
        query = {"action": "wbgetentities", "ids": qid}
        routes.append(
            {"path": "/w/api.php", "query": query, "content_type": "application/json", "body_file": body}
        )
    (site / "_meta.json").write_text(json.dumps({"routes": routes}))


def _entity_requests(web: SandboxWeb) -> list[list[str]]:
    """The id lists of every ``wbgetentities`` the sandbox answered, in order."""
    asked = []
    for host, path in web.requests:
        query = parse_qs(urlsplit(path).query)
        if host == WIKIDATA_HOST and query.get("action") == ["wbgetentities"]:
            asked.append(query["ids"][0].split("|"))
    return asked


async def test_lookups_of_companies_in_flight_share_one_request(tmp_path: Path) -> None:
    companies = [[f"Q{100 + n}", "Q30", "Q183"] for n in range(12)]  # own item, shared countries
    _wikidata_with(tmp_path, sorted({qid for ids in companies for qid in ids}))
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        try:
            documents = await asyncio.gather(*(wd.get_entities(fetcher, ids, "en") for ids in companies))
        finally:
            await fetcher.aclose()
    assert [sorted(document.entities) for document in documents] == [sorted(ids) for ids in companies]
    assert wd.label(documents[3].entities["Q103"], "en") == "Item Q103"
    requests = _entity_requests(web)
    assert len(requests) == 1
    assert sorted(requests[0]) == sorted({qid for ids in companies for qid in ids})  # each id once


async def test_an_id_already_asked_for_is_waited_for_not_asked_again(tmp_path: Path) -> None:
    _wikidata_with(tmp_path, ["Q1", "Q2", "Q3"])
    async with SandboxWeb(tmp_path, latency=0.05) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        try:
            sent = asyncio.Event()
            original = fetcher.fetch_json

            async def observed(url: str, **options: Any) -> tuple[Any, FetchedPage]:
                sent.set()  # the round has taken its ids and is sending them
                return await original(url, **options)

            fetcher.fetch_json = observed  # type: ignore[method-assign]
            first = asyncio.create_task(wd.get_entities(fetcher, ["Q1", "Q2"], "en"))
            await sent.wait()
            second = await wd.get_entities(fetcher, ["Q2", "Q3"], "en")  # Q2 is in flight
            await first
        finally:
            await fetcher.aclose()
    assert sorted(second.entities) == ["Q2", "Q3"]
    assert [sorted(ids) for ids in _entity_requests(web)] == [["Q1", "Q2"], ["Q3"]]


async def test_unknown_ids_are_absent_and_more_than_fifty_take_several_requests(tmp_path: Path) -> None:
    known = [f"Q{1000 + n}" for n in range(wd.MAX_IDS_PER_REQUEST + 7)]
    _wikidata_with(tmp_path, known)
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        try:
            document = await wd.get_entities(fetcher, [*known, "Q999999"], "en")
        finally:
            await fetcher.aclose()
    assert sorted(document.entities) == sorted(known)
    assert [len(ids) for ids in _entity_requests(web)] == [wd.MAX_IDS_PER_REQUEST, 8]
