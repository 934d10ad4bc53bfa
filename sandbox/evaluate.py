"""Scores extraction against a corpus's truth.json through the real server: ``python -m sandbox.evaluate``.

Every company of the corpus runs in every mode as batches (one per mode and country, since a batch has
one country) submitted over gRPC to a service started with the real ``WebExtractor`` pointed at the
sandbox web. Printed: per-field precision (correct / filled where the mode asks for the field), recall
(correct / expected), fill rate (filled / asked) and domain accuracy; plus every wrong value, so a
regression shows what broke. A filled field the truth does not expect counts as wrong.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from google.protobuf.json_format import MessageToDict

from client.async_client import BatchClient
from sandbox.web import SandboxWeb
from server.app import running_service
from server.domain import ExtractionMode
from server.extraction.modes import MODE_PLANS
from server.testing import service_settings

DEFAULT_CORPUS = Path(__file__).parent / "corpus"
MAX_BATCH = 100
EVAL_FETCH_TIMEOUT_SECONDS = 4.0  # hung hosts fail in seconds; the slowest corpus host answers in 2.5
COMPANY_TIMEOUT_SECONDS = 60
TARGET_PRECISION, TARGET_DOMAIN_ACCURACY = 0.90, 0.95


def _same_set(key: Callable[[dict[str, Any]], Any]) -> Callable[[Any, Any], bool]:
    return lambda got, want: {key(item) for item in got} == {key(item) for item in want}


def _subset_of_truth(got: Any, want: Any) -> bool:
    """Every truth key has the same value; dicts only (provenance figures aside)."""
    got = {k: v for k, v in got.items() if k != "figures"}
    return bool(got == want)


def _headquarters(got: Any, want: Any) -> bool:
    return all(got.get(key) == value for key, value in want.items()) and set(got) <= set(want) | {"state"}


# field -> (path into the profile, the mode field that asks for it, comparison)
Comparison = Callable[[Any, Any], bool]
FIELDS: dict[str, tuple[tuple[str, ...], str, Comparison]] = {
    "company_name": (("company_name",), "company_name", lambda a, b: a == b),
    "domain": (("domain",), "domain", lambda a, b: a == b),
    "website": (("website",), "website", lambda a, b: a == b),
    "description": (("description",), "description", lambda a, b: a == b),
    "industry": (("industry",), "industry", lambda a, b: a == b),
    "sector": (("sector",), "sector", lambda a, b: a == b),
    "employee_count": (("employee_count",), "employee_count", lambda a, b: a == b),
    "employee_count_exact": (("employee_count_exact",), "employee_count_exact", lambda a, b: a == b),
    "headquarters": (("headquarters",), "headquarters", _headquarters),
    "founded_year": (("founded_year",), "founded_year", lambda a, b: a == b),
    "linkedin_url": (("linkedin_url",), "linkedin_url", lambda a, b: a == b),
    "legal_name": (("legal_name",), "legal_name", lambda a, b: a == b),
    "aliases": (("aliases",), "aliases", lambda a, b: set(a) == set(b)),
    "social_profiles": (("social_profiles",), "social_profiles", lambda a, b: a == b),
    "contacts.emails": (("contacts", "emails"), "contacts", _same_set(lambda e: (e["address"], e["type"]))),
    "contacts.phones": (("contacts", "phones"), "contacts", _same_set(lambda p: (p["number"], p["type"]))),
    "identifiers": (("identifiers",), "identifiers", lambda a, b: a == b),
    "financial_data": (("financial_data",), "financial_data", _subset_of_truth),
    "people": (("people",), "people", _same_set(lambda p: (p["name"], p["role"]))),
    "parent_company": (("parent_company",), "parent_company", lambda a, b: a == b),
    "subsidiaries": (("subsidiaries",), "subsidiaries", lambda a, b: set(a) == set(b)),
    # Every part of every address (street, city, state, postal code, country, label) must match.
    "locations": (("locations",), "locations", _same_set(lambda place: tuple(sorted(place.items())))),
}


def _get(document: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document if document not in ([], {}, "") else None


@dataclass
class Score:
    """Counts of one field over every company and mode."""

    asked: int = 0
    expected: int = 0
    filled: int = 0
    correct: int = 0


@dataclass
class Report:
    fields: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    domains_right: int = 0
    domains_total: int = 0
    wrong_company: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)


def score_company(
    report: Report, company: dict[str, Any], mode: ExtractionMode, result: dict[str, Any]
) -> None:
    """Add one company's result in one mode to the report."""
    label = f"{company['name']} ({company['country']}, {mode})"
    succeeded = result.get("extraction_status") == "success"
    report.domains_total += 1
    if company["expected_outcome"] != "success":
        if succeeded:
            report.mistakes.append(f"{label}: expected a failure, got {result.get('data', {}).get('domain')}")
        else:
            report.domains_right += 1
        return
    profile = result.get("data", {}) if succeeded else {}
    if profile.get("domain") == company["domain"]:
        report.domains_right += 1
    elif succeeded:
        report.wrong_company.append(f"{label}: chose {profile.get('domain')}, truth {company['domain']}")
    else:
        report.mistakes.append(f"{label}: failed ({result.get('error', {}).get('message')})")
    wanted = set(MODE_PLANS[mode].fields)
    for name, (path, mode_field, same) in FIELDS.items():
        if mode_field not in wanted:
            continue
        score = report.fields[name]
        score.asked += 1
        want, got = _get(company["profile"], path), _get(profile, path)
        score.expected += want is not None
        if got is None:
            if want is not None and succeeded:
                report.mistakes.append(f"{label}: {name} missing, truth {want!r}")
            continue
        score.filled += 1
        if want is not None and same(got, want):
            score.correct += 1
        else:
            report.mistakes.append(f"{label}: {name} = {got!r}, truth {want!r}")


def landing_pages(companies: list[dict[str, Any]]) -> dict[str, str]:
    """``/`` of each site captured only at deeper pages forwards to its recorded ``start_url``.

    The service reads a site from its root, as it would on the web; a capture without the root page
    would otherwise fail for want of a page, which says nothing about extraction.
    """
    pages: dict[str, str] = {}
    for company in companies:
        start = company.get("start_url")
        if start and not company.get("home_page", True):
            parts = urlsplit(start)
            pages[parts.hostname or ""] = parts.path + (f"?{parts.query}" if parts.query else "")
    return pages


async def evaluate(corpus: Path, modes: list[ExtractionMode]) -> Report:
    """Run every company of ``corpus`` in every mode through a real service and score it."""
    truth = json.loads((corpus / "truth.json").read_text("utf-8"))
    companies = truth["companies"] + [
        {"name": name, "country": "US", "domain": None, "expected_outcome": "failed"}
        for name in truth.get("unknown_companies", [])
    ]
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for company in companies:
        by_country[company["country"]].append(company)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="eval-") as data_dir:
        async with SandboxWeb(corpus, landing_pages=landing_pages(truth["companies"])) as web:
            settings = service_settings(
                Path(data_dir), **web.settings_overrides(), fetch_timeout_seconds=EVAL_FETCH_TIMEOUT_SECONDS
            )
            async with running_service(settings) as service, BatchClient(service.grpc_target) as client:
                for mode in modes:
                    for country, group in sorted(by_country.items()):
                        for start in range(0, len(group), MAX_BATCH):
                            chunk = group[start : start + MAX_BATCH]
                            results = await _run_batch(client, chunk, mode, country)
                            for company in chunk:
                                score_company(report, company, mode, results.get(company["name"], {}))
    return report


async def _run_batch(
    client: BatchClient, companies: list[dict[str, Any]], mode: ExtractionMode, country: str
) -> dict[str, dict[str, Any]]:
    hints = {c["name"]: c["domain_hint"] for c in companies if c.get("domain_hint")}
    submitted = await client.submit(
        [c["name"] for c in companies],
        extraction_mode=mode.value,
        country=country,
        domain_hints=hints,
        max_concurrent=20,
        timeout_seconds=COMPANY_TIMEOUT_SECONDS,
    )
    async for _ in client.watch(submitted.batch_id):
        pass
    results = await client.results(submitted.batch_id, include_failed=True)
    documents = MessageToDict(results, preserving_proto_field_name=True)
    return {r["company_name"]: r for r in documents.get("results", [])}


def render(report: Report) -> tuple[str, bool]:
    """The report as a text table, and whether every target is met."""
    lines = [f"{'field':<22}{'precision':>10}{'recall':>10}{'fill':>10}{'filled':>8}{'expected':>10}"]
    met = True
    for name, score in report.fields.items():
        precision = score.correct / score.filled if score.filled else 1.0
        recall = score.correct / score.expected if score.expected else 1.0
        fill = score.filled / score.asked if score.asked else 0.0
        met &= precision >= TARGET_PRECISION
        flag = "" if precision >= TARGET_PRECISION else "  <- below target"
        lines.append(
            f"{name:<22}{precision:>10.1%}{recall:>10.1%}{fill:>10.1%}{score.filled:>8}{score.expected:>10}{flag}"
        )
    accuracy = report.domains_right / report.domains_total if report.domains_total else 0.0
    met &= accuracy >= TARGET_DOMAIN_ACCURACY and not report.wrong_company
    lines.append(f"\ndomain accuracy: {accuracy:.1%} ({report.domains_right}/{report.domains_total})")
    lines.append(f"wrong company chosen: {len(report.wrong_company)}")
    lines.extend(f"  {line}" for line in report.wrong_company)
    return "\n".join(lines), met


@click.command()
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="A corpus directory with sites/ and truth.json.",
)
@click.option("--mode", "modes", multiple=True, type=click.Choice([m.value for m in ExtractionMode]))
@click.option("--mistakes/--no-mistakes", default=False, help="List every wrong or missing value.")
def main(corpus: Path, modes: tuple[str, ...], mistakes: bool) -> None:
    """Score extraction on CORPUS in every mode (or the given ones); exit 1 when a target is missed."""
    chosen = [ExtractionMode(m) for m in modes] or list(ExtractionMode)
    report = asyncio.run(evaluate(corpus, chosen))
    table, met = render(report)
    click.echo(table)
    if mistakes:
        click.echo("\nmistakes:")
        for line in report.mistakes:
            click.echo(f"  {line}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
