"""The SEC Form D source: notices read safely, offerings folded (amendments replace), the funding total,
rounds and officers, an SEC outage named, and one rate limiter for every SEC request."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import ParseDict

from company_protos.company.v1.profile_pb2 import CompanyProfile
from sandbox.corpus_facts import COMPANIES
from sandbox.eval_knowledge import no_site
from sandbox.knowledge_facts import KNOWLEDGE
from sandbox.knowledge_formd import notice_xml
from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.errors import FetchError, FetchUnavailableError, RateLimitedError
from server.extraction.fetcher import WebFetcher
from server.extraction.form_d import (
    MAX_FORM_D_BYTES,
    FiledFormD,
    FormDError,
    NotFormDError,
    distinct_offerings,
    parse_form_d,
)
from server.extraction.modes import plan_for
from server.extraction.page_pool import InlineParser
from server.extraction.pipeline import WebExtractor
from server.extraction.politeness import policy_for
from server.extraction.profile import build_profile
from server.extraction.sources.base import Finding, SourceContext
from server.extraction.sources.sec_edgar import SecEdgarSource
from server.extraction.sources.sec_formd import SecFormDSource, cik_from_search
from server.settings import HostRule, Settings

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
HALYARD = next(facts for facts in COMPANIES if facts["domain"] == "halyard-therapeutics.example")
FORMD = KNOWLEDGE["halyard-therapeutics.example"]["formd"]
NOW = datetime(2025, 1, 10, tzinfo=UTC)


def _notice(**filing: Any) -> str:
    base = {"accession": "0001880001-21-000001", "filed": "2021-03-15", "first_sale": "2021-03-01",
            "total": 1_000_000, "sold": 400_000}  # fmt: skip
    return notice_xml(HALYARD, FORMD, {**base, **filing})


def _filed(accession: str, filed: str, **filing: Any) -> FiledFormD:
    form = parse_form_d(_notice(accession=accession, filed=filed, **filing))
    return FiledFormD(accession, filed, f"https://www.sec.gov/{accession}", form, NOW)


def _values(findings: list[Finding]) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for finding in findings:
        values.setdefault(finding.field, []).append(finding.value)
    return values


def _context(fetcher: WebFetcher, mode: ExtractionMode = ExtractionMode.FINANCIAL_FOCUSED) -> SourceContext:
    request = ExtractionRequest(HALYARD["name"], mode=mode, country="US")
    return SourceContext(request, no_site(), fetcher, plan_for(mode))


def test_a_notice_states_amounts_first_sale_industry_group_and_people() -> None:
    form = parse_form_d(_notice(total=12_000_000, sold=8_500_000))
    assert (form.submission_type, form.is_amendment, form.previous_accession) == ("D", False, None)
    assert (form.total_offering_amount, form.total_amount_sold) == (12_000_000.0, 8_500_000.0)
    assert form.date_of_first_sale == "2021-03-01" and form.industry_group == "Biotechnology"
    assert form.issuer_name == "Halyard Therapeutics, Inc." and form.issuer_cik == "0001880001"
    assert [(person.name, person.role) for person in form.related_persons] == [
        ("Priya Raman", "Chief Executive Officer"),
        ("Tomas Ekberg", "Chief Financial Officer"),
        ("Lena Hoffmann", "Director"),
    ]


def test_an_indefinite_offering_has_no_total_but_says_so() -> None:
    form = parse_form_d(_notice(total="Indefinite", sold=35_250_000))
    assert form.total_offering_amount is None and form.offering_indefinite
    assert form.total_amount_sold == 35_250_000.0


def test_an_amendment_replaces_what_it_amends_and_a_chain_of_them_is_one_offering() -> None:
    original = _filed("0001880001-21-000001", "2021-03-15", sold=400_000)
    amended = _filed("0001880001-22-000002", "2022-02-10", sold=700_000, amends="0001880001-21-000001")
    again = _filed("0001880001-23-000004", "2023-02-10", sold=900_000, amends="0001880001-22-000002")
    other = _filed("0001880001-23-000003", "2023-01-20", first_sale="2023-01-05", sold=2_000_000)
    offerings = distinct_offerings([again, other, original, amended])
    assert [offering.accession for offering in offerings] == ["0001880001-23-000004", "0001880001-23-000003"]
    assert sum(offering.form.total_amount_sold or 0 for offering in offerings) == 2_900_000


def test_an_amendment_naming_no_earlier_notice_is_not_counted_as_an_offering() -> None:
    orphan = _filed("0001880001-22-000002", "2022-02-10", amends="0001880001-21-000001")
    stripped = replace(orphan, form=replace(orphan.form, previous_accession=None))
    assert distinct_offerings([stripped]) == []


FORM_C = """
<?xml version="1.0" encoding="UTF-8"?>
<edgarSubmission xmlns="http://www.sec.gov/edgar/formc" xmlns:com="http://www.sec.gov/edgar/common">
  <headerData><submissionType>C</submissionType></headerData>
  <formData><offeringInformation><offeringAmount>50000.00</offeringAmount></offeringInformation></formData>
</edgarSubmission>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edgarSubmission><submissionType>D</submissionType><x>&lol3;</x></edgarSubmission>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edgarSubmission><submissionType>D</submissionType><primaryIssuer><entityName>&xxe;</entityName>
</primaryIssuer></edgarSubmission>"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<edgarSubmission><submissionType>D</submission", id="malformed"),
        pytest.param("", id="empty"),
        pytest.param("<html><body>Not found</body></html>", id="an-html-page"),
        pytest.param(BILLION_LAUGHS, id="entity-expansion"),
        pytest.param(EXTERNAL_ENTITY, id="external-entity"),
        pytest.param("<edgarSubmission>" + " " * MAX_FORM_D_BYTES + "</edgarSubmission>", id="huge"),
    ],
)
def test_unreadable_or_hostile_documents_are_refused_cleanly(text: str) -> None:
    with pytest.raises(FormDError) as raised:
        parse_form_d(text)
    assert not isinstance(raised.value, NotFormDError)


def test_a_form_c_is_recognised_as_not_form_d() -> None:
    with pytest.raises(NotFormDError) as raised:
        parse_form_d(FORM_C)
    assert raised.value.submission_type == "C"


def test_search_takes_a_filer_only_when_its_name_matches_and_it_is_in_a_us_state() -> None:
    def hit(cik: str, name: str, state: str) -> dict[str, Any]:
        return {"_source": {"ciks": [cik], "display_names": [f"{name}  (CIK {cik})"], "biz_states": [state]}}

    document = {"hits": {"hits": [
        hit("0000000001", "Halyard Therapeutics Holdings Ltd", "MA"),
        hit("0000000002", "Halyard Therapeutics, Inc.", "X0"),  # a foreign filer of the same name
        hit("0000000003", "HALYARD THERAPEUTICS, INC.", "MA"),
    ]}}  # fmt: skip
    assert cik_from_search(document, "Halyard Therapeutics, Inc.") == (3, "HALYARD THERAPEUTICS, INC.", 100.0)
    assert cik_from_search({"hits": {"hits": document["hits"]["hits"][:2]}}, "Halyard Therapeutics") is None
    assert cik_from_search({"hits": "garbage"}, "Halyard Therapeutics") is None
    assert cik_from_search({"hits": {"hits": [{"_source": {"ciks": "3", "display_names": 7}}]}}, "H") is None


async def test_the_source_sums_distinct_offerings_and_lists_each_round(fetcher: WebFetcher) -> None:
    context = _context(fetcher, ExtractionMode.COMPREHENSIVE)
    findings = await SecFormDSource().collect(context)
    values = _values(findings)
    (raised,) = values["financial_data.funding_raised"]
    assert raised["amount"] == 47_250_000 and raised["display"] == "$47.25M"  # 12M (amended) + 35.25M
    rounds = values["financial_data.funding_rounds"]
    assert [(r["accession_number"], r["amount_sold"], r["form"]) for r in rounds] == [
        ("0001880001-22-000002", 12_000_000, "D/A"),
        ("0001880001-23-000003", 35_250_000, "D"),
    ]
    indefinite = rounds[1]
    assert indefinite["offering_total_indefinite"] and "offering_total" not in indefinite
    assert values["identifiers.cik"] == ["0001880001"]
    (cik,) = [f for f in findings if f.field == "identifiers.cik"]
    assert "matching the name (100)" in cik.method  # the match is recorded with its score
    assert values["legal_name"] == ["Halyard Therapeutics, Inc."]
    assert {"name": "Priya Raman", "role": "Chief Executive Officer"} in values["people"]
    cited = next(f for f in findings if f.field == "financial_data.funding_raised")
    assert cited.source == "sec_formd" and "0001880001-22-000002: $12M" in (cited.evidence or "")
    assert not context.unavailable


async def test_the_profile_carries_funding_through_the_proto(sandbox_settings: Settings) -> None:
    extractor = WebExtractor(sandbox_settings, parser=InlineParser())
    try:
        request = ExtractionRequest(HALYARD["name"], mode=ExtractionMode.FINANCIAL_FOCUSED, country="US")
        profile = await extractor.extract(request)
    finally:
        await extractor.aclose()
    message = ParseDict(profile, CompanyProfile())
    assert message.financial_data.funding_raised == "$47.25M"
    assert [r.display for r in message.financial_data.funding_rounds] == ["$12M", "$35.25M"]
    assert profile["provenance"]["financial_data.funding_raised"]["source"] == "sec_formd"
    assert "financial_data.valuation" in profile["not_found"]  # a private company with no stated value
    assert "people" not in profile  # financial_focused does not ask for people
    assert "sources_unavailable" not in profile


def _corpus_with_sec_down(tmp_path: Path) -> Path:
    """The SEC's search and data hosts as recorded; www.sec.gov (the notices) answering 503."""
    for host in ("efts.sec.gov", "data.sec.gov"):
        shutil.copytree(CORPUS_DIR / "sites" / host, tmp_path / "sites" / host)
    down = tmp_path / "sites" / "www.sec.gov"
    down.mkdir(parents=True)
    (down / "_meta.json").write_text(json.dumps({"status": 503}), "utf-8")
    return tmp_path


async def test_notices_that_stay_unavailable_name_the_source_and_state_no_total(tmp_path: Path) -> None:
    async with SandboxWeb(_corpus_with_sec_down(tmp_path)) as web:
        fetcher = WebFetcher(Settings(**web.settings_overrides(), fetch_timeout_seconds=2.0))
        try:
            context = _context(fetcher)
            assert await SecEdgarSource().collect(context) == []  # the ticker list is on www.sec.gov too
            values = _values(await SecFormDSource().collect(context))
        finally:
            await fetcher.aclose()
    assert "sec_formd" in context.unavailable and "503" in context.unavailable["sec_formd"]
    assert "financial_data.funding_raised" not in values and "financial_data.funding_rounds" not in values
    profile = build_profile(context.request, context.resolution, [], context.plan, context.unavailable)
    assert profile["sources_unavailable"] == ["sec_edgar", "sec_formd"]
    assert "financial_data.funding_raised" in profile["not_found"]


async def test_a_mode_wanting_identifiers_only_gets_the_cik_from_one_search_request(
    sandbox_web: SandboxWeb, fetcher: WebFetcher
) -> None:
    before = sandbox_web.requests_served
    findings = await SecFormDSource().collect(_context(fetcher, ExtractionMode.STANDARD))
    assert [(f.field, f.value) for f in findings] == [("identifiers.cik", "0001880001")]
    assert findings[0].url.startswith("https://efts.sec.gov/LATEST/search-index?")
    assert sandbox_web.requests_served - before == 1


async def test_a_search_that_finds_nothing_is_not_an_outage(fetcher: WebFetcher) -> None:
    request = ExtractionRequest(
        "Zephyr Quantum Holdings", mode=ExtractionMode.FINANCIAL_FOCUSED, country="US"
    )
    context = SourceContext(request, no_site(), fetcher, plan_for(ExtractionMode.FINANCIAL_FOCUSED))
    assert await SecFormDSource().collect(context) == []
    assert not context.unavailable


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        pytest.param(FetchUnavailableError("HTTP 503 from https://x", details="status 503"), True, id="5xx"),
        pytest.param(RateLimitedError("HTTP 429 from https://x", details="status 429"), True, id="429"),
        pytest.param(
            FetchUnavailableError("Cannot connect to https://x", details="reset"), True, id="unreachable"
        ),
        pytest.param(FetchUnavailableError("Timed out fetching https://x", retry=False), True, id="timeout"),
        pytest.param(FetchError("HTTP 404 from https://x", details="status 404"), False, id="404"),
        pytest.param(
            FetchError("Document too large from https://x", details="more than 9 bytes"),
            False,
            id="too-large",
        ),
        pytest.param(FetchError("Not JSON from https://x", details="Expecting value"), False, id="not-json"),
    ],
)
def test_an_outage_is_a_service_that_did_not_answer_not_one_that_said_no(
    error: FetchError, outage: bool
) -> None:
    assert error.outage is outage


def test_the_sec_allows_ten_requests_a_second_across_its_hosts() -> None:
    policy = policy_for("efts.sec.gov", Settings(per_host_delay_seconds=0))
    assert policy.key == "sec.gov"  # www, data and efts share one budget
    assert [(rate.limit, rate.interval) for rate in policy.rates] == [(10, 1000)]


async def test_requests_to_every_sec_host_share_one_limit(
    sandbox_web: SandboxWeb, sandbox_settings: Settings
) -> None:
    """A rule of three requests an hour lets exactly three reach the SEC's hosts, whichever host."""
    settings = sandbox_settings.model_copy(
        update={"host_rules": {"sec.gov": HostRule(requests=3, per_seconds=3600)}}
    )
    fetcher = WebFetcher(settings)
    urls = [
        "https://www.sec.gov/files/company_tickers.json",
        "https://data.sec.gov/submissions/CIK0001880001.json",
        "https://efts.sec.gov/LATEST/search-index?q=x&forms=D",
        "https://www.sec.gov/files/company_tickers.json",
        "https://data.sec.gov/submissions/CIK0001880001.json",
    ]
    before = sandbox_web.requests_served
    tasks = [asyncio.create_task(fetcher.fetch(url)) for url in urls]
    try:
        done: set[asyncio.Task[Any]] = set()
        pending = set(tasks)
        while len(done) < 3:
            finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            done |= finished
        assert len(done) == 3 and len(pending) == 2
        assert sandbox_web.requests_served - before == 3
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await fetcher.aclose()
