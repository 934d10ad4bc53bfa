"""The JSON export: the results document exactly as the REST results call returns it, indented."""

from __future__ import annotations

import json

from server.domain import BatchResults
from server.export.base import ExportOptions, Renderer

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _render(results: BatchResults, options: ExportOptions) -> bytes:
    if options.document is None:
        raise ValueError("the json export writes the results' wire shape, which the API layer hands in")
    return json.dumps(options.document(results), ensure_ascii=False, indent=2).encode()


RENDERER = Renderer(JSON_CONTENT_TYPE, "json", _render)
