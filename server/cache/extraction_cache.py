"""Remembering extraction answers: keyed by the question, stored in the batch database, with a TTL.

Two requests are the same question when their normalized name (case, Unicode form and spacing folded,
as duplicate names are in ``server.api.validation.normalized_name``), mode, country, language and domain
hint agree. The table lives in the store, so every replica on one database shares it.

What is remembered:

- a profile, for ``ttl_seconds``;
- "company not found" (``CompanyAnalysisError``) for the shorter ``not_found_ttl_seconds``: that answer
  is the most expensive one to reach (every domain candidate is tried) and is stable over hours, but a
  new company may appear on the web, so it is not kept as long as a profile (0 disables it);
- never timeouts, fetch errors or internal errors: they say more about the moment than the company.

The cache is an optimisation: if the store cannot be read or written, extraction simply goes ahead.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from server.domain import CompanyOutcome, CompanyState, ErrorType, ExtractionRequest
from server.errors import ServiceUnavailable
from server.storage.base import BatchStore, CachedExtraction, CacheKey

LOGGER_NAME = "company_batch.cache"
CACHEABLE_FAILURES = frozenset({ErrorType.COMPANY_ANALYSIS})


def name_key(name: str) -> str:
    """The folding ``server.api.validation.normalized_name`` uses for duplicates: NFKC, casefold, spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def cache_key(request: ExtractionRequest) -> CacheKey:
    """The key of a request; spellings that differ only in case or spacing share it."""
    hint = (request.domain_hint or "").strip().lower().rstrip(".")
    return CacheKey(
        name_key=name_key(request.company_name),
        extraction_mode=request.mode.value,
        country=request.country.upper(),
        language=request.language.lower(),
        domain_hint=hint,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ExtractionCache:
    """Looks answers up and stores them through a ``BatchStore``."""

    def __init__(
        self,
        store: BatchStore,
        *,
        ttl_seconds: float,
        not_found_ttl_seconds: float,
        now: Callable[[], datetime] = _utcnow,
        logger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._ttl = timedelta(seconds=ttl_seconds)
        self._not_found_ttl = timedelta(seconds=not_found_ttl_seconds)
        self._now = now
        self._log = logger or logging.getLogger(LOGGER_NAME)

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    async def lookup(self, request: ExtractionRequest, started_at: datetime) -> CompanyOutcome | None:
        """The cached answer as an outcome marked ``from_cache``, or None (miss, expired, unreadable)."""
        if not self.enabled:
            return None
        try:
            entry = await self._store.cache_get(cache_key(request), self._now())
        except ServiceUnavailable:
            self._log.warning("cache lookup failed; extracting", extra={"event": "cache_unavailable"})
            return None
        if entry is None:
            return None
        finished_at = max(started_at, self._now())
        if entry.profile is not None:
            return CompanyOutcome(
                request.company_name,
                CompanyState.SUCCESS,
                profile=entry.profile,
                started_at=started_at,
                finished_at=finished_at,
                from_cache=True,
            )
        return CompanyOutcome(
            request.company_name,
            CompanyState.FAILED,
            error=entry.error,
            started_at=started_at,
            finished_at=finished_at,
            from_cache=True,
        )

    async def remember(self, request: ExtractionRequest, outcome: CompanyOutcome) -> None:
        """Store a fresh answer worth keeping (see the module doc); others are ignored."""
        if not self.enabled or outcome.from_cache:
            return
        now = self._now()
        if outcome.state is CompanyState.SUCCESS and outcome.profile is not None:
            entry = CachedExtraction(outcome.profile, None, now, now + self._ttl)
        elif (
            outcome.error is not None
            and outcome.error.type in CACHEABLE_FAILURES
            and self._not_found_ttl > timedelta(0)
        ):
            entry = CachedExtraction(None, outcome.error, now, now + self._not_found_ttl)
        else:
            return
        try:
            await self._store.cache_put(cache_key(request), entry)
        except ServiceUnavailable:
            self._log.warning("cache write failed", extra={"event": "cache_unavailable"})
