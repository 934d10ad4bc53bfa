"""The evaluation runner: how results are compared and scored; a real run of one mode through the server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sandbox.eval_compare import compare, headquarters_same, name_reaches, website_same
from sandbox.eval_knowledge import score_records
from sandbox.eval_report import Run, calibration_rows, grouped_by_mode, render, score_company, targets
from sandbox.evaluate import Corpus, main, reachable_by_name, uses_reserved_tlds
from sandbox.web import SandboxWeb
from server.domain import ExtractionMode
from server.testing import service_settings

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
COMPANY: dict[str, Any] = {
    "name": "Acme Robotics Inc.",
    "country": "US",
    "domain": "acme-robotics.example",
    "expected_outcome": "success",
    "profile": {"company_name": "Acme Robotics", "domain": "acme-robotics.example", "founded_year": 2009},
    "alternatives": {"company_name": ["ACME"], "social_profiles.youtube": ["https://youtube.com/acme"]},
}
PROVENANCE = {
    "company_name": {"source": "website", "method": "title", "confidence": 0.95, "evidence": "<title>Acme"},
    "industry": {"source": "website", "method": "prose", "confidence": 0.6, "evidence": "we sell robots"},
}


def _result(**data: Any) -> dict[str, Any]:
    return {"extraction_status": "success", "data": {"domain": "acme-robotics.example", **data}}


def test_a_wrong_value_and_an_unexpected_value_both_cost_precision_and_show_their_evidence() -> None:
    run = Run("authored", True)
    result = _result(company_name="Acme", industry="Robots", provenance=PROVENANCE)
    score_company(run, COMPANY, ExtractionMode.BASIC, result)
    assert (run.fields["company_name"].filled, run.fields["company_name"].correct) == (1, 0)
    assert (run.fields["industry"].filled, run.fields["industry"].correct) == (1, 0)
    assert run.fields["founded_year"].expected == 1 and run.fields["founded_year"].filled == 0
    assert any("industry = 'Robots'" in line and "'we sell robots'" in line for line in run.wrong_values)
    assert (0.95, False) in run.calibration and (0.6, False) in run.calibration
    table, met = render([run])
    assert not met and "NOT MET" in table and "'<title>Acme'" in table


def test_alternatives_accept_another_spelling_of_the_whole_value_or_of_one_item() -> None:
    run = Run("authored", True)
    result = _result(company_name="ACME", social_profiles={"youtube": "https://youtube.com/acme"})
    score_company(run, COMPANY, ExtractionMode.STANDARD, result)
    assert run.fields["company_name"].correct == 1
    # The truth states no youtube profile, but the per-item alternative makes this one acceptable.
    assert run.fields["social_profiles"].correct == 1


def test_choosing_another_company_is_reported_as_a_wrong_company() -> None:
    run = Run("authored", True)
    score_company(
        run, COMPANY, ExtractionMode.BASIC, {"extraction_status": "success", "data": {"domain": "x.test"}}
    )
    assert run.wrong_company and run.domains_right == 0


@pytest.mark.parametrize(
    "company",
    [
        pytest.param(
            {"name": "Zephyr", "country": "US", "domain": None, "expected_outcome": "failed"}, id="unknown"
        ),
        pytest.param(
            {
                "name": "Filer Inc.",
                "country": "US",
                "domain": None,
                "expected_outcome": "success",
                "knowledge_only": True,
            },
            id="knowledge-only",
        ),
    ],
)
def test_an_expected_failure_that_fails_counts_as_right(company: dict[str, Any]) -> None:
    run = Run("real", True)
    score_company(run, company, ExtractionMode.BASIC, {"extraction_status": "failed"})
    assert run.domains_right == run.domains_total == 1


def test_a_website_the_truth_does_not_state_is_right_when_it_is_a_root_url_on_the_domain() -> None:
    run = Run("real", True)
    score_company(run, COMPANY, ExtractionMode.BASIC, _result(website="https://www.acme-robotics.example/"))
    score_company(run, COMPANY, ExtractionMode.BASIC, _result(website="https://elsewhere.example/"))
    assert (run.fields["website"].correct, run.fields["website"].filled, run.fields["website"].expected) == (
        1,
        2,
        2,
    )


@pytest.mark.parametrize(
    ("got", "want", "same"),
    [
        pytest.param(
            {"city": "Graz", "street_address": "Leitnergasse 16"},
            {"city": "Graz"},
            True,
            id="fuller-than-city",
        ),
        pytest.param({"city": "graz"}, {"city": "Graz", "postal_code": "8010"}, True, id="city-only-agrees"),
        pytest.param(
            {"city": "Graz", "postal_code": "8020"},
            {"city": "Graz", "postal_code": "8010"},
            False,
            id="part-contradicts",
        ),
        pytest.param({"city": "Wien"}, {"city": "Graz"}, False, id="other-city"),
        pytest.param(
            {"city": "Santa Clara", "state": "CA"},
            {"city": "Santa Clara", "state_code": "US-CA"},
            True,
            id="state-code",
        ),
        pytest.param(
            {"city": "Santa Clara", "state": "NV"},
            {"city": "Santa Clara", "state": "California", "state_code": "US-CA"},
            False,
            id="other-state",
        ),
    ],
)
def test_headquarters_are_compared_part_by_part(
    got: dict[str, str], want: dict[str, str], same: bool
) -> None:
    assert headquarters_same(got, want) is same


@pytest.mark.parametrize(
    ("got", "want", "same"),
    [
        pytest.param("https://www.iana.org/", "https://iana.org", True, id="www-and-slash"),
        pytest.param("https://iana.org/about", "https://iana.org/", False, id="not-the-root"),
        pytest.param("https://icann.org/", "https://www.iana.org/", False, id="other-site"),
    ],
)
def test_websites_match_with_or_without_www_and_trailing_slash(got: str, want: str, same: bool) -> None:
    assert website_same(got, want) is same


def test_list_fields_are_scored_item_by_item() -> None:
    want = [{"number": "+1", "type": "general"}, {"number": "+2", "type": "support"}]
    got = [{"number": "+1", "type": "general"}, {"number": "+3", "type": "general"}]
    verdict = compare("contacts.phones", got, [want], {})
    assert (verdict.correct, verdict.filled, verdict.expected) == (1, 2, 2)
    assert [key for key, _, _ in verdict.wrong] == ["+3"] and [key for key, _ in verdict.missing] == ["+2"]


def test_a_listing_the_truth_states_under_identifiers_scores_the_same_keys_of_financial_data() -> None:
    company = {
        **COMPANY,
        "profile": {
            "identifiers": {"cik": "0000000001", "ticker": "ACME", "exchange": "Nasdaq"},
            "financial_data": {"fiscal_year_end": "December 31"},
        },
    }
    listing = {"ticker": "ACME", "exchange": "Nasdaq", "is_public": True, "fiscal_year_end": "December 31"}
    run = Run("real", True)
    score_company(run, company, ExtractionMode.FINANCIAL_FOCUSED, _result(financial_data=listing))
    assert (run.fields["financial_data"].correct, run.fields["financial_data"].filled) == (4, 4)
    # A wrong exchange, and a revenue neither place states, stay wrong.
    run = Run("real", True)
    got = {**listing, "exchange": "NYSE", "revenue": "$1B"}
    score_company(run, company, ExtractionMode.FINANCIAL_FOCUSED, _result(financial_data=got))
    assert (run.fields["financial_data"].correct, run.fields["financial_data"].filled) == (3, 5)
    assert any("financial_data.revenue" in line for line in run.wrong_values)
    assert any("financial_data.exchange = 'NYSE'" in line for line in run.wrong_values)


@pytest.mark.parametrize(
    ("name", "domain", "reaches"),
    [
        pytest.param("iTeh.solutions", "iteh.at", True, id="leading-run"),
        pytest.param("Ebene 11", "ebene11.com", True, id="spaces-dropped"),
        pytest.param("RANDOM.ORG", "random.org", True, id="name-is-a-domain"),
        pytest.param("Kanzlei Weber", "weber.de", True, id="generic-word-dropped"),
        pytest.param("Internet Assigned Numbers Authority", "iana.org", False, id="acronym"),
    ],
)
def test_name_reaches_a_domain_its_words_spell(name: str, domain: str, reaches: bool) -> None:
    assert name_reaches(name, domain) is reaches


def test_the_authored_corpus_reaches_its_domains_through_names_and_recorded_knowledge() -> None:
    truth = Corpus("authored", CORPUS).truth()
    by_name = {c["name"]: c for c in truth["companies"]}
    assert uses_reserved_tlds(truth["companies"])
    assert reachable_by_name(CORPUS, by_name["Acme Robotics Inc."])  # the name spells the domain
    assert reachable_by_name(CORPUS, by_name["Halvorsen Maritime AS"])  # only Wikidata's answer names it
    assert not reachable_by_name(CORPUS, {"name": "Acme Robotics", "domain": "nowhere-served.example"})
    assert not uses_reserved_tlds([{"domain": "iana.org"}])


def test_the_same_mistake_in_several_modes_is_listed_once_with_its_modes() -> None:
    lines = [
        "Acme (US, basic): failed (x)",
        "Acme (US, standard): failed (x)",
        "Acme (US, basic): founded_year = 1",
    ]
    assert grouped_by_mode(lines) == [
        "Acme (US, basic, standard): failed (x)",
        "Acme (US, basic): founded_year = 1",
    ]


def test_calibration_buckets_share_right_per_confidence_band() -> None:
    rows = calibration_rows([(0.95, True), (1.0, False), (0.55, True)])
    assert rows[-1] == ("[0.95, 1.00]", 2, 0.5)
    assert rows[1] == ("[0.50, 0.70)", 1, 1.0)


def test_real_corpus_targets_are_checked_only_when_it_was_scored() -> None:
    assert next(text for text, _ in targets([Run("authored", True)])).startswith("authored corpus")
    assert not any(text.startswith("real") for text, _ in targets([Run("authored", True)]))


def test_make_eval_on_the_shipped_corpus_meets_its_targets_and_says_when_the_real_one_is_absent(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-realweb"
    outcome = CliRunner().invoke(main, ["--mode", "basic", "--real-corpus", str(missing)])
    assert outcome.exit_code == 0, outcome.output
    assert f"real corpus not found at {missing}, scored the authored corpus only" in outcome.output
    assert "[met] authored corpus with hints: 100% precision and recall on every field" in outcome.output
    assert "NOT MET" not in outcome.output


async def test_companies_known_only_from_records_are_scored_through_the_knowledge_sources(
    tmp_path: Path,
) -> None:
    """A record-only company: the production SEC and GLEIF sources read its records over the sandbox web."""
    for host in ("data.sec.gov", "www.sec.gov", "api.gleif.org", "www.wikidata.org"):
        shutil.copytree(CORPUS / "sites" / host, tmp_path / "sites" / host)
    company = {
        "name": "Obsidian Dynamics Corp.",
        "country": "US",
        "domain": None,
        "expected_outcome": "failed",
        "knowledge_only": True,
        # The ticker is misspelt on purpose: the run must report the record's value against it.
        "profile": {"identifiers": {"cik": "0001799001", "ticker": "OBSX", "exchange": "Nasdaq"}},
    }
    async with SandboxWeb(tmp_path) as web:
        settings = service_settings(tmp_path / "data", **web.settings_overrides())
        run = await score_records(settings, [company], "real")
    assert run is not None and run.label == "real records"
    identifiers = run.fields["identifiers"]
    assert (identifiers.correct, identifiers.expected) == (2, 3), run.wrong_values + run.missing_values
    assert any("identifiers.ticker = 'OBSD', truth 'OBSX'" in line for line in run.wrong_values)
    assert "legal_name" not in run.fields  # the truth states no legal name for it: not scored


TRANSCRIBED: dict[str, Any] = {
    **COMPANY,
    "profile": {**COMPANY["profile"], "identifiers": {"cik": "0000000042"}},
    "evidence": {"company_name": [{"file": "sites/x/index.html", "quote": "Acme"}], "identifiers.cik": []},
}


def test_a_value_a_transcribed_truth_is_silent_on_is_listed_apart_and_left_out_of_precision() -> None:
    """Silent: a key the truth records nothing for; a contradicted value stays wrong."""
    run = Run("real", True)
    got = {"cik": "0000000042", "us_sic": "3674"}
    score_company(
        run,
        TRANSCRIBED,
        ExtractionMode.STANDARD,
        _result(company_name="Acme", industry="Robots", identifiers=got),
    )
    assert (run.fields["identifiers"].filled, run.fields["identifiers"].correct) == (1, 1)
    assert (run.fields["industry"].filled, run.fields["company_name"].filled) == (0, 1)
    assert run.fields["company_name"].correct == 0  # the truth states another name: contradicted
    assert any("us_sic" in line for line in run.silent_values)
    assert any("industry" in line for line in run.silent_values)
    assert any("company_name" in line for line in run.wrong_values)
    assert not any("us_sic" in line or "industry" in line for line in run.wrong_values)
    assert "truth is silent on" in render([run])[0]


def test_an_authored_truth_is_never_silent() -> None:
    """An authored truth is complete: a value it does not state is wrong."""
    run = Run("authored", True)
    score_company(run, COMPANY, ExtractionMode.STANDARD, _result(identifiers={"us_sic": "3674"}))
    assert (run.fields["identifiers"].filled, run.fields["identifiers"].correct) == (1, 0)
    assert not run.silent_values
