"""Remembering extraction answers: keyed by the question, stored in the batch database, with a TTL.

Two requests are the same question when their normalized name (case, Unicode form and spacing folded,
as duplicate names are in ``server.api.validation.normalized_name``), mode, country, language and domain
hint agree. The table lives in the store, so every replica on one database shares it.

Only answers that will still be true tomorrow are remembered:

- a profile, for ``ttl_seconds``; one found while some source was unavailable (its
  ``sources_unavailable`` is not empty) for the shorter ``partial_ttl_seconds``, since it may lack what
  those sources would have said (0: not kept);
- "company not found" (``CompanyAnalysisError``) for the shorter ``not_found_ttl_seconds``, and only when
  every source asked answered (its per-source outcomes show none down, refusing or cooling down): that
  answer is the most expensive one to reach (every domain candidate is tried) and is stable over hours,
  but a new company may appear on the web, so it is not kept as long as a profile (0 disables it);
- never a failure that involved an unreachable or refusing source (``SourceUnavailableError``,
  ``BlockedError``), a timeout or an internal error: they say more about the moment than the company.

A lookup may ask for answers no older than ``max_age_seconds`` (``max_cache_age_seconds`` on submit and
ExtractCompany); an older entry is a miss, and the fresh answer replaces it.

The cache is an optimisation: if the store cannot be read or written, extraction simply goes ahead.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from server.domain import CompanyOutcome, CompanyState, ErrorType, ExtractionRequest, SourceState
from server.errors import ServiceUnavailable
from server.storage.base import CachedExtraction, CacheKey
from server.storage.roles import ExtractionCacheStore

LOGGER_NAME = "company_batch.cache"
CACHEABLE_FAILURES = frozenset({ErrorType.COMPANY_ANALYSIS})
ANSWERED = frozenset({SourceState.OK, SourceState.NOT_FOUND})


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
    """Looks answers up and stores them through an ``ExtractionCacheStore``."""

    def __init__(
        self,
        store: ExtractionCacheStore,
        *,
        ttl_seconds: float,
        not_found_ttl_seconds: float,
        partial_ttl_seconds: float = 0.0,
        now: Callable[[], datetime] = _utcnow,
        logger: logging.Logger | None = None,
    ) -> None:
        self._store = store
        self._ttl = timedelta(seconds=ttl_seconds)
        self._not_found_ttl = timedelta(seconds=not_found_ttl_seconds)
        self._partial_ttl = timedelta(seconds=partial_ttl_seconds)
        self._now = now
        self._log = logger or logging.getLogger(LOGGER_NAME)

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    async def lookup(
        self, request: ExtractionRequest, started_at: datetime, *, max_age_seconds: float | None = None
    ) -> CompanyOutcome | None:
        """The cached answer as an outcome marked ``from_cache``, or None (miss, expired, older than
        ``max_age_seconds``, unreadable)."""
        if not self.enabled:
            return None
        now = self._now()
        try:
            entry = await self._store.cache_get(cache_key(request), now)
        except ServiceUnavailable:
            self._log.warning("cache lookup failed; extracting", extra={"event": "cache_unavailable"})
            return None
        if entry is None:
            return None
        if max_age_seconds is not None and now - entry.stored_at > timedelta(seconds=max_age_seconds):
            return None
        finished_at = max(started_at, self._now())
        if entry.profile is not None:
            # Entries stored before profiles carried their extraction time were extracted when stored.
            extracted = {"extracted_at": entry.stored_at.isoformat().replace("+00:00", "Z")}
            return CompanyOutcome(
                request.company_name,
                CompanyState.SUCCESS,
                profile={**extracted, **entry.profile},
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
            ttl = self._partial_ttl if outcome.profile.get("sources_unavailable") else self._ttl
            if ttl <= timedelta(0):
                return
            entry = CachedExtraction(outcome.profile, None, now, now + ttl)
        elif (
            outcome.error is not None
            and outcome.error.type in CACHEABLE_FAILURES
            and all(source.outcome in ANSWERED for source in outcome.error.sources)
            and self._not_found_ttl > timedelta(0)
        ):
            entry = CachedExtraction(None, outcome.error, now, now + self._not_found_ttl)
        else:
            return
        try:
            await self._store.cache_put(cache_key(request), entry)
        except ServiceUnavailable:
            self._log.warning("cache write failed", extra={"event": "cache_unavailable"})
