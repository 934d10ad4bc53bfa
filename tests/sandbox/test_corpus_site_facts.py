"""The hand-written site-facts sites are reproducible and their truth is what the pages state."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox import corpus_site_facts
from sandbox.build_corpus import build
from sandbox.corpus_offices import apply as apply_offices

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"


def _truth(corpus: Path) -> dict[str, object]:
    return {c["domain"]: c for c in json.loads((corpus / "truth.json").read_text("utf-8"))["companies"]}


def test_regenerating_the_corpus_twice_reproduces_the_committed_sites_and_truth(tmp_path: Path) -> None:
    build(tmp_path)
    apply_offices(tmp_path)
    corpus_site_facts.apply(tmp_path)
    corpus_site_facts.apply(tmp_path)  # idempotent: no duplicate truth records
    assert _truth(tmp_path) == _truth(CORPUS)
    for domain in corpus_site_facts.SITES:
        for page in (tmp_path / "sites" / domain).rglob("*.html"):
            committed = CORPUS / page.relative_to(tmp_path)
            assert page.read_text("utf-8") == committed.read_text("utf-8"), page


def test_every_stated_fact_of_the_truth_is_printed_on_a_page_of_its_site() -> None:
    truth = _truth(CORPUS)
    for domain in corpus_site_facts.SITES:
        text = " ".join(p.read_text("utf-8") for p in (CORPUS / "sites" / domain).rglob("*.html"))
        profile = truth[domain]["profile"]  # type: ignore[index]
        for field in ("founded_year", "employee_count_exact"):
            if field in profile:
                assert str(profile[field]) in text, (domain, field)
        headquarters = profile["headquarters"]
        assert headquarters["street_address"] in text and headquarters["postal_code"] in text, domain
