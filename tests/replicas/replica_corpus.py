"""The sandbox corpus companies the replica tests submit, with the domain hints the demo batch carries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[2] / "sandbox" / "corpus"
_TRUTH: dict[str, Any] = json.loads((CORPUS / "truth.json").read_text())
_HINTS: dict[str, str] = json.loads((CORPUS / "demo_batch.json").read_text()).get("domain_hints", {})


def corpus_batch(count: int) -> tuple[list[str], dict[str, str]]:
    """``count`` corpus company names and the domain hints that apply to them."""
    names = [company["name"] for company in _TRUTH["companies"][:count]]
    return names, {name: domain for name, domain in _HINTS.items() if name in names}
