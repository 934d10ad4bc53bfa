"""The extractor interface the scheduler drives: one company request in, one profile out."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Protocol, runtime_checkable

from server.domain import ExtractionRequest, Profile

RESOLVING: ContextVar[bool] = ContextVar("resolving", default=False)
"""True while a company's domain is being resolved (set by the extractor): the rest of its extraction
waits on those requests, so a shared host's queue may serve them before others."""


class Extractor(Protocol):
    """Finds one company on the web and reads its profile.

    ``extract`` returns a profile (see ``server.domain.Profile``) or raises a
    ``server.errors.ExtractionError`` subclass (``CompanyAnalysisError`` when the company cannot be
    found or identified, ``FetchError`` when the web cannot be read). The caller enforces the
    per-company timeout by cancelling the coroutine, so implementations must stay cancellable.
    """

    async def extract(self, request: ExtractionRequest) -> Profile: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class LookaheadExtractor(Extractor, Protocol):
    """An extractor that can read ahead for the companies it is about to be asked for (optional: the
    scheduler tells only the extractors that have ``upcoming``).

    ``upcoming`` is told, in the order they will (or did) start, the companies running now and the
    next ones queued; each call replaces the last, so a company left out (its batch cancelled or
    paused, another batch gone ahead of it) is read ahead for no longer. Reading ahead may only use
    a shared host's idle time: it never goes before a request a running company waits for, and
    whatever it fetched is what the company's own request would have fetched. It must not block.
    """

    def upcoming(self, requests: Sequence[ExtractionRequest]) -> None: ...
