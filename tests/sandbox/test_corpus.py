"""The committed corpus: realistic page sizes, every case the issue lists, knowledge hosts under TLS."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from sandbox.build_corpus import COMPANIES
from sandbox.web import SandboxWeb

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
TRUTH = json.loads((CORPUS / "truth.json").read_text("utf-8"))
KNOWLEDGE_HOSTS = (
    "www.wikidata.org",
    "en.wikipedia.org",
    "www.sec.gov",
    "data.sec.gov",
    "api.gleif.org",
    "html.duckduckgo.com",
)
MIN_TYPICAL_PAGE_BYTES, MAX_TYPICAL_PAGE_BYTES = 30_000, 120_000


def test_company_pages_have_realistic_sizes() -> None:
    sizes = [
        page.stat().st_size
        for facts in COMPANIES
        for page in (CORPUS / "sites" / facts["domain"]).rglob("index.html")
    ]
    assert MIN_TYPICAL_PAGE_BYTES <= statistics.median(sizes) <= MAX_TYPICAL_PAGE_BYTES
    assert sum(MIN_TYPICAL_PAGE_BYTES <= size <= MAX_TYPICAL_PAGE_BYTES for size in sizes) >= 0.9 * len(sizes)


def test_pages_carry_the_noise_of_real_sites() -> None:
    home = (CORPUS / "sites" / "acme-robotics.example" / "index.html").read_text("utf-8")
    markers = [
        'class="mega-menu"',
        'role="dialog"',
        "googletagmanager",
        "<svg",
        'class="offcanvas"',
        'class="testimonials"',
        'class="news"',
        "pixel.tracking.example",
        'class="footer-mega"',
    ]
    for marker in markers:
        assert marker in home, marker


def test_truth_exercises_every_hard_case_of_the_issue() -> None:
    cases = {case for company in TRUTH["companies"] for case in company["hard_case"] or []}
    assert {"impressum", "obfuscated_emails", "shell", "robots_disallow", "about_moved", "search_only",
            "wikidata_only", "old_domain", "status", "failure", "latency_seconds"} <= cases  # fmt: skip
    names = [(company["name"], company["country"]) for company in TRUTH["companies"]]
    assert ("Meridian Foods", "US") in names and ("Meridian Foods", "GB") in names
    assert any("cik" in c.get("profile", {}).get("identifiers", {}) for c in TRUTH["companies"])
    assert {c["language"] for c in TRUTH["companies"]} >= {"en", "de", "fr"}
    assert TRUTH["parked_domains"] and TRUTH["unknown_companies"]


async def test_knowledge_services_answer_under_their_real_hostnames_over_tls(sandbox_web: SandboxWeb) -> None:
    assert set(KNOWLEDGE_HOSTS) <= set(sandbox_web.hostnames)


def test_every_recorded_route_points_at_a_body_that_exists() -> None:
    for host in KNOWLEDGE_HOSTS:
        meta = json.loads((CORPUS / "sites" / host / "_meta.json").read_text("utf-8"))
        for route in meta["routes"]:
            assert (CORPUS / "sites" / host / route["body_file"]).is_file(), (host, route)
