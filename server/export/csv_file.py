"""The CSV export: RFC 4180 (header row, CRLF line ends, minimal quoting), UTF-8 without a BOM.

Values are written faithfully, except that no cell can become a spreadsheet formula (names and pages
are attacker-controlled: ``=HYPERLINK(...)`` as a company name). As OWASP recommends for CSV injection,
a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote,
which spreadsheets hide and which makes them read the cell as text. The one exception is a cell that is
a plain number (``-12.5``, ``1e3``, an E.164 phone such as ``+4930123456``): spreadsheets read those as
numbers, never as formulas, so they stay as they are and remain usable. A phone written with spaces or
dashes (``+49 30 1234``) is not a plain number and gets the quote; it still displays as written. The
Excel export, whose cells are never formulas, needs none of this.

Empty fields mean "not found"; datetimes are RFC 3339 in UTC (``2024-01-15T10:30:00Z``); booleans are
``true``/``false``; decimals use ``.`` and Python's shortest round-tripping spelling.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from server.domain import CompanyOutcome
from server.export.table import COLUMNS, Cell, Column, row_for

CSV_ENCODING = "utf-8"
CSV_LINE_TERMINATOR = "\r\n"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell (OWASP, "CSV Injection")."""
FORMULA_GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates (see the module docstring)."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return FORMULA_GUARD + text
    return text


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
    """A header row, then one row per outcome, encoded as UTF-8, no cell a formula."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=CSV_LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(column.name for column in columns)
    for outcome in outcomes:
        writer.writerow(neutralise_formula(format_cell(value)) for value in row_for(outcome, columns))
    return buffer.getvalue().encode(CSV_ENCODING)
