"""The one entry point of exports: the registry of formats, and a batch's results rendered as a file.

Adding a format is one module exposing a ``Renderer`` (``server.export.base``) and one line in
``RENDERERS``; the servicer looks formats up here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.domain import BatchResults, ExportFormat
from server.export import csv_file, json_file, xlsx_file
from server.export.base import ExportOptions, Renderer, ResultsDocument

RENDERERS: dict[str, Renderer] = {
    ExportFormat.JSON: json_file.RENDERER,
    ExportFormat.CSV: csv_file.RENDERER,
    ExportFormat.EXCEL: xlsx_file.RENDERER,
}
"""Every export format by its name (``ExportFormat`` values, which are plain strings)."""

_UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
_BATCH_PREFIX = "batch_"


@dataclass(frozen=True)
class ExportedFile:
    """A rendered export, ready to be sent as an HTTP body with a Content-Disposition filename."""

    content_type: str
    filename: str
    data: bytes


def renderer_for(fmt: str) -> Renderer:
    """The registered renderer of ``fmt``.

    Raises:
        ValueError: no format of that name is registered.
    """
    try:
        return RENDERERS[fmt]
    except KeyError:
        expected = ", ".join(sorted(RENDERERS))
        raise ValueError(f"unknown export format {fmt!r}; expected one of {expected}") from None


def export_filename(batch_id: str, fmt: str) -> str:
    """``batch_<id>_results.<ext>``, without doubling the ``batch_`` prefix ids already carry.

    Characters outside ``[A-Za-z0-9._-]`` are replaced so the name is safe in a header and on disk.
    """
    stem = _UNSAFE_FILENAME_CHARACTERS.sub("_", batch_id).strip("._") or "unknown"
    if not stem.startswith(_BATCH_PREFIX):
        stem = _BATCH_PREFIX + stem
    return f"{stem}_results.{renderer_for(fmt).extension}"


def render_file(
    results: BatchResults,
    fmt: str,
    include_failed: bool,
    *,
    excel_compatible: bool = False,
    document: ResultsDocument | None = None,
) -> ExportedFile:
    """Render ``results`` in the registered format ``fmt``.

    Args:
        excel_compatible: the CSV's spreadsheet flavour.
        document: the results' wire shape (the API layer's conversion), which the JSON export writes.

    Raises:
        ValueError: ``fmt`` is not registered, or is JSON without ``document``.
    """
    renderer = renderer_for(fmt)
    options = ExportOptions(include_failed, excel_compatible=excel_compatible, document=document)
    return ExportedFile(
        content_type=renderer.content_type,
        filename=export_filename(results.batch.batch_id, fmt),
        data=renderer.render(results, options),
    )
