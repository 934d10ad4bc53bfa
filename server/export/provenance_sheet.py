"""The "Provenance" table of the Excel export: one row per value of every successful profile, saying
where it came from, how it was read, how sure we are and the evidence it was read from.

The Results sheet is one row per company and can only list source URLs; a reader checking a value
needs its own source, method, confidence and the quote (or knowledge-record path) beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from server.domain import CompanyOutcome, CompanyState
from server.export.table import Cell

ITEM_PATH_RE = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")
PROVENANCE_HEADERS = (
    "company_name",
    "field",
    "value",
    "source",
    "url",
    "method",
    "confidence",
    "evidence",
    "retrieved_at",
)


def field_value(profile: dict[str, Any], path: str) -> Cell:
    """The profile's value at a provenance path (``headquarters``, ``social_profiles.linkedin``,
    ``contacts.phones[1]``) as one cell: text and numbers as they are, lists and objects as compact JSON."""
    value: Any = profile
    for key, index in ITEM_PATH_RE.findall(path):  # "contacts.phones[1]": contacts, phones, item 1
        value = value.get(key) if isinstance(value, dict) else None
        if index:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _retrieved_at(raw: Any) -> Cell:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return raw


def provenance_rows(outcomes: Iterable[CompanyOutcome]) -> list[Sequence[Cell]]:
    """Rows of ``PROVENANCE_HEADERS`` for the successful outcomes, fields in profile order."""
    rows: list[Sequence[Cell]] = []
    for outcome in outcomes:
        profile = outcome.profile
        if outcome.state is not CompanyState.SUCCESS or not isinstance(profile, dict):
            continue
        provenance = profile.get("provenance")
        if not isinstance(provenance, dict):
            continue
        for path, entry in provenance.items():
            if not isinstance(entry, dict):
                continue
            confidence = entry.get("confidence")
            rows.append(
                (
                    outcome.company_name,
                    path,
                    field_value(profile, path),
                    entry.get("source"),
                    entry.get("url"),
                    entry.get("method"),
                    float(confidence) if isinstance(confidence, int | float) else None,
                    entry.get("evidence"),
                    _retrieved_at(entry.get("retrieved_at")),
                )
            )
    return rows
