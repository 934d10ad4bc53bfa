"""Merging findings: agreement, source precedence, derived fields and provenance. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.extraction.money import money_display
from server.extraction.profile import choose, value_key
from server.extraction.sectors import SECTORS, sector_for
from server.extraction.sources.base import Finding

NOW = datetime(2025, 1, 15, tzinfo=UTC)


def _finding(field: str, value: Any, source: str, confidence: float) -> Finding:
    return Finding(field, value, source, f"https://{source}.example/", NOW, "test", confidence)


def test_agreeing_sources_outweigh_a_single_more_confident_one() -> None:
    chosen = choose(
        [
            _finding("founded_year", 2009, "website", 0.6),
            _finding("founded_year", 2009, "wikidata", 0.8),
            _finding("founded_year", 2010, "gleif", 0.9),
        ]
    )
    assert chosen is not None
    value, cited, confidence = chosen
    assert value == 2009
    assert cited.source == "wikidata"  # the most confident witness of the winning value
    assert round(confidence, 2) == 0.92  # 1 - (1 - 0.6) * (1 - 0.8)


def test_one_source_repeating_itself_is_one_witness() -> None:
    chosen = choose([_finding("industry", "Software", "website", 0.6)] * 3)
    assert chosen is not None and chosen[2] == 0.6


def test_equal_confidence_goes_to_the_source_listed_first() -> None:
    chosen = choose(
        [_finding("industry", "Retail", "wikidata", 0.8), _finding("industry", "Shops", "website", 0.8)]
    )
    assert chosen is not None and chosen[0] == "Shops"


def test_values_agree_across_case_spacing_and_number_format() -> None:
    assert value_key("  NASDAQ ") == value_key("Nasdaq")
    assert value_key(340) == value_key(340.0)
    assert value_key({"city": "Bremen", "country_code": "DE", "street_address": "x"}) == value_key(
        {"city": "bremen", "country_code": "DE"}
    )


def test_an_address_is_completed_from_sources_naming_the_same_city() -> None:
    chosen = choose(
        [
            _finding(
                "headquarters",
                {"city": "Bremen", "country_code": "DE", "street_address": "Allee 9"},
                "website",
                0.9,
            ),
            _finding(
                "headquarters",
                {"city": "Bremen", "country_code": "DE", "state_code": "DE-HB"},
                "wikidata",
                0.8,
            ),
        ]
    )
    assert chosen is not None
    assert chosen[0] == {
        "city": "Bremen",
        "country_code": "DE",
        "street_address": "Allee 9",
        "state_code": "DE-HB",
    }


def test_fine_industries_map_to_the_documented_sectors_or_to_none() -> None:
    assert sector_for("Semiconductors & Related Devices") == "Technology"
    assert sector_for("Luft- und Raumfahrt") == "Industrials"
    assert sector_for("Bäckerei") == "Consumer Staples"
    assert sector_for("Underwater basket weaving") is None
    assert len(SECTORS) == len(set(SECTORS))


def test_money_displays_are_short_and_keep_the_currency() -> None:
    assert money_display(86e9, "USD") == "$86B"
    assert money_display(2_410_000_000, "USD") == "$2.41B"
    assert money_display(1_200_000, "EUR") == "€1.2M"
    assert money_display(450e6, "SEK") == "SEK 450M"
    assert money_display(-3e6, "GBP") == "-£3M"
