"""What an export format is: a renderer of a batch's results to bytes, with its content type and extension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.domain import BatchResults

ResultsDocument = Callable[[BatchResults], dict[str, Any]]
"""The results in their wire shape (the REST ``data`` object), as the API layer's one converter makes it."""


@dataclass(frozen=True)
class ExportOptions:
    """How one export was asked for."""

    include_failed: bool
    excel_compatible: bool = False  # the CSV's spreadsheet flavour
    # The wire shape of the results; only the API layer can make it (it owns the generated code), so an
    # export below it that needs it (JSON) is handed it. None: no wire shape at hand.
    document: ResultsDocument | None = None


@dataclass(frozen=True)
class Renderer:
    """One export format: how its bytes are made and how they are sent."""

    content_type: str
    extension: str
    render: Callable[[BatchResults, ExportOptions], bytes]
