"""The "Funding" table of the Excel export: one row per funding round of every successful profile.

The Results sheet holds a company's total (``funding_raised``) and its round count; a reader comparing
offerings needs each round's date, amounts and the filing it was read from.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.domain import CompanyOutcome, CompanyState
from server.export.table import Cell, funding_rounds_of

FUNDING_HEADERS = (
    "company_name",
    "date",
    "amount_sold",
    "amount_sold_display",
    "offering_total",
    "offering_total_indefinite",
    "currency",
    "form",
    "filing_date",
    "accession_number",
    "industry_group",
    "filing_url",
)


def _number(value: Any) -> Cell:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def funding_rows(outcomes: Iterable[CompanyOutcome]) -> list[tuple[Cell, ...]]:
    """One typed row per funding round, companies in their given order, rounds as the profile lists them."""
    rows: list[tuple[Cell, ...]] = []
    for outcome in outcomes:
        if outcome.state is not CompanyState.SUCCESS:
            continue
        for item in funding_rounds_of(outcome):
            rows.append(
                (
                    outcome.company_name,
                    item.get("date"),
                    _number(item.get("amount_sold")),
                    item.get("display"),
                    _number(item.get("offering_total")),
                    bool(item.get("offering_total_indefinite", False)),
                    item.get("currency"),
                    item.get("form"),
                    item.get("filing_date"),
                    item.get("accession_number"),
                    item.get("industry_group"),
                    item.get("filing_url"),
                )
            )
    return rows
