"""Exports of batch results: the results summary and CSV / Excel files."""

from server.export.render import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ExportedFile,
    export_filename,
    render_file,
)
from server.export.summary import summarize

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "ExportedFile",
    "export_filename",
    "render_file",
    "summarize",
]
