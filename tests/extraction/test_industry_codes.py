"""Industry codes against the official lists: normalisation, complete tables, a total sector mapping,
register employee bands. Pure."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.extraction.industry_codes import (
    DATA_DIR,
    INSEE_BANDS,
    SCHEME_TABLES,
    SCHEMES,
    SECTOR_FILES,
    TABLES,
    classify,
    code_findings,
    employee_band,
    readable,
)
from server.extraction.normalize import EMPLOYEE_RANGES, LARGEST_EMPLOYEE_RANGE
from server.extraction.sectors import SECTORS

NOW = datetime(2025, 1, 15, tzinfo=UTC)
# The publishers' counts per level (data/industry_codes/README.md cites them).
OFFICIAL_COUNTS = {
    "nace2": {"section": 21, "division": 88, "group": 272, "class": 615},
    "naf": {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 732},
    "uk_sic2007": {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 731},
    "us_sic": {"division": 11, "major_group": 83, "industry_group": 416, "industry": 1005},
    "naics2022": {"sector": 20, "subsector": 96, "industry_group": 308, "industry": 689,
                  "national_industry": 1012},
    "naics2017": {"national_industry": 1057},
}  # fmt: skip
SECTOR_FAMILY_TABLES = {"nace": ("nace2", "naf", "uk_sic2007"), "us_sic": ("us_sic",),
                        "naics": ("naics2022", "naics2017")}  # fmt: skip


@pytest.mark.parametrize(
    ("scheme", "written", "code"),
    [
        pytest.param("nace2", "62.01", "62.01", id="nace-dotted"),
        pytest.param("nace2", "6201", "62.01", id="nace-digits"),
        pytest.param("nace2", "62.010", "62.01", id="nace-norwegian-subclass"),
        pytest.param("nace2", " 62.01z ", "62.01", id="nace-from-naf"),
        pytest.param("nace2", "J62.01", "62.01", id="nace-with-section"),
        pytest.param("nace2", "56.101", "56.10", id="nace-brreg-restaurant"),
        pytest.param("nace2", "62.0", "62.0", id="nace-group"),
        pytest.param("nace2", "j", "J", id="nace-section"),
        pytest.param("naf", "62.01Z", "62.01Z", id="naf"),
        pytest.param("naf", "6202a", "62.02A", id="naf-compact-lower"),
        pytest.param("naf", "62.02", "62.02", id="naf-class"),
        pytest.param("naf", "62.02Y", "62.02", id="naf-unknown-letter-is-its-class"),
        pytest.param("uk_sic2007", "62012", "62012", id="uk-five-digit"),
        pytest.param("uk_sic2007", "62.01/2", "62012", id="uk-ons-notation"),
        pytest.param("uk_sic2007", "6201", "6201", id="uk-class"),
        pytest.param("us_sic", "3674", "3674", id="sic"),
        pytest.param("us_sic", 3674, "3674", id="sic-int"),
        pytest.param("us_sic", "737", "737", id="sic-group"),
        pytest.param("us_sic", "7370", "737", id="sic-sec-group-level-code"),
        pytest.param("us_sic", "100", "01", id="sic-lost-leading-zero"),
        pytest.param("naics", "541511", "541511", id="naics-2022"),
        pytest.param("naics", "31", "31-33", id="naics-sector-number"),
        pytest.param("naics", "31 - 33", "31-33", id="naics-sector-range"),
        pytest.param("naics", "443142", "443142", id="naics-2017-only"),
    ],
)
def test_written_codes_are_read_as_the_list_writes_them(scheme: str, written: str | int, code: str) -> None:
    found = classify(scheme, written)
    assert found is not None and found.code == code and found.scheme == scheme


@pytest.mark.parametrize(
    ("scheme", "written"),
    [
        pytest.param("nace2", "", id="empty"),
        pytest.param("nace2", "software", id="words"),
        pytest.param("nace2", "6", id="one-digit"),
        pytest.param("nace2", "620100000", id="too-long"),
        pytest.param("nace2", "V", id="no-such-section"),
        pytest.param("us_sic", "12345", id="sic-five-digits"),
        pytest.param("naics", "1234567", id="naics-seven-digits"),
        pytest.param("naics", "00", id="naics-no-such-sector"),
        pytest.param("uk_sic2007", "62.01/2" * 10, id="long-junk"),
        pytest.param("naf", "62.01ZZ", id="naf-two-letters"),
    ],
)
def test_what_is_no_code_of_the_list_gives_none(scheme: str, written: str) -> None:
    assert classify(scheme, written) is None


def test_an_unknown_scheme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown industry code scheme"):
        classify("isic5", "6201")


def test_a_code_the_list_lacks_answers_with_its_nearest_listed_ancestor() -> None:
    blank_checks = classify("us_sic", "6770")  # an SEC code the SIC manual does not have
    assert blank_checks is not None and (blank_checks.code, blank_checks.exact) == ("67", False)
    assert blank_checks.label == "Holding and Other Investment Offices"
    exact = classify("us_sic", "3674")
    assert exact is not None and exact.exact


def test_labels_are_english_and_readable_and_keep_the_official_title() -> None:
    naf = classify("naf", "62.02A")
    assert naf is not None
    assert naf.label == "Computer consultancy activities"  # NACE 62.02, Eurostat's English title
    assert naf.official_label == "Conseil en systèmes et logiciels informatiques"
    sic = classify("us_sic", "3674")
    assert sic is not None and sic.label == "Semiconductors and Related Devices"
    assert sic.official_label == "SEMICONDUCTORS AND RELATED DEVICES"
    assert (
        readable("RADIO, TELEVISION, AND PUBLISHERS' ADVERTISING")
        == "Radio, Television, and Publishers' Advertising"
    )
    assert readable("Growing of rice") == "Growing of rice"


@pytest.mark.parametrize("table", sorted(OFFICIAL_COUNTS))
def test_every_table_holds_the_complete_official_list(table: str) -> None:
    levels = Counter(entry.level for entry in TABLES[table].entries.values())
    assert dict(levels) == OFFICIAL_COUNTS[table]
    codes = set(TABLES[table].entries)
    assert all(entry.parent in codes for entry in TABLES[table].entries.values() if entry.parent)
    assert all(entry.label.strip() for entry in TABLES[table].entries.values())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_listed_code_classifies_as_itself(scheme: str) -> None:
    for table in SCHEME_TABLES[scheme]:
        for code in TABLES[table].entries:
            found = classify(scheme, code)
            assert found is not None and found.code == code and found.exact, code


@pytest.mark.parametrize("family", sorted(SECTOR_FILES))
def test_the_sector_mapping_is_total_and_names_documented_sectors(family: str) -> None:
    with (DATA_DIR / SECTOR_FILES[family]).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    prefixes = {row["prefix"]: row["sector"] for row in rows}
    assert len(prefixes) == len(rows), "a prefix is listed twice"
    assert {sector for sector in prefixes.values() if sector} <= set(SECTORS)
    leaves = [
        "".join(char for char in entry.code if char.isdigit())
        for table in SECTOR_FAMILY_TABLES[family]
        for entry in TABLES[table].entries.values()
        if entry.code not in {other.parent for other in TABLES[table].entries.values()}
    ]
    unmapped = [code for code in leaves if not any(code.startswith(prefix) for prefix in prefixes)]
    assert leaves and not unmapped
    unused = [prefix for prefix in prefixes if not any(code.startswith(prefix) for code in leaves)]
    assert not unused, "a row that applies to no code"


@pytest.mark.parametrize(
    ("scheme", "code", "sector"),
    [
        pytest.param("nace2", "62.01", "Technology", id="programming"),
        pytest.param("nace2", "21.20", "Health Care", id="pharma-inside-manufacturing"),
        pytest.param("nace2", "58.29", "Technology", id="software-publishing-inside-publishing"),
        pytest.param("nace2", "47.73", "Consumer Staples", id="pharmacy-inside-retail"),
        pytest.param("nace2", "84.11", None, id="public-administration-fits-no-sector"),
        pytest.param("nace2", "C", None, id="a-section-of-many-sectors"),
        pytest.param("nace2", "K", "Financials", id="a-section-of-one-sector"),
        pytest.param("naf", "10.71C", "Consumer Staples", id="boulangerie"),
        pytest.param("uk_sic2007", "69201", "Professional Services", id="accounting"),
        pytest.param("uk_sic2007", "99999", None, id="dormant-company"),
        pytest.param("us_sic", "3674", "Technology", id="semiconductors"),
        pytest.param("us_sic", "2834", "Health Care", id="pharmaceutical-preparations"),
        pytest.param("us_sic", "6798", "Real Estate", id="reit"),
        pytest.param("naics", "541511", "Technology", id="custom-programming"),
        pytest.param("naics", "513210", "Technology", id="software-publishers-2022"),
        pytest.param("naics", "511210", "Technology", id="software-publishers-2017"),
        pytest.param("naics", "31-33", None, id="manufacturing-as-a-whole"),
    ],
)
def test_codes_map_to_the_documented_sector(scheme: str, code: str, sector: str | None) -> None:
    found = classify(scheme, code)
    assert found is not None and found.sector == sector


def test_a_stated_code_gives_its_identifier_label_and_sector() -> None:
    findings = code_findings(
        "us_sic", "7370", source="sec_edgar", url="https://data.sec.gov/x", retrieved_at=NOW,
        method="submissions sic 7370", confidence=0.6, evidence="sic",
        description="SERVICES-COMPUTER PROGRAMMING, DATA PROCESSING, ETC.",
        description_evidence="sicDescription",
    )  # fmt: skip
    by_field = {finding.field: finding for finding in findings}
    assert by_field["identifiers.us_sic"].value == "7370"  # as filed: the list only holds its group
    assert by_field["industry"].value == "Services-Computer Programming, Data Processing, Etc."
    assert by_field["industry"].evidence == "sicDescription"
    assert by_field["sector"].value == "Technology"
    assert "SIC 1987 737" in by_field["sector"].method
    assert (
        code_findings("us_sic", "99x", source="s", url="u", retrieved_at=NOW, method="m", confidence=1) == []
    )


def test_an_exact_code_is_labelled_by_the_list() -> None:
    findings = code_findings(
        "naf", "6201z", source="r", url="u", retrieved_at=NOW, method="m", confidence=0.9
    )
    assert [(f.field, f.value) for f in findings] == [
        ("identifiers.naf", "62.01Z"),
        ("industry", "Computer programming activities"),
        ("sector", "Technology"),
    ]


@pytest.mark.parametrize(
    ("code", "bucket"),
    [("00", "1-10"), ("01", "1-10"), ("02", "1-10"), ("03", "1-10"), ("11", "11-50"), ("12", "11-50"),
     ("21", "51-200"), ("22", "51-200"), ("31", "201-500"), ("32", "201-500"), ("41", "501-1000"),
     ("42", "1001-5000"), ("51", "1001-5000"), ("52", "5001-10000"), ("53", "10001+")],
)  # fmt: skip
def test_every_insee_band_maps_to_one_bucket(code: str, bucket: str) -> None:
    band = employee_band(band=code, scheme="insee")
    assert band is not None and band.bucket == bucket
    assert (band.low, band.high) == INSEE_BANDS[code]


def test_every_bucket_is_reached_by_some_insee_band() -> None:
    reached = {band.bucket for code in INSEE_BANDS if (band := employee_band(band=code, scheme="insee"))}
    assert reached == {label for _, label in EMPLOYEE_RANGES} | {LARGEST_EMPLOYEE_RANGE}


@pytest.mark.parametrize(
    ("kwargs", "bucket"),
    [
        pytest.param({"count": 0}, "1-10", id="brreg-zero"),
        pytest.param({"count": 10}, "1-10", id="count-at-a-bucket-end"),
        pytest.param({"count": 11}, "11-50", id="count-at-a-bucket-start"),
        pytest.param({"count": 12000}, "10001+", id="large-count"),
        pytest.param({"count": 42, "band": "53", "scheme": "insee"}, "11-50", id="count-beats-band"),
        pytest.param({"band": "50-99"}, "51-200", id="printed-band"),
        pytest.param({"band": "10 à 19 salariés"}, "11-50", id="french-band"),
        pytest.param({"band": "10 000 salariés et plus"}, "10001+", id="open-band-grouped-thousands"),
        pytest.param({"band": "1,000-4,999 employees"}, "1001-5000", id="comma-thousands"),
        pytest.param({"band": "under 10"}, "1-10", id="below"),
        pytest.param({"band": "5000+"}, None, id="open-band-spanning-two-buckets"),
        pytest.param({"band": "10-100"}, None, id="band-spanning-two-buckets"),
        pytest.param({"band": "NN", "scheme": "insee"}, None, id="insee-no-employee-or-unknown"),
        pytest.param({"band": "many"}, None, id="no-number"),
        pytest.param({"band": "99-10"}, None, id="reversed"),
        pytest.param({"count": -3}, None, id="negative-count"),
        pytest.param({}, None, id="nothing"),
    ],
)
def test_employee_counts_and_bands_map_to_the_contract_buckets(
    kwargs: dict[str, object], bucket: str | None
) -> None:
    band = employee_band(**kwargs)  # type: ignore[arg-type]
    assert (band.bucket if band else None) == bucket


def test_an_unknown_band_scheme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown employee band scheme"):
        employee_band(band="12", scheme="ons")


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(SCHEMES), written=st.text(max_size=40))
def test_any_text_gives_a_listed_code_or_none_and_never_raises(scheme: str, written: str) -> None:
    found = classify(scheme, written)
    assert found is None or any(found.code in TABLES[table].entries for table in SCHEME_TABLES[scheme])


@settings(max_examples=300, deadline=None)
@given(band=st.text(max_size=60))
def test_any_band_text_gives_one_of_the_buckets_or_none(band: str) -> None:
    found = employee_band(band=band)
    buckets = {label for _, label in EMPLOYEE_RANGES} | {LARGEST_EMPLOYEE_RANGE}
    assert found is None or found.bucket in buckets


def test_a_sources_own_title_of_its_code_is_the_label_else_the_lists() -> None:
    common: dict[str, Any] = {"source": "sec_edgar", "url": "u", "retrieved_at": NOW, "method": "m",
                              "confidence": 0.6}  # fmt: skip
    titled = code_findings("us_sic", "3674", description="SEMICONDUCTORS & RELATED DEVICES", **common)
    untitled = code_findings("us_sic", "3674", **common)
    assert [f.value for f in titled if f.field == "industry"] == ["Semiconductors & Related Devices"]
    assert [f.value for f in untitled if f.field == "industry"] == ["Semiconductors and Related Devices"]
