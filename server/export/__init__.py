"""Exports of batch results: the results summary and the registered file formats (JSON, CSV, Excel)."""

from server.export.base import ExportOptions, Renderer
from server.export.csv_file import CSV_CONTENT_TYPE
from server.export.json_file import JSON_CONTENT_TYPE
from server.export.render import RENDERERS, ExportedFile, export_filename, render_file, renderer_for
from server.export.summary import summarize
from server.export.xlsx_file import XLSX_CONTENT_TYPE

__all__ = [
    "CSV_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "RENDERERS",
    "XLSX_CONTENT_TYPE",
    "ExportOptions",
    "ExportedFile",
    "Renderer",
    "export_filename",
    "render_file",
    "renderer_for",
    "summarize",
]
