"""Wikidata's head offices (P159): the current one is the headquarters, a second current one a location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.domain import ExtractionMode, ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.modes import plan_for
from server.extraction.pipeline import WebExtractor
from server.extraction.resolve import resolve_domain
from server.extraction.sources.base import SourceContext
from server.extraction.sources.registry import domain_finders
from server.extraction.sources.wikidata import WikidataSource, headquarters_cities
from server.settings import Settings

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
HALVORSEN = ("Halvorsen Maritime AS", "NO")
ABERDEEN = {"city": "Aberdeen", "country": "United Kingdom", "country_code": "GB", "label": "headquarters"}


def _p159(*cities: tuple[str, bool]) -> dict[str, Any]:
    """An item whose P159 statements point to these (id, ended) cities, in order."""
    ended = {"P582": [{"snaktype": "value", "datavalue": {"value": {"time": "+1998-00-00T00:00:00Z"}}}]}
    statements = [
        {
            "mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": city}}},
            "rank": "normal",
            "qualifiers": ended if past else {},
        }
        for city, past in cities
    ]
    return {"claims": {"P159": statements}}


def test_the_headquarters_is_the_first_current_head_office_then_the_other_current_ones() -> None:
    assert headquarters_cities(_p159(("Q1", True), ("Q2", False), ("Q3", False))) == ["Q2", "Q3"]


def test_a_past_head_office_is_the_headquarters_only_when_no_current_one_is_stated() -> None:
    assert headquarters_cities(_p159(("Q1", True), ("Q2", True))) == ["Q1"]
    assert headquarters_cities({"claims": {}}) == []


async def test_a_second_current_head_office_is_a_location_and_a_past_one_nothing(
    fetcher: WebFetcher, sandbox_settings: Settings
) -> None:
    request = ExtractionRequest(HALVORSEN[0], mode=ExtractionMode.COMPREHENSIVE, country=HALVORSEN[1])
    resolution = await resolve_domain(
        request, fetcher, sandbox_settings, domain_finders(fetcher, sandbox_settings)
    )
    context = SourceContext(request, resolution, fetcher, plan_for(ExtractionMode.COMPREHENSIVE))
    findings = await WikidataSource().collect(context)
    by_field = {f.field: f for f in findings if f.field in ("headquarters", "locations")}
    assert by_field["headquarters"].value["city"] == "Bergen"  # not Stavanger, whose statement ended
    assert [f.value for f in findings if f.field == "locations"] == [ABERDEEN]
    assert by_field["locations"].method == "wikidata Q130000007 P159"
    assert "Stavanger" not in json.dumps([f.value for f in findings])


async def test_the_profile_lists_the_second_head_office_the_truth_expects(sandbox_settings: Settings) -> None:
    extractor = WebExtractor(sandbox_settings)
    try:
        request = ExtractionRequest(HALVORSEN[0], mode=ExtractionMode.COMPREHENSIVE, country=HALVORSEN[1])
        profile = await extractor.extract(request)
    finally:
        await extractor.aclose()
    truth = json.loads((CORPUS_DIR / "truth.json").read_text("utf-8"))
    expected = next(c for c in truth["companies"] if c["domain"] == "hvm-group.example")["profile"]
    assert profile["locations"] == expected["locations"] == [ABERDEEN]
    assert profile["headquarters"]["city"] == "Bergen"
    assert profile["provenance"]["locations"]["source"] == "wikidata"
