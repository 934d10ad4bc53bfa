"""The one entry point of file exports: a batch's results rendered as a downloadable CSV or Excel file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.domain import BatchResults, ExportFormat
from server.export.csv_file import render_csv
from server.export.table import exported_outcomes
from server.export.xlsx_file import render_xlsx

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.EXCEL: "xlsx"}
CONTENT_TYPES = {ExportFormat.CSV: CSV_CONTENT_TYPE, ExportFormat.EXCEL: XLSX_CONTENT_TYPE}
FILE_FORMATS = frozenset(FILE_EXTENSIONS)
"""The formats ``render_file`` renders; JSON is rendered from the proto by the API layer."""

_UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
_BATCH_PREFIX = "batch_"


@dataclass(frozen=True)
class ExportedFile:
    """A rendered export, ready to be sent as an HTTP body with a Content-Disposition filename."""

    content_type: str
    filename: str
    data: bytes


def export_filename(batch_id: str, fmt: ExportFormat) -> str:
    """``batch_<id>_results.<ext>``, without doubling the ``batch_`` prefix ids already carry.

    Characters outside ``[A-Za-z0-9._-]`` are replaced so the name is safe in a header and on disk.
    """
    stem = _UNSAFE_FILENAME_CHARACTERS.sub("_", batch_id).strip("._") or "unknown"
    if not stem.startswith(_BATCH_PREFIX):
        stem = _BATCH_PREFIX + stem
    return f"{stem}_results.{FILE_EXTENSIONS[fmt]}"


def render_file(
    results: BatchResults, fmt: ExportFormat, include_failed: bool, *, excel_compatible: bool = False
) -> ExportedFile:
    """Render ``results`` as a CSV or Excel file (``excel_compatible``: the CSV's spreadsheet flavour).

    Raises:
        ValueError: ``fmt`` is not a file format (JSON belongs to the API layer).
    """
    if fmt not in FILE_FORMATS:  # also accepts the plain strings "csv" and "excel"
        raise ValueError(f"export format {fmt!r} is not rendered as a file; expected csv or excel")
    fmt = ExportFormat(fmt)
    if fmt is ExportFormat.CSV:
        outcomes = exported_outcomes(results.results, include_failed)
        data = render_csv(outcomes, excel_compatible=excel_compatible)
    else:
        data = render_xlsx(results, include_failed)
    return ExportedFile(
        content_type=CONTENT_TYPES[fmt],
        filename=export_filename(results.batch.batch_id, fmt),
        data=data,
    )
