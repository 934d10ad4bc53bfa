"""Format check for ``make eval``: the register parsers read the recorded register answers in
``../shared/registry-samples`` (real captures and documentation samples others recorded; outside the
repository, so no test needs them). Each file must parse into what its kind promises: a search into
entries (or none, for an empty answer), a record into a registration, a roles answer into people or none.

- ``sec-formd/``: every ``D.*.xml`` must parse as a Form D notice stating its submission type and issuer;
  every other file (Form C and its variants) must be recognised as not Form D (``NotFormDError``), not
  refused as unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.extraction.form_d import FormDError, NotFormDError, parse_form_d
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
    form_d, form_d_passed = check_form_d(root)
    return "\n".join([*lines, *form_d]) + "\n", passed and form_d_passed


FORM_D_DIR = "sec-formd"
FORM_D_PREFIX = "D."


def check_form_d(samples: Path) -> tuple[list[str], bool]:
    """Report lines and whether every sample in ``samples/sec-formd`` was read as its kind requires."""
    folder = samples / FORM_D_DIR
    files = sorted(folder.glob("*.xml")) if folder.is_dir() else []
    if not files:
        return [f"Form D format check: no samples at {folder}, skipped"], True
    lines, ok = [], True
    for path in files:
        text = path.read_text("utf-8", errors="replace")
        expected = "Form D" if path.name.startswith(FORM_D_PREFIX) else "not Form D"
        try:
            notice = parse_form_d(text)
        except NotFormDError as exc:
            verdict = f"recognised as {exc.submission_type}, not Form D"
            right = expected == "not Form D"
        except FormDError as exc:
            verdict, right = f"refused: {exc}", False
        else:
            sold = notice.total_amount_sold
            verdict = (
                f"{notice.submission_type} of {notice.issuer_name!r}: sold {sold}, offered "
                f"{'Indefinite' if notice.offering_indefinite else notice.total_offering_amount}, "
                f"{len(notice.related_persons)} related person(s)"
            )
            right = expected == "Form D" and notice.issuer_name is not None
        ok = ok and right
        lines.append(f"  {'ok ' if right else 'BAD'} {path.name} (expected {expected}): {verdict}")
    passed = sum(line.startswith("  ok") for line in lines)
    return [f"Form D format check: {passed}/{len(files)} samples read as expected ({folder})", *lines], ok
