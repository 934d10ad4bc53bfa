"""The CSV export: RFC 4180 (header row, CRLF line ends, minimal quoting), UTF-8 without a BOM.

Values are written faithfully, not "spreadsheet-escaped": a phone number keeps its leading ``+``.
People who open exports in a spreadsheet should use the Excel export, whose cells are never formulas.
Empty fields mean "not found"; datetimes are RFC 3339 in UTC (``2024-01-15T10:30:00Z``); booleans
are ``true``/``false``; decimals use ``.`` and Python's shortest round-tripping spelling.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from server.domain import CompanyOutcome
from server.export.table import COLUMNS, Cell, Column, row_for

CSV_ENCODING = "utf-8"
CSV_LINE_TERMINATOR = "\r\n"


def format_cell(value: Cell) -> str:
    """The CSV spelling of one typed value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def render_csv(outcomes: Iterable[CompanyOutcome], columns: Sequence[Column] = COLUMNS) -> bytes:
    """A header row, then one row per outcome, encoded as UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=CSV_LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(column.name for column in columns)
    for outcome in outcomes:
        writer.writerow(format_cell(value) for value in row_for(outcome, columns))
    return buffer.getvalue().encode(CSV_ENCODING)
