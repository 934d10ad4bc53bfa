"""The CSV export: RFC 4180 (header row, CRLF line ends, minimal quoting), UTF-8 without a BOM.

Values are written faithfully, except that no cell can become a spreadsheet formula (names and pages
are attacker-controlled: ``=HYPERLINK(...)`` as a company name). As OWASP recommends for CSV injection,
a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote,
which spreadsheets hide and which makes them read the cell as text. The one exception is a cell that is
a plain number (``-12.5``, ``1e3``, an E.164 phone such as ``+4930123456``): spreadsheets read those as
numbers, never as formulas, so they stay as they are and remain usable. A phone written with spaces or
dashes (``+49 30 1234``) is not a plain number and gets the quote; it still displays as written. The
Excel export, whose cells are never formulas, needs none of this.

The ``excel_compatible`` flavour is for opening in a spreadsheet: a UTF-8 byte order mark (so Excel
reads the file as UTF-8), and plain numbers that a spreadsheet would change written as text formulas
(``="+4930123456"``): a leading ``+`` or ``0`` (E.164 phones, postal codes, CIKs) or more digits than a
spreadsheet keeps exactly (15). Only values the exporter itself has checked to be plain numbers are
written that way, so no page text becomes a formula.

Empty fields mean "not found"; datetimes are RFC 3339 in UTC (``2024-01-15T10:30:00Z``); booleans are
``true``/``false``; decimals use ``.`` and Python's shortest round-tripping spelling.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from server.domain import BatchResults, CompanyOutcome
from server.export.base import ExportOptions, Renderer
from server.export.table import COLUMNS, Cell, Column, exported_outcomes, row_for

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

CSV_ENCODING = "utf-8"
CSV_LINE_TERMINATOR = "\r\n"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet evaluate a cell (OWASP, "CSV Injection")."""
FORMULA_GUARD = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DIGITS_ONLY = re.compile(r"\+?\d+")
SPREADSHEET_DIGITS = 15  # digits a spreadsheet number keeps exactly
UTF8_BOM = "\ufeff"


def neutralise_formula(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates (see the module docstring)."""
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return FORMULA_GUARD + text
    return text


def spreadsheet_text(text: str) -> str:
    """``text`` kept as text by a spreadsheet when it would otherwise be read as a changed number."""
    if _DIGITS_ONLY.fullmatch(text) and (
        text.startswith("+") or (text.startswith("0") and len(text) > 1) or len(text) > SPREADSHEET_DIGITS
    ):
        return f'="{text}"'  # digits and "+" only: nothing for a formula to do but show the text
    return neutralise_formula(text)


def format_cell(value: Cell) -> str:
    """The CSV spelling of one typed value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def render_csv(
    outcomes: Iterable[CompanyOutcome], columns: Sequence[Column] = COLUMNS, *, excel_compatible: bool = False
) -> bytes:
    """A header row, then one row per outcome, encoded as UTF-8, no cell a formula of the page's."""
    buffer = io.StringIO(newline="")
    if excel_compatible:
        buffer.write(UTF8_BOM)
    writer = csv.writer(buffer, lineterminator=CSV_LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(column.name for column in columns)
    guard = spreadsheet_text if excel_compatible else neutralise_formula
    for outcome in outcomes:
        writer.writerow(guard(format_cell(value)) for value in row_for(outcome, columns))
    return buffer.getvalue().encode(CSV_ENCODING)


def _render(results: BatchResults, options: ExportOptions) -> bytes:
    outcomes = exported_outcomes(results.results, options.include_failed)
    return render_csv(outcomes, excel_compatible=options.excel_compatible)


RENDERER = Renderer(CSV_CONTENT_TYPE, "csv", _render)
