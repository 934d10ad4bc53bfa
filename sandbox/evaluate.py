"""Scores extraction against the corpora's truth.json through the real server: ``python -m sandbox.evaluate``.

Two corpora, side by side: the authored one (``sandbox/corpus``, the regression suite) and the real one
(``../shared/realweb`` from the repository root: real pages and knowledge records nobody on the team
wrote; read only, and when it is absent the report says so and scores the authored corpus alone). Each
is run twice, with the truth's domain hints and by name only, every company in every mode, as batches
(one per mode and country) submitted over gRPC to a service started with the real ``WebExtractor``
pointed at the sandbox web serving that corpus.

How the corpora are served:
- Name-derived domain candidates use the authored corpus's reserved TLDs (``.example``, ``.test``) only
  when every truth domain is on one of them; any other corpus (the real one) gets the production TLD
  list of ``Settings``, so name-only resolution is measured as it runs on the web.
- A site captured without its home page (``home_page: false`` with a ``start_url``) is reached through
  ``SandboxWeb(landing_pages=...)``: ``/`` on that host forwards to the recorded ``start_url``. The
  service reads a site from its root, as it would on the web; without this such captures would fail for
  want of a page, which says nothing about extraction.
- Companies known only from knowledge records (``knowledge_only: true``) have no site to verify a domain
  against: they are expected to fail, like the truth's ``unknown_companies``.

How values are scored (``sandbox.eval_compare``, ``sandbox.eval_report``), per field item (a scalar
field is one item; a social profile, identifier, financial key, e-mail, phone, person, alias, subsidiary
or location is one item each): precision = right / extracted, recall = right / in the truth, fill
= share of results stating the field, of those whose mode asks for it. An extracted item the truth does
not state is wrong (the truth documents what the files state; a value nobody can read there was misread
or invented), with one exception, ``eval_report.truth_silent``: a truth that cites ``evidence`` per field
(the real corpus's) is a person's transcription of some of what the files state, and where it records
nothing at all for a value's key it can neither confirm nor rule the value out. Such a value is listed
apart ("values the truth is silent on", with its evidence, for a reader to judge) and left out of
precision and calibration. Silent means: for a field keyed by item name (identifiers, financial data,
social profiles) no truth variant, per-item alternative or evidence entry names that key
(``identifiers.us_sic`` beside a transcribed CIK); for any other field (a scalar, the list of phones or
e-mails) the truth states no value and cites no evidence for the field at all. A value the truth states
otherwise stays wrong, and so does an extra item of a list the truth records (it lists them all). An
authored truth (no ``evidence``) is generated from the facts its pages were written from and is never
silent. Comparison is strict (spacing aside) except where the truth allows more:
- ``alternatives``: any listed whole value of the field is as good as the truth's (the best-fitting one
  is used); a key ``field.item`` (``social_profiles.youtube``) lists acceptable values of one item.
- ``headquarters``: right when the city is the truth's (case aside) and every other part that both state
  agrees (street, postal code, country code, else country name; a state by name or code, so "California",
  "CA" and "US-CA" agree). A city-level truth thus accepts a fuller address; a contradicting part is
  wrong.
- ``website``: the same site's root URL, with or without the trailing slash and ``www.``. Where the truth
  has no website but a domain, the expected website is a root URL on that domain (apex, ``www.`` or
  another host of it): the root URL of the site the service fetched is a fact, not a claim the files
  had to state.
- e-mails by address (case aside) and type, phones by E.164 number and type, people by name and role.
- ``financial_data``: the contract restates a listing in it (``ticker``, ``exchange``, ``is_public``);
  where the truth transcribes the listing only under ``identifiers``, those keys of ``financial_data``
  are scored against it (a stated ticker makes ``is_public`` true). Any other financial key the truth
  does not state stays wrong.

Companies known only from knowledge records are also scored without the service, by asking the production
knowledge sources for them directly (``sandbox.eval_knowledge``, the "records" column): what the corpus
states only in records (SEC identifiers, filing addresses) is measured there, and counts towards the
real corpus's precision and recall targets.

Also a format check (``sandbox.registry_formats``) of the parsers over ``../shared/registry-samples``
when present (recorded Form D notices parse; Form C files are recognised as not Form D); the report
says when they are absent.

Printed: the per-field table of the runs, domain accuracy, name-only domain accuracy (over the
companies whose domain the recorded knowledge answers, or whose name itself reaches a site served at
that domain's apex), a calibration table (confidence bucket -> share of values right), the targets of
issue 8 with whether each is met, and every wrong value with its provenance evidence. Exit status 1
when a target is missed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from google.protobuf.json_format import MessageToDict

from client.async_client import BatchClient
from sandbox.eval_compare import name_reaches
from sandbox.eval_knowledge import score_records
from sandbox.eval_registry_samples import check_registry_samples
from sandbox.eval_report import Run, render, score_company
from sandbox.web import CORPUS_TLDS, SandboxWeb
from server.app import running_service
from server.domain import ExtractionMode
from server.testing import service_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(__file__).parent / "corpus"
DEFAULT_REAL_CORPUS = REPO_ROOT.parent / "shared" / "realweb"
DEFAULT_REGISTRY_SAMPLES = REPO_ROOT.parent / "shared" / "registry-samples"
MAX_BATCH = 100
EVAL_FETCH_TIMEOUT_SECONDS = 4.0  # hung hosts fail in seconds; the slowest corpus host answers in 2.5
COMPANY_TIMEOUT_SECONDS = 60
RESOLUTION_KNOWLEDGE_HOSTS = ("www.wikidata.org", "html.duckduckgo.com")  # services that propose domains


@dataclass(frozen=True)
class Corpus:
    """A corpus directory and its name in the report ("authored", "real")."""

    name: str
    root: Path

    def truth(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "truth.json").read_text("utf-8"))
        return data


def companies_of(truth: dict[str, Any]) -> list[dict[str, Any]]:
    """The truth's companies plus its unknown names (expected to fail)."""
    return list(truth["companies"]) + [
        {"name": name, "country": "US", "domain": None, "expected_outcome": "failed"}
        for name in truth.get("unknown_companies", [])
    ]


def landing_pages(companies: list[dict[str, Any]]) -> dict[str, str]:
    """``/`` of each site captured only at deeper pages forwards to its recorded ``start_url``."""
    pages: dict[str, str] = {}
    for company in companies:
        start = company.get("start_url")
        if start and not company.get("home_page", True):
            parts = urlsplit(start)
            pages[parts.hostname or ""] = parts.path + (f"?{parts.query}" if parts.query else "")
    return pages


def uses_reserved_tlds(companies: Iterable[dict[str, Any]]) -> bool:
    """Whether every truth domain is on one of the authored corpus's reserved TLDs."""
    domains = [str(c["domain"]) for c in companies if c.get("domain")]
    return bool(domains) and all(
        d.rsplit(".", 1)[-1] in {t.lstrip(".") for t in CORPUS_TLDS} for d in domains
    )


def reachable_by_name(root: Path, company: dict[str, Any]) -> bool:
    """Whether name-only resolution can reach the truth's domain in this corpus: a recorded answer of a
    service that proposes domains names it, or the name spells it and the corpus serves its apex."""
    domain = company.get("domain")
    if not domain or company.get("knowledge_only"):
        return False
    sites = root / "sites"
    for host in RESOLUTION_KNOWLEDGE_HOSTS:
        for body in (sites / host / "_responses").glob("*"):
            if body.is_file() and domain.lower() in body.read_text("utf-8", errors="replace").lower():
                return True
    return (sites / domain).is_dir() and name_reaches(str(company["name"]), str(domain))


async def evaluate(
    corpus: Corpus, modes: list[ExtractionMode], hint_settings: tuple[bool, ...] = (True, False)
) -> list[Run]:
    """Run every company of ``corpus`` in every mode, per hint setting, through a real service."""
    truth = corpus.truth()
    companies = companies_of(truth)
    reachable = {c["name"] for c in companies if reachable_by_name(corpus.root, c)}
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for company in companies:
        by_country[company["country"]].append(company)
    runs = {hints: Run(corpus.name, hints) for hints in hint_settings}
    with tempfile.TemporaryDirectory(prefix="eval-") as data_dir:
        async with SandboxWeb(corpus.root, landing_pages=landing_pages(truth["companies"])) as web:
            overrides = web.settings_overrides()
            if not uses_reserved_tlds(truth["companies"]):
                overrides.pop("resolve_tlds")  # the production TLD list of Settings
            settings = service_settings(
                Path(data_dir), **overrides, fetch_timeout_seconds=EVAL_FETCH_TIMEOUT_SECONDS
            )
            async with running_service(settings) as service, BatchClient(service.grpc_target) as client:
                for mode in modes:
                    jobs = [
                        (hints, group[start : start + MAX_BATCH], country)
                        for hints in hint_settings
                        for country, group in sorted(by_country.items())
                        for start in range(0, len(group), MAX_BATCH)
                    ]
                    answers = await asyncio.gather(
                        *(_run_batch(client, chunk, mode, country, hints) for hints, chunk, country in jobs)
                    )
                    for (hints, chunk, _), results in zip(jobs, answers, strict=True):
                        for company in chunk:
                            result = results.get(company["name"], {})
                            score_company(runs[hints], company, mode, result, company["name"] in reachable)
            records = await score_records(settings, companies, corpus.name)
    return [*runs.values(), *([records] if records is not None else [])]


async def _run_batch(
    client: BatchClient, companies: list[dict[str, Any]], mode: ExtractionMode, country: str, hints: bool
) -> dict[str, dict[str, Any]]:
    domain_hints = {c["name"]: c["domain_hint"] for c in companies if hints and c.get("domain_hint")}
    submitted = await client.submit(
        [c["name"] for c in companies],
        extraction_mode=mode.value,
        country=country,
        domain_hints=domain_hints,
        max_concurrent=20,
        timeout_seconds=COMPANY_TIMEOUT_SECONDS,
    )
    async for _ in client.watch(submitted.batch_id):
        pass
    results = await client.results(submitted.batch_id, include_failed=True)
    documents = MessageToDict(results, preserving_proto_field_name=True)
    return {r["company_name"]: r for r in documents.get("results", [])}


@click.command()
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    help="The authored corpus directory (sites/ and truth.json).",
)
@click.option(
    "--real-corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REAL_CORPUS,
    show_default=True,
    help="The real-web corpus; scored when present.",
)
@click.option(
    "--registry-samples",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_REGISTRY_SAMPLES,
    show_default=True,
    help="Recorded registry answers; the parsers' format check runs over them when present.",
)
@click.option("--mode", "modes", multiple=True, type=click.Choice([m.value for m in ExtractionMode]))
@click.option("--mistakes/--no-mistakes", default=False, help="Also list every missing value.")
def main(
    corpus: Path, real_corpus: Path, registry_samples: Path, modes: tuple[str, ...], mistakes: bool
) -> None:
    """Score extraction on both corpora in every mode (or the given ones); exit 1 when a target is missed
    or a recorded registry answer is misread."""
    chosen = [ExtractionMode(m) for m in modes] or list(ExtractionMode)
    corpora = [Corpus("authored", corpus)]
    if (real_corpus / "truth.json").is_file():
        corpora.append(Corpus("real", real_corpus))
    else:
        click.echo(f"real corpus not found at {real_corpus}, scored the authored corpus only\n")
    samples_report, samples_pass = check_registry_samples(registry_samples)
    click.echo(samples_report)
    runs: list[Run] = []
    for each in corpora:
        runs += asyncio.run(evaluate(each, chosen))
    text, met = render(runs, missing=mistakes)
    click.echo(text)
    sys.exit(0 if met and samples_pass else 1)


if __name__ == "__main__":
    main()
