"""The Excel export: a workbook with "Results", "Failures", "Summary", "Provenance" and "Funding" sheets
(openpyxl; "Funding" has one row per funding round).

Headings are for people ("Employees (range)", "Started at (UTC)"); each heading cell carries the
machine name of its column (the CSV's and JSON's field name) as a cell comment, so a program can still
find a column by name. Cells are typed (numbers are numbers, datetimes are datetimes in UTC, which the
heading says, since Excel cells have no zone) and text from the web is always stored as text: a value
starting with ``=`` never becomes a formula, and characters XML cannot carry are dropped.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from server.domain import BatchResults, CompanyOutcome
from server.export.base import ExportOptions, Renderer
from server.export.funding_sheet import FUNDING_HEADERS, funding_rows
from server.export.provenance_sheet import PROVENANCE_HEADERS, provenance_rows
from server.export.summary import count_values
from server.export.table import (
    COLUMNS,
    FAILURE_COLUMNS,
    Cell,
    Column,
    ColumnKind,
    as_utc,
    exported_outcomes,
    failed_outcomes,
    row_for,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS_SHEET = "Results"
FAILURES_SHEET = "Failures"
SUMMARY_SHEET = "Summary"
PROVENANCE_SHEET = "Provenance"
FUNDING_SHEET = "Funding"

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_CELL_TEXT = 32_767  # Excel's limit on characters in one cell
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60
DATETIME_WIDTH = 20
COLUMN_PADDING = 2
HEADER_FONT = Font(bold=True)
COMMENT_AUTHOR = "company-batch"
UTC_SUFFIX = " (UTC)"
# Headings that the machine name does not already say plainly; the rest read "Founded year" etc.
HEADINGS = {
    "company_name": "Company (as submitted)",
    "extraction_status": "Status",
    "official_name": "Name on its website",
    "employee_count": "Employees (range)",
    "employee_count_exact": "Employees",
    "headquarters_country_code": "Headquarters country code",
    "linkedin_url": "LinkedIn",
    "email": "E-mail",
    "confidence": "Confidence (0-1)",
    "is_public": "Listed",
    "source_urls": "Source URLs",
    "duration_seconds": "Duration (s)",
    "url": "URL",
    "batch_id": "Batch",
    "total_companies": "Companies",
    "successful_extractions": "Succeeded",
    "failed_extractions": "Failed",
    "processing_time_seconds": "Processing time (s)",
}


def render_xlsx(results: BatchResults, include_failed: bool) -> bytes:
    """The workbook of a batch's results.

    ``include_failed=False`` leaves failed companies out of "Results" and omits the "Failures" sheet;
    the "Summary" sheet always reports the batch's counts.
    """
    workbook = Workbook()
    results_sheet = workbook.active
    assert results_sheet is not None  # a fresh Workbook always has one sheet
    results_sheet.title = RESULTS_SHEET
    _write_table(results_sheet, COLUMNS, exported_outcomes(results.results, include_failed))
    if include_failed:
        failures = workbook.create_sheet(FAILURES_SHEET)
        _write_table(failures, FAILURE_COLUMNS, failed_outcomes(results.results))
    _write_summary(workbook.create_sheet(SUMMARY_SHEET), results)
    _write_rows(workbook.create_sheet(PROVENANCE_SHEET), PROVENANCE_HEADERS, provenance_rows(results.results))
    _write_rows(workbook.create_sheet(FUNDING_SHEET), FUNDING_HEADERS, funding_rows(results.results))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def heading(name: str, kind: ColumnKind = ColumnKind.TEXT) -> str:
    """The heading people read for the machine name ``name``."""
    text = HEADINGS.get(name) or name.replace("_", " ").capitalize()
    return text + UTC_SUFFIX if kind is ColumnKind.DATETIME else text


def _append_headings(sheet: Worksheet, names: Sequence[str], kinds: Sequence[ColumnKind]) -> None:
    """A bold heading row; each cell's comment is the machine name (a program's way to the column)."""
    sheet.append([heading(name, kind) for name, kind in zip(names, kinds, strict=True)])
    for cell, name in zip(sheet[sheet.max_row], names, strict=True):
        cell.comment = Comment(name, COMMENT_AUTHOR)
        cell.font = HEADER_FONT


def _write_table(sheet: Worksheet, columns: Sequence[Column], outcomes: Sequence[CompanyOutcome]) -> None:
    _append_headings(sheet, [column.name for column in columns], [column.kind for column in columns])
    for outcome in outcomes:
        _append(sheet, row_for(outcome, columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_widths(sheet)


def _write_rows(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    kinds = [ColumnKind.DATETIME if name.endswith("_at") else ColumnKind.TEXT for name in headers]
    _append_headings(sheet, list(headers), kinds)
    for values in rows:
        _append(sheet, values)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _fit_widths(sheet)


def _append(sheet: Worksheet, values: Sequence[Cell]) -> None:
    sheet.append([_excel_value(value) for value in values])
    for cell, value in zip(sheet[sheet.max_row], values, strict=True):
        if isinstance(value, str):
            # openpyxl turns "=..." into a formula and "#N/A" into an error; web text must stay text.
            cell.data_type = "s"
        elif isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT


def _excel_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if utc is not None else None
    if isinstance(value, str):
        cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", value)
        return cleaned[:MAX_CELL_TEXT]
    return value


def _fit_widths(sheet: Worksheet) -> None:
    for index, column_cells in enumerate(sheet.iter_cols(), start=1):
        longest = 0
        for cell in column_cells:
            if isinstance(cell.value, datetime):
                length = DATETIME_WIDTH
            elif cell.value is None:
                length = 0
            else:
                # Multi-line text is as wide as its longest line.
                length = max(len(line) for line in str(cell.value).splitlines() or [""])
            longest = max(longest, length)
        width = min(MAX_COLUMN_WIDTH, max(MIN_COLUMN_WIDTH, longest + COLUMN_PADDING))
        sheet.column_dimensions[get_column_letter(index)].width = width


def _write_summary(sheet: Worksheet, results: BatchResults) -> None:
    batch = results.batch
    rows: list[tuple[str, Cell]] = [
        ("batch_id", batch.batch_id),
        ("status", str(batch.status)),
        ("total_companies", batch.progress.total_companies),
        ("successful_extractions", batch.progress.completed),
        ("failed_extractions", batch.progress.failed),
        ("processing_time_seconds", batch.processing_time),
        ("created_at", batch.created_at),
        ("completed_at", batch.completed_at),
        ("extraction_mode", str(batch.options.extraction_mode)),
        ("priority", str(batch.options.priority)),
    ]
    _append_headings(sheet, ["batch", "value"], [ColumnKind.TEXT, ColumnKind.TEXT])
    for key, value in rows:
        kind = ColumnKind.DATETIME if key.endswith("_at") else ColumnKind.TEXT
        _append(sheet, (heading(key, kind), value))
        sheet[sheet.max_row][0].comment = Comment(key, COMMENT_AUTHOR)
    successes = [o for o in results.results if o.profile is not None]
    # Industries and sectors are counted apart: a sector ("Technology") groups many industries.
    sections = (
        ("industry", count_values(successes, "industry")),
        ("sector", count_values(successes, "sector")),
        ("company_size", results.summary.company_sizes),
        ("country", results.summary.countries),
    )
    for title, counts in sections:
        sheet.append([])
        _append_headings(sheet, [title, "companies"], [ColumnKind.TEXT, ColumnKind.TEXT])
        for key, count in counts.items():
            _append(sheet, (key, count))
    sheet.freeze_panes = "A2"
    _fit_widths(sheet)


def _render(results: BatchResults, options: ExportOptions) -> bytes:
    return render_xlsx(results, options.include_failed)


RENDERER = Renderer(XLSX_CONTENT_TYPE, "xlsx", _render)
