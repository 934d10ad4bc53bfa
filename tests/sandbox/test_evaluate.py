"""The evaluation runner: how results are scored, and a real run of one mode through the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.evaluate import Report, evaluate, render, score_company
from server.domain import ExtractionMode

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
COMPANY: dict[str, Any] = {
    "name": "Acme Robotics Inc.",
    "country": "US",
    "domain": "acme-robotics.example",
    "expected_outcome": "success",
    "profile": {"company_name": "Acme Robotics", "domain": "acme-robotics.example", "founded_year": 2009},
}


def test_a_wrong_value_and_an_unexpected_value_both_cost_precision() -> None:
    report = Report()
    result = {
        "extraction_status": "success",
        "data": {"company_name": "Acme", "domain": "acme-robotics.example", "industry": "Robots"},
    }
    score_company(report, COMPANY, ExtractionMode.BASIC, result)
    assert (report.fields["company_name"].filled, report.fields["company_name"].correct) == (1, 0)
    assert (report.fields["industry"].filled, report.fields["industry"].correct) == (1, 0)
    assert report.fields["founded_year"].expected == 1 and report.fields["founded_year"].filled == 0
    table, met = render(report)
    assert not met and "below target" in table


def test_choosing_another_company_is_reported_as_a_wrong_company() -> None:
    report = Report()
    score_company(
        report, COMPANY, ExtractionMode.BASIC, {"extraction_status": "success", "data": {"domain": "x.test"}}
    )
    assert report.wrong_company and report.domains_right == 0


def test_an_expected_failure_that_fails_counts_as_right() -> None:
    report = Report()
    unknown = {"name": "Zephyr", "country": "US", "domain": None, "expected_outcome": "failed"}
    score_company(report, unknown, ExtractionMode.BASIC, {"extraction_status": "failed"})
    assert report.domains_right == report.domains_total == 1


async def test_basic_mode_on_the_shipped_corpus_meets_the_targets() -> None:
    report = await evaluate(CORPUS, [ExtractionMode.BASIC])
    table, met = render(report)
    assert met, table + "\n" + "\n".join(report.mistakes)
