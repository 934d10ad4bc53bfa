"""The flat, typed table every file export shares: one row per company, columns in a stable order.

A row holds Python values typed by its column (``str``, ``int``, ``float``, ``bool``, ``datetime`` in
UTC, or ``None`` for "not found"); each writer decides how to spell them. Nested profile data is
flattened: the first phone and e-mail only, headquarters spread over four columns, the display
strings of the financial data, and the distinct source URLs of the profile's provenance.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.domain import CompanyOutcome, CompanyState, ErrorType

Cell = str | int | float | bool | datetime | None

SUCCESS = "success"
FAILED = "failed"
"""``extraction_status`` values, as the REST contract spells them."""

DURATION_DECIMALS = 3
SOURCE_URL_SEPARATOR = " "


class ColumnKind(enum.Enum):
    """The Python type of a column's non-empty values."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    """One exported column: its header, value type and how to read it from an outcome."""

    name: str
    kind: ColumnKind
    read: Callable[[CompanyOutcome], Cell]


def _profile_path(*path: str) -> Callable[[CompanyOutcome], Any]:
    def read(outcome: CompanyOutcome) -> Any:
        value: Any = outcome.profile
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return read


def _text(*path: str) -> Callable[[CompanyOutcome], Cell]:
    reader = _profile_path(*path)

    def read(outcome: CompanyOutcome) -> Cell:
        value = reader(outcome)
        return value if isinstance(value, str) and value != "" else None

    return read


def _integer(*path: str) -> Callable[[CompanyOutcome], Cell]:
    reader = _profile_path(*path)

    def read(outcome: CompanyOutcome) -> Cell:
        value = reader(outcome)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return read


def _boolean(*path: str) -> Callable[[CompanyOutcome], Cell]:
    reader = _profile_path(*path)

    def read(outcome: CompanyOutcome) -> Cell:
        value = reader(outcome)
        return value if isinstance(value, bool) else None

    return read


def _confidence(outcome: CompanyOutcome) -> Cell:
    value = _profile_path("confidence")(outcome)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _first_of(list_key: str, item_key: str) -> Callable[[CompanyOutcome], Cell]:
    reader = _profile_path("contacts", list_key)

    def read(outcome: CompanyOutcome) -> Cell:
        items = reader(outcome)
        if not isinstance(items, list):
            return None
        for item in items:
            value = item.get(item_key) if isinstance(item, dict) else None
            if isinstance(value, str) and value:
                return value
        return None

    return read


def _source_urls(outcome: CompanyOutcome) -> Cell:
    provenance = _profile_path("provenance")(outcome)
    if not isinstance(provenance, dict):
        return None
    urls: dict[str, None] = {}  # a dict keeps first-seen order while removing duplicates
    for entry in provenance.values():
        url = entry.get("url") if isinstance(entry, dict) else None
        if isinstance(url, str) and url:
            urls[url] = None
    return SOURCE_URL_SEPARATOR.join(urls) or None


def extraction_status(outcome: CompanyOutcome) -> str:
    """``success`` or ``failed``; a company stopped by a cancel counts as failed, as in the contract."""
    return SUCCESS if outcome.state is CompanyState.SUCCESS and outcome.profile is not None else FAILED


def _error_type(outcome: CompanyOutcome) -> Cell:
    if outcome.error is not None:
        return str(outcome.error.type)
    if outcome.state is CompanyState.CANCELLED:
        return str(ErrorType.CANCELLED)
    return None


def _error_message(outcome: CompanyOutcome) -> Cell:
    return outcome.error.message or None if outcome.error is not None else None


def _error_details(outcome: CompanyOutcome) -> Cell:
    return outcome.error.details or None if outcome.error is not None else None


def as_utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; naive datetimes are taken to be UTC already (the service stores UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _duration(outcome: CompanyOutcome) -> Cell:
    if outcome.started_at is None or outcome.finished_at is None:
        return None
    return round(outcome.duration_seconds, DURATION_DECIMALS)


COLUMNS: tuple[Column, ...] = (
    Column("company_name", ColumnKind.TEXT, lambda o: o.company_name),
    Column("extraction_status", ColumnKind.TEXT, extraction_status),
    Column("domain", ColumnKind.TEXT, _text("domain")),
    Column("website", ColumnKind.TEXT, _text("website")),
    Column("official_name", ColumnKind.TEXT, _text("company_name")),
    Column("legal_name", ColumnKind.TEXT, _text("legal_name")),
    Column("industry", ColumnKind.TEXT, _text("industry")),
    Column("sector", ColumnKind.TEXT, _text("sector")),
    Column("employee_count", ColumnKind.TEXT, _text("employee_count")),
    Column("employee_count_exact", ColumnKind.INTEGER, _integer("employee_count_exact")),
    Column("headquarters_city", ColumnKind.TEXT, _text("headquarters", "city")),
    Column("headquarters_state", ColumnKind.TEXT, _text("headquarters", "state")),
    Column("headquarters_country", ColumnKind.TEXT, _text("headquarters", "country")),
    Column("headquarters_country_code", ColumnKind.TEXT, _text("headquarters", "country_code")),
    Column("founded_year", ColumnKind.INTEGER, _integer("founded_year")),
    Column("linkedin_url", ColumnKind.TEXT, _text("linkedin_url")),
    Column("phone", ColumnKind.TEXT, _first_of("phones", "number")),
    Column("email", ColumnKind.TEXT, _first_of("emails", "address")),
    Column("description", ColumnKind.TEXT, _text("description")),
    Column("confidence", ColumnKind.DECIMAL, _confidence),
    Column("valuation", ColumnKind.TEXT, _text("financial_data", "valuation")),
    Column("funding_raised", ColumnKind.TEXT, _text("financial_data", "funding_raised")),
    Column("revenue", ColumnKind.TEXT, _text("financial_data", "revenue")),
    Column("market_cap", ColumnKind.TEXT, _text("financial_data", "market_cap")),
    Column("is_public", ColumnKind.BOOLEAN, _boolean("financial_data", "is_public")),
    Column("ticker", ColumnKind.TEXT, _text("financial_data", "ticker")),
    Column("exchange", ColumnKind.TEXT, _text("financial_data", "exchange")),
    Column("source_urls", ColumnKind.TEXT, _source_urls),
    Column("error_type", ColumnKind.TEXT, _error_type),
    Column("error_message", ColumnKind.TEXT, _error_message),
    Column("error_details", ColumnKind.TEXT, _error_details),
    Column("started_at", ColumnKind.DATETIME, lambda o: as_utc(o.started_at)),
    Column("finished_at", ColumnKind.DATETIME, lambda o: as_utc(o.finished_at)),
    Column("duration_seconds", ColumnKind.DECIMAL, _duration),
    Column("from_cache", ColumnKind.BOOLEAN, lambda o: o.from_cache),
    Column("attempts", ColumnKind.INTEGER, lambda o: o.attempts or None),
)
"""Every export's columns, in order. Append new columns at the end so consumers' indexes hold."""

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)

FAILURE_COLUMN_NAMES: tuple[str, ...] = (
    "company_name",
    "error_type",
    "error_message",
    "error_details",
    "started_at",
    "finished_at",
    "duration_seconds",
)
"""The columns of the failures listing (a subset of ``COLUMNS``, same order)."""

FAILURE_COLUMNS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.name in FAILURE_COLUMN_NAMES)


def row_for(outcome: CompanyOutcome, columns: Sequence[Column] = COLUMNS) -> tuple[Cell, ...]:
    """One company's typed values, in ``columns`` order."""
    return tuple(column.read(outcome) for column in columns)


def exported_outcomes(outcomes: Iterable[CompanyOutcome], include_failed: bool) -> list[CompanyOutcome]:
    """The outcomes a file lists, in their given (submit) order."""
    return [o for o in outcomes if include_failed or extraction_status(o) == SUCCESS]


def failed_outcomes(outcomes: Iterable[CompanyOutcome]) -> list[CompanyOutcome]:
    """The outcomes without a profile, in their given order."""
    return [o for o in outcomes if extraction_status(o) == FAILED]
