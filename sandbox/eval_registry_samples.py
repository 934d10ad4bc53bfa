"""Format check for ``make eval``: the register parsers read the recorded register answers in
``../shared/registry-samples`` (real captures and documentation samples others recorded; outside the
repository, so no test needs them). Each file must parse into what its kind promises: a search into
entries (or none, for an empty answer), a record into a registration, a roles answer into people or none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.extraction.sources import brreg, companies_house, registers

NOW = datetime.now(UTC)


def _brreg_record(document: Any) -> str:
    match = registers.RegisterMatch(brreg.entry_of(document, "record"), 1.0)
    registration = next(
        f.value for f in brreg.findings_from_entity(match, "sample", NOW) if f.field == "registration"
    )
    return f"registration {registration['number']} {registration['status']}"


def _brreg_search(document: Any) -> str:
    entries = brreg.search_entries(document)
    for entry in entries:
        _brreg_record(entry.record)
    total = (document.get("page") or {}).get("totalElements")
    if not entries and total:
        raise ValueError(f"no entries read, the answer says {total}")
    return f"{len(entries)} entries"


def _brreg_roles(document: Any) -> str:
    groups = document.get("rollegrupper")
    if not isinstance(groups, list) or not groups:
        raise ValueError("no rollegrupper")
    return f"{len(brreg.findings_from_roles(document, 'sample', NOW))} people"


def _ch_search(document: Any) -> str:
    entries = companies_house.search_entries(document)
    if len(entries) != len(document.get("items") or []):
        raise ValueError(f"{len(entries)} of {len(document.get('items') or [])} items read")
    return f"{len(entries)} entries"


# File name prefix -> parser. Under-entity (underenheter) files are branches, which no source reads.
CHECKS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "enheter-details": ("brreg", _brreg_record),
    "enheter-search": ("brreg", _brreg_search),
    "enheter-roller": ("brreg", _brreg_roles),
    "search-companies": ("companies-house", _ch_search),
}


def check_registry_samples(root: Path) -> tuple[str, bool]:
    """A report of every recorded register answer the parsers read, and whether all passed."""
    if not root.is_dir():
        return f"registry samples not found at {root}, register format check skipped\n", True
    lines, passed = [f"register format check over {root}:"], True
    for prefix, (folder, check) in CHECKS.items():
        for path in sorted((root / folder).glob(f"{prefix}*.json")):
            try:
                verdict = f"ok   {path.relative_to(root)}: {check(json.loads(path.read_text('utf-8')))}"
            except (ValueError, KeyError, TypeError, AttributeError, StopIteration) as exc:
                verdict, passed = f"FAIL {path.relative_to(root)}: {type(exc).__name__}: {exc}", False
            lines.append(f"  {verdict}")
    return "\n".join(lines) + "\n", passed
