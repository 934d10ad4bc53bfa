"""The corpus's stated offices are reproducible: generator, then ``sandbox.corpus_offices``, gives the
committed home pages and truth."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox import corpus_site_facts
from sandbox.build_corpus import build
from sandbox.corpus_offices import OFFICES, apply, expected_locations

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"


def _home(corpus: Path, domain: str) -> str:
    return (corpus / "sites" / domain / "index.html").read_text("utf-8")


def _locations(corpus: Path) -> dict[str, object]:
    truth = json.loads((corpus / "truth.json").read_text("utf-8"))
    return {c["domain"]: c.get("profile", {}).get("locations") for c in truth["companies"]}


def test_regenerating_and_stating_offices_twice_reproduces_the_committed_corpus(tmp_path: Path) -> None:
    build(tmp_path)
    apply(tmp_path)
    apply(tmp_path)  # idempotent: a second run changes nothing
    corpus_site_facts.apply(tmp_path)  # the last step adds its own sites and their truth
    for domain in OFFICES:
        assert _home(tmp_path, domain) == _home(CORPUS_DIR, domain)
    assert _locations(tmp_path) == _locations(CORPUS_DIR)
    stated = _locations(tmp_path)
    assert all(stated[domain] == expected_locations(offices) for domain, offices in OFFICES.items())
