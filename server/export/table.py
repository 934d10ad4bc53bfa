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

from server.domain import CompanyOutcome, CompanyState, ExtractionFailure

Cell = str | int | float | bool | datetime | None

SUCCESS = "success"
FAILED = "failed"
CANCELLED = "cancelled"
"""``extraction_status`` values, as the REST contract spells them (``cancelled``: stopped by the batch's
cancel while it ran, neither a result nor a failure)."""

DURATION_DECIMALS = 3
SOURCE_URL_SEPARATOR = " "
IDENTIFIER_SEPARATOR = "; "  # between the identifiers (and unavailable sources) of one cell


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


def _identifiers(outcome: CompanyOutcome) -> Cell:
    """``no_orgnr: 924603712; lei: 5493...``: every identifier of the profile, in its order."""
    identifiers = _profile_path("identifiers")(outcome)
    if not isinstance(identifiers, dict):
        return None
    parts = [f"{key}: {value}" for key, value in identifiers.items() if isinstance(value, str) and value]
    return IDENTIFIER_SEPARATOR.join(parts) or None


def funding_rounds_of(outcome: CompanyOutcome) -> list[dict[str, Any]]:
    """The profile's funding rounds (``financial_data.funding_rounds``), the well-formed ones."""
    rounds = _profile_path("financial_data", "funding_rounds")(outcome)
    return [item for item in rounds if isinstance(item, dict)] if isinstance(rounds, list) else []


def _round_count(outcome: CompanyOutcome) -> Cell:
    return len(funding_rounds_of(outcome)) if outcome.profile is not None else None


def _latest_round(key: str) -> Callable[[CompanyOutcome], Cell]:
    def read(outcome: CompanyOutcome) -> Cell:
        dated = [item for item in funding_rounds_of(outcome) if isinstance(item.get("date"), str)]
        value = max(dated, key=lambda item: str(item["date"])).get(key) if dated else None
        return value if isinstance(value, str) and value else None

    return read


def _figure_amount(kind: str) -> Callable[[CompanyOutcome], Cell]:
    """The amount of the profile's money figure of ``kind`` (the number behind its display string)."""

    def read(outcome: CompanyOutcome) -> Cell:
        figures = _profile_path("financial_data", "figures")(outcome)
        for figure in figures if isinstance(figures, list) else []:
            if not isinstance(figure, dict) or figure.get("kind") != kind:
                continue
            amount = figure.get("amount")
            return float(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) else None
        return None

    return read


def _figure_part(kind: str, part: str) -> Callable[[CompanyOutcome], Cell]:
    def read(outcome: CompanyOutcome) -> Cell:
        figures = _profile_path("financial_data", "figures")(outcome)
        for figure in figures if isinstance(figures, list) else []:
            if isinstance(figure, dict) and figure.get("kind") == kind:
                value = figure.get(part)
                return value if isinstance(value, str) and value else None
        return None

    return read


def _currency_of(kind: str) -> Callable[[CompanyOutcome], Cell]:
    return _figure_part(kind, "currency")


def _period_of(kind: str) -> Callable[[CompanyOutcome], Cell]:
    return _figure_part(kind, "period")


def extraction_status(outcome: CompanyOutcome) -> str:
    """``success``, ``failed``, or ``cancelled`` for a company its batch's cancel stopped."""
    if outcome.state is CompanyState.CANCELLED:
        return CANCELLED
    return SUCCESS if outcome.state is CompanyState.SUCCESS and outcome.profile is not None else FAILED


def _failure(outcome: CompanyOutcome) -> ExtractionFailure | None:
    """The company's own failure (a cancelled company has none)."""
    return outcome.error if outcome.state is CompanyState.FAILED else None


def _error_type(outcome: CompanyOutcome) -> Cell:
    failure = _failure(outcome)
    return str(failure.type) if failure is not None else None


def _error_message(outcome: CompanyOutcome) -> Cell:
    failure = _failure(outcome)
    return failure.message or None if failure is not None else None


def _error_details(outcome: CompanyOutcome) -> Cell:
    failure = _failure(outcome)
    return failure.details or None if failure is not None else None


def _retryable(outcome: CompanyOutcome) -> Cell:
    failure = _failure(outcome)
    return failure.retryable if failure is not None else None


def _sources_not_answering(outcome: CompanyOutcome) -> Cell:
    """The sources that did not answer: a failure's, or those a profile was found without."""
    failure = _failure(outcome)
    if failure is not None:
        names = [f"{s.source} ({s.outcome.value})" for s in failure.sources if not s.outcome.answered]
    else:
        listed = (outcome.profile or {}).get("sources_unavailable") or []
        names = [str(name) for name in listed if isinstance(name, str)]
    return ", ".join(names) or None


def _extracted_at(outcome: CompanyOutcome) -> Cell:
    stated = (outcome.profile or {}).get("extracted_at")
    if isinstance(stated, str):
        try:
            return as_utc(datetime.fromisoformat(stated.replace("Z", "+00:00")))
        except ValueError:
            return None
    return as_utc(outcome.finished_at) if outcome.state is not CompanyState.CANCELLED else None


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
    Column("identifiers", ColumnKind.TEXT, _identifiers),
    Column("register", ColumnKind.TEXT, _text("registration", "register")),
    Column("registration_number", ColumnKind.TEXT, _text("registration", "number")),
    Column("legal_form", ColumnKind.TEXT, _text("registration", "legal_form")),
    Column("registration_status", ColumnKind.TEXT, _text("registration", "status")),
    Column("funding_raised_amount", ColumnKind.DECIMAL, _figure_amount("funding_raised")),
    Column("funding_raised_currency", ColumnKind.TEXT, _currency_of("funding_raised")),
    Column("funding_rounds", ColumnKind.INTEGER, _round_count),
    Column("last_funding_date", ColumnKind.TEXT, _latest_round("date")),
    Column("last_funding_amount", ColumnKind.TEXT, _latest_round("display")),
    Column("valuation_amount", ColumnKind.DECIMAL, _figure_amount("valuation")),
    Column("valuation_currency", ColumnKind.TEXT, _currency_of("valuation")),
    Column("valuation_date", ColumnKind.TEXT, _period_of("valuation")),
    Column("net_income", ColumnKind.TEXT, _text("financial_data", "net_income")),
    Column("total_assets", ColumnKind.DECIMAL, _figure_amount("total_assets")),
    Column("retryable", ColumnKind.BOOLEAN, _retryable),
    Column("sources_unavailable", ColumnKind.TEXT, _sources_not_answering),
    Column("extracted_at", ColumnKind.DATETIME, _extracted_at),
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
    "retryable",
    "sources_unavailable",
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
