"""Postal addresses as pages print them: US/CA/GB through pyap, continental postal-code-first formats."""

from __future__ import annotations

import re
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.extraction import addresses
from server.extraction.addresses import (
    ANGLO_ANCHOR_RESTS,
    BLOCK_SEPARATOR,
    WORD_CAPITAL,
    anglo_anchors,
    digit_zones,
    find_addresses,
    page_addresses,
)
from server.extraction.parse import parse_page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Intel Corporation, 2200 Mission College Blvd., Santa Clara, CA 95052-8119, USA.",
            ("2200 Mission College Blvd.", "Santa Clara", "95052-8119", "CA", "US"),
            id="us",
        ),
        pytest.param(
            "Acme Ltd, 5 Rose Lane, Norwich NR1 1BY, United Kingdom",
            ("5 Rose Lane", "Norwich", "NR1 1BY", None, "GB"),
            id="gb",
        ),
        pytest.param(
            "Leitnergasse 16, 8010 Graz. Tel.: +43 676 3282554",
            ("Leitnergasse 16", "Graz", "8010", None, None),
            id="at-no-country-printed",
        ),
        pytest.param("GOODFORM AG CH-6300 Zug - Schweiz", (None, "Zug", "6300", None, "CH"), id="ch-prefix"),
        pytest.param("Kontakt: CH - 6300 Zug", (None, "Zug", "6300", None, "CH"), id="ch-prefix-spaced"),
        pytest.param(
            "Bahnhofstrasse 5, F-75008 Paris",
            ("Bahnhofstrasse 5", "Paris", "75008", None, "FR"),
            id="f-prefix",
        ),
        pytest.param(
            "Werner-von-Siemens-Straße 1a, D-80333 München, Deutschland",
            ("Werner-von-Siemens-Straße 1a", "München", "80333", None, "DE"),
            id="de-letter-prefix",
        ),
        pytest.param(
            "Siège : 12 rue de Rivoli, 75001 Paris, France",
            ("12 rue de Rivoli", "Paris", "75001", None, "FR"),
            id="fr-number-first",
        ),
    ],
)
def test_addresses_are_read_in_their_countrys_format(text: str, expected: tuple[str | None, ...]) -> None:
    [address] = find_addresses(text)
    assert (address.street, address.city, address.postal, address.region, address.country_code) == expected
    assert address.city in address.quote and address.quote in text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Heute arbeiten 8200 Mitarbeiter bei uns.", id="count-before-noun"),
        pytest.param("Nr. 1 in der Schweiz seit 2008 Bestellung auf Rechnung", id="year-and-words"),
        pytest.param("Copyright 1998 - 2018 Tencent. All Rights Reserved", id="year-span"),
        pytest.param("Rated 4.5 by 1200 Kunden", id="rating"),
        pytest.param("Postleitzahl 8010 Graz ist schön", id="no-street-no-prefix"),
        pytest.param("Deutschland 50667 Köln", id="country-word-is-no-street"),
        pytest.param("Hauptstraße 5 -80333 München", id="digits-after-a-hyphen"),
        pytest.param("Serie X12345 Berlin", id="digits-inside-a-word"),
    ],
)
def test_numbers_beside_capitalised_words_are_no_address(text: str) -> None:
    assert find_addresses(text) == []


def test_a_german_postal_code_must_have_five_digits() -> None:
    assert find_addresses("Hauptstraße 5, 1234 Berlin, Deutschland") == []


def test_footer_addresses_come_first_and_the_text_before_an_address_is_kept() -> None:
    html = """<html><body><main><p>Visit our partner at 200 Park Ave, San Jose, CA 95113.</p></main>
    <div class="site-footer"><p>Acme Inc.</p><p>1500 Woodward Ave, Detroit, MI 48226</p></div>
    </body></html>"""
    placed = page_addresses(lxml.html.fromstring(html))
    assert [(p.address.city, p.in_furniture) for p in placed] == [("Detroit", True), ("San Jose", False)]
    assert placed[0].lead.rstrip(", ").endswith("Acme Inc.")
    assert "partner at" in placed[1].lead


def _zoned(blocks: list[str]) -> tuple[str, list[tuple[int, int]]]:
    text = BLOCK_SEPARATOR.join(blocks)
    starts, ends, start = [], [], 0
    for block in blocks:
        starts.append(start)
        ends.append(start + len(block))
        start += len(block) + len(BLOCK_SEPARATOR)
    return text, digit_zones(text, starts, ends)


def test_addresses_are_found_in_the_digit_zones_as_in_the_whole_text() -> None:
    """Anchors at a zone's very start and end, street and city in blocks without a digit."""
    blocks = [
        "Acme Inc.",
        "2200 Mission College Blvd.",
        "Santa Clara",
        "CA 95052-8119",
        "Nothing to see",
        "Leitnergasse 16",
        "8010 Graz",
        "GOODFORM AG",
        "CH-6300 Zug - Schweiz",
        "Acme Ltd, 5 Rose Lane, Norwich NR1 1BY",
        "Bengaluru, Karnataka 560100",
        "12 rue de Rivoli",
        "75001 Paris",
    ]
    text, zones = _zoned(blocks)
    assert all(zone_start != 0 or zone_end < len(text) for zone_start, zone_end in zones)  # not all one
    found = find_addresses(text, zones)
    assert found == find_addresses(text)
    assert [address.city for address in found] == [
        "Santa Clara", "Graz", "Zug", "Norwich", "Bengaluru", "Paris"
    ]  # fmt: skip


FRAGMENTS = st.sampled_from(
    [
        "CA", "95052", "-8119", "NR1", "1BY", "K1A", "0B1", "CH-", "6300", "Zug", "560100", "Karnataka",
        "Bengaluru", "India", "Graz", "8010", "Leitnergasse 16", "Santa Clara", "Blvd.", "12", "rue",
        "Paris", "75001", " ", ", ", ".", "-", "'", "\u2019", "|", ":", "Tel", "1016 BR", "00-950",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(st.lists(FRAGMENTS, max_size=8).map("".join), max_size=8))
def test_the_digit_zones_find_every_address_the_whole_text_holds(blocks: list[str]) -> None:
    text, zones = _zoned(blocks)
    assert find_addresses(text, zones) == find_addresses(text)


def _anchors_country_by_country(text: str, zones: list[tuple[int, int]]) -> dict[str, list[tuple[int, int]]]:
    """What each country's own pattern finds zone by zone, one scan per country."""
    return {
        country: [
            match.span()
            for start, end in zones
            for match in re.compile(WORD_CAPITAL + rest).finditer(text, start, end)
        ]
        for country, rest in ANGLO_ANCHOR_RESTS.items()
    }


@pytest.mark.parametrize(
    "blocks",
    [
        pytest.param(["Santa Clara, CA 95052-8119"], id="us"),
        pytest.param(["Norwich NR1 1BY"], id="gb"),
        pytest.param(["Ottawa ON K1A 0B1"], id="ca"),
        pytest.param(["AB1 2CD", "XCA 95052", "NY 10001 NY 10002"], id="overlapping-and-inside-a-word"),
        pytest.param(["K1A 0B1A", "E1 4AB5", "CA 950521"], id="no-boundary-after"),
        pytest.param(["no anchor here", "1234"], id="none"),
    ],
)
def test_one_scan_finds_each_countrys_anchors_as_its_own_pattern_does(blocks: list[str]) -> None:
    text, zones = _zoned(blocks)
    assert anglo_anchors(text, zones) == _anchors_country_by_country(text, zones)


ANCHOR_FRAGMENTS = st.sampled_from(
    ["CA", "NR1", "1BY", "K1A", "0B1", "E14", "5AB", "95052", "-8119", "A", "1", "12", " ", ". ", "-", "x"]
)


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(st.lists(ANCHOR_FRAGMENTS, max_size=10).map("".join), max_size=6))
def test_one_scan_finds_the_anchors_of_any_text_as_the_countries_patterns_do(blocks: list[str]) -> None:
    """Anchors of several countries side by side, overlapping ones, and runs of them."""
    text, zones = _zoned(blocks)
    assert anglo_anchors(text, zones) == _anchors_country_by_country(text, zones)


def test_a_page_of_thousands_of_anchors_runs_the_parser_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hostile input: pyap is slow per call, so it runs only around the first anchors of a page."""
    calls: list[str] = []
    real_parse = addresses.pyap.parse

    def counting_parse(text: str, **kwargs: Any) -> Any:
        calls.append(text)
        return real_parse(text, **kwargs)

    monkeypatch.setattr(addresses.pyap, "parse", counting_parse)
    found = find_addresses("Ship to CA 90210 or NY 10001 today. " * 5_000)
    assert len(calls) <= addresses.MAX_ANCHORS * len(addresses.ANGLO_COUNTRIES)
    assert found == []  # no street: these are no addresses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Infosys Limited, Plot No. 44, Electronics City, Hosur Road, Bengaluru, Karnataka 560100, India",
            ("Plot No. 44, Electronics City, Hosur Road", "Bengaluru", "560100", "IN"),
            id="in-state-and-pin",
        ),
        pytest.param(
            "Tata House, 24 Homi Mody Street, Mumbai - 400001, India",
            ("24 Homi Mody Street", "Mumbai", "400001", "IN"),
            id="in-city-dash-pin",
        ),
        pytest.param(
            "Herengracht 182, 1016 BR Amsterdam", ("Herengracht 182", "Amsterdam", "1016 BR", "NL"), id="nl"
        ),
        pytest.param(
            "ul. Marszałkowska 1, 00-950 Warszawa", ("Marszałkowska 1", "Warszawa", "00-950", "PL"), id="pl"
        ),
        pytest.param(
            "Rua Augusta 10, 1100-053 Lisboa", ("Rua Augusta 10", "Lisboa", "1100-053", "PT"), id="pt"
        ),
    ],
)
def test_postal_code_shapes_name_their_country(text: str, expected: tuple[str, ...]) -> None:
    [address] = find_addresses(text)
    assert (address.street, address.city, address.postal, address.country_code) == expected


def test_a_six_digit_number_is_no_indian_pin_without_a_state_or_india() -> None:
    assert find_addresses("Order 123456 shipped to Mumbai 400001 yesterday") == []


def test_a_canadian_postal_code_on_a_page_neither_breaks_the_parse_nor_hides_the_other_addresses() -> None:
    """pyap's Canadian rules do not compile on this Python: they read nothing, the rest is still read."""
    html = (
        "<html><body><p>Ottawa office: 100 Queen St, Ottawa, ON K1A 0B1</p>"
        "<footer>Acme Inc., 2200 Mission College Blvd., Santa Clara, CA 95052-8119</footer></body></html>"
    )
    facts = parse_page(html, "https://acme.example/")
    assert [(placed.address.city, placed.address.postal) for placed in facts.addresses] == [
        ("Santa Clara", "95052-8119")
    ]
