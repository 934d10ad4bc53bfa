"""The hand-written site-facts sites are reproducible and their truth is what the pages state."""

from __future__ import annotations

import json
from html import unescape
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
            assert page.read_bytes() == committed.read_bytes(), page


def test_every_stated_fact_of_the_truth_is_printed_on_a_page_of_its_site() -> None:
    truth = _truth(CORPUS)
    for domain, site in corpus_site_facts.SITES.items():
        encoding = site.get("encoding", "utf-8")
        text = unescape(" ".join(p.read_text(encoding) for p in (CORPUS / "sites" / domain).rglob("*.html")))
        profile = truth[domain]["profile"]  # type: ignore[index]
        for field in ("founded_year", "employee_count_exact", "legal_name", "company_name"):
            if field in profile:
                assert str(profile[field]) in text, (domain, field)
        if "headquarters" in profile:
            headquarters = profile["headquarters"]
            assert headquarters["street_address"] in text and headquarters["postal_code"] in text, domain


def test_a_site_served_in_gb2312_is_stored_in_gb2312() -> None:
    """The page bytes are the charset its header and meta tag announce, as on the real sites it stands for."""
    for domain, site in corpus_site_facts.SITES.items():
        if site.get("encoding") == "gb2312":
            meta = json.loads((CORPUS / "sites" / domain / "_meta.json").read_text("utf-8"))
            assert "GB2312" in meta["headers"]["Content-Type"]
            for page in (CORPUS / "sites" / domain).rglob("*.html"):
                assert "有限公司" in page.read_bytes().decode("gb2312"), page
