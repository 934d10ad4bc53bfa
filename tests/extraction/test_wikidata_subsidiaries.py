"""Wikidata's subsidiaries (P355) against the sandbox's recorded answers, and batched label look-ups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.resolve import resolve_domain
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.wikidata import WikidataSource
from server.settings import Settings

WIKIDATA_HOST = "www.wikidata.org"


async def _subsidiaries(
    fetcher: WebFetcher, settings: Settings, name: str, country: str, language: str = "en"
) -> list[Finding]:
    request = ExtractionRequest(name, mode=ExtractionMode.COMPREHENSIVE, country=country, language=language)
    resolution = await resolve_domain(request, fetcher, settings, domain_finders(fetcher, settings))
    context = SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))
    return [f for f in await WikidataSource().collect(context) if f.field == "subsidiaries"]


async def test_subsidiaries_are_the_labels_of_current_p355_items(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    findings = await _subsidiaries(fetcher, sandbox_settings, "Obsidian Dynamics Corp.", "US")
    # Flint Photonics is a P355 value too, but its statement ends in 2019: sold, not a subsidiary.
    assert sorted(f.value for f in findings) == ["Basalt Microdevices", "Obsidian Dynamics Japan"]
    assert {(f.source, f.url, f.method) for f in findings} == {
        ("wikidata", "https://www.wikidata.org/wiki/Q130000002", "wikidata Q130000002 P355")
    }


async def test_subsidiary_labels_are_read_in_the_requested_language_else_english(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    findings = await _subsidiaries(fetcher, sandbox_settings, "Kestrel Aerospace GmbH", "DE", language="de")
    # Only one of the two items has a German label; the other falls back to its English one.
    assert sorted(f.value for f in findings) == ["Kestrel Aerospace Services", "Kestrel Faserverbund Stade"]


async def test_an_item_without_p355_states_no_subsidiaries(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    assert await _subsidiaries(fetcher, sandbox_settings, "Acme Robotics Inc.", "US") == []


def test_ended_p355_statements_are_not_current_subsidiaries() -> None:
    def statement(target: str, qualifiers: dict[str, Any] | None = None) -> dict[str, Any]:
        snak = {"snaktype": "value", "datavalue": {"value": {"id": target}, "type": "wikibase-entityid"}}
        return {"mainsnak": snak, "rank": "normal", "qualifiers": qualifiers or {}}

    ended = {"P582": [{"snaktype": "value", "datavalue": {"value": {"time": "+2019-06-30T00:00:00Z"}}}]}
    entity = {"claims": {"P355": [statement("Q1"), statement("Q2", ended), statement("Q3")]}}
    assert wd.current_item_ids(entity, wd.P_SUBSIDIARY) == ["Q1", "Q3"]
    assert wd.item_ids(entity, wd.P_SUBSIDIARY) == ["Q1", "Q2", "Q3"]


def _recorded_wikidata(root: Path, slices: list[list[str]]) -> None:
    """A Wikidata host whose recorded ``wbgetentities`` answers hold these id lists (the sandbox answers
    any set of their ids, as the real API does)."""
    site = root / "sites" / WIKIDATA_HOST
    (site / "_responses").mkdir(parents=True)
    routes = []
    for index, ids in enumerate(slices):
        entities = {
            qid: {"id": qid, "labels": {"en": {"language": "en", "value": f"Item {qid}"}}} for qid in ids
        }
        body = f"_responses/slice-{index}.json"
        (site / body).write_text(json.dumps({"entities": entities, "success": 1}))
        query = {"action": "wbgetentities", "ids": "|".join(ids)}
        routes.append(
            {"path": "/w/api.php", "query": query, "content_type": "application/json", "body_file": body}
        )
    (site / "_meta.json").write_text(json.dumps({"routes": routes}))


async def test_more_ids_than_one_request_takes_are_asked_in_sorted_slices(tmp_path: Path) -> None:
    """wbgetentities answers at most 50 ids per request: a conglomerate's subsidiaries need two."""
    ids = sorted(f"Q{1000 + n}" for n in range(wd.MAX_IDS_PER_REQUEST + 7))
    _recorded_wikidata(tmp_path, [ids[: wd.MAX_IDS_PER_REQUEST], ids[wd.MAX_IDS_PER_REQUEST :]])
    async with SandboxWeb(tmp_path) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides()))
        try:
            document = await wd.get_entities(fetcher, list(reversed(ids)), "en")
        finally:
            await fetcher.aclose()
    assert sorted(document.entities) == ids
    assert wd.label(document.entities[ids[-1]], "en") == f"Item {ids[-1]}"
