"""The extractor interface the scheduler drives: one company request in, one profile out."""

from __future__ import annotations

from typing import Protocol

from server.domain import ExtractionRequest, Profile


class Extractor(Protocol):
    """Finds one company on the web and reads its profile.

    ``extract`` returns a profile (see ``server.domain.Profile``) or raises a
    ``server.errors.ExtractionError`` subclass (``CompanyAnalysisError`` when the company cannot be
    found or identified, ``FetchError`` when the web cannot be read). The caller enforces the
    per-company timeout by cancelling the coroutine, so implementations must stay cancellable.
    """

    async def extract(self, request: ExtractionRequest) -> Profile: ...

    async def aclose(self) -> None: ...
