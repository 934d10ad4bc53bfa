"""Knowledge services' answers kept in the store, so every replica on one database shares them.

HTTP semantics where the service sends them: ``Cache-Control: no-store`` is never kept, a ``max-age``
(or ``s-maxage``) above zero is how long an answer stays fresh; where a service says nothing (or only
``max-age=0``, as Wikidata's API does), the caller's documented TTL applies. A stale answer with an
``ETag`` or ``Last-Modified`` is kept for ``REVALIDATE_KEEP_SECONDS`` more and asked for again
conditionally: a ``304 Not Modified`` refreshes it without a body.

The cache is an optimisation: a store that cannot be read or written leaves the request to the network.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from server.errors import FetchError, ServiceUnavailable
from server.extraction.fetcher import FetchedPage, WebFetcher, json_document
from server.storage.base import StoredResponse
from server.storage.roles import ResponseCacheStore

LOGGER_NAME = "company_batch.response_cache"
NOT_MODIFIED = 304
REVALIDATE_KEEP_SECONDS = 7 * 24 * 3600.0
"""How long past its freshness an answer with a validator is kept for a conditional request."""
KNOWLEDGE_TTL_SECONDS = 24 * 3600.0
"""How long a knowledge answer that states no freshness of its own is reused (a day: registers and
Wikidata change slowly, and a profile itself is cached for a week)."""
MAX_CACHED_CHARS = 24_000_000
"""Larger documents are not kept (a store row is no place for a 90 MB companyfacts)."""
MAX_AGE_RE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def freshness_seconds(headers: dict[str, str], default_ttl: float) -> float | None:
    """How long an answer stays fresh: its ``max-age`` when above zero, else ``default_ttl``; None for
    ``no-store`` (never kept)."""
    control = next((value for key, value in headers.items() if key.lower() == "cache-control"), "")
    if "no-store" in control.lower():
        return None
    ages = [int(found) for found in MAX_AGE_RE.findall(control)]
    return float(min(ages)) if ages and min(ages) > 0 else default_ttl


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


class ResponseCache:
    """Looks knowledge answers up in a ``ResponseCacheStore`` and keeps new ones there."""

    def __init__(self, store: ResponseCacheStore, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._store = store
        self._clock = clock
        self._log = logging.getLogger(LOGGER_NAME)

    async def fetch_json(
        self,
        fetcher: WebFetcher,
        url: str,
        *,
        ttl_seconds: float,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        source: str | None = None,
    ) -> tuple[Any, FetchedPage]:
        """The JSON document at ``url`` and the page it came from: the stored one while fresh, else
        revalidated or fetched (and kept). A request made is one of ``source``'s (its outcome recorded,
        its host's circuit breaker applied), as ``WebFetcher.fetch_json`` makes it.

        Raises:
            FetchError: as ``WebFetcher.fetch_json``.
        """
        now = self._clock()
        stored = await self._get(url, now)
        if stored is not None and stored.fresh_until > now:
            return json_document(self._page(stored)), self._page(stored)
        conditional = dict(headers or {})
        if stored is not None and stored.etag:
            conditional["If-None-Match"] = stored.etag
        if stored is not None and stored.last_modified:
            conditional["If-Modified-Since"] = stored.last_modified
        page = await fetcher.fetch(
            url,
            headers={"Accept": "application/json", **conditional},
            max_bytes=max_bytes,
            source=source,
            known_host=True,
        )
        if page.status == NOT_MODIFIED:
            if stored is None:
                raise FetchError(f"Unasked 304 from {page.url}", details="no stored answer to revalidate")
            body = FetchedPage(
                url=stored.url, status=200, content_type=stored.content_type, text=stored.body,
                retrieved_at=page.retrieved_at, headers=page.headers,
            )  # fmt: skip
            await self._keep(url, body, stored.etag, stored.last_modified, ttl_seconds, now)
            return json_document(body), body
        document = json_document(page, max_bytes)
        await self._keep(
            url, page, _header(page.headers, "etag"), _header(page.headers, "last-modified"), ttl_seconds, now
        )
        return document, page

    async def _keep(
        self,
        key: str,
        page: FetchedPage,
        etag: str | None,
        last_modified: str | None,
        ttl_seconds: float,
        now: datetime,
    ) -> None:
        lifetime = freshness_seconds(page.headers, ttl_seconds)
        if lifetime is None or lifetime <= 0 or len(page.text) > MAX_CACHED_CHARS:
            return
        fresh_until = now + timedelta(seconds=lifetime)
        keep = REVALIDATE_KEEP_SECONDS if (etag or last_modified) else 0.0
        entry = StoredResponse(
            url=page.url, content_type=page.content_type, body=page.text, etag=etag,
            last_modified=last_modified, stored_at=now, fresh_until=fresh_until,
            expires_at=fresh_until + timedelta(seconds=keep),
        )  # fmt: skip
        try:
            await self._store.response_put(key, entry)
        except ServiceUnavailable as exc:
            self._log.warning("response cache write failed: %s", exc, extra={"url": key})

    async def get_document(self, key: str) -> Any | None:
        """A fresh JSON document kept under ``key`` by ``put_document``, or None."""
        now = self._clock()
        stored = await self._get(key, now)
        if stored is None or stored.fresh_until <= now:
            return None
        try:
            return json.loads(stored.body)
        except json.JSONDecodeError:
            return None

    async def put_document(self, key: str, url: str, document: Any, ttl_seconds: float) -> None:
        """Keep one JSON value (an item out of a many-item answer) under ``key`` for ``ttl_seconds``."""
        now = self._clock()
        fresh_until = now + timedelta(seconds=ttl_seconds)
        entry = StoredResponse(
            url=url, content_type="application/json", body=json.dumps(document, ensure_ascii=False),
            etag=None, last_modified=None, stored_at=now, fresh_until=fresh_until, expires_at=fresh_until,
        )  # fmt: skip
        try:
            await self._store.response_put(key, entry)
        except ServiceUnavailable as exc:
            self._log.warning("response cache write failed: %s", exc, extra={"url": key})

    async def _get(self, key: str, now: datetime) -> StoredResponse | None:
        try:
            return await self._store.response_get(key, now)
        except ServiceUnavailable as exc:
            self._log.warning("response cache read failed: %s", exc, extra={"url": key})
            return None

    @staticmethod
    def _page(stored: StoredResponse) -> FetchedPage:
        headers = {"ETag": stored.etag} if stored.etag else {}
        return FetchedPage(
            url=stored.url, status=200, content_type=stored.content_type, text=stored.body,
            retrieved_at=stored.stored_at, headers=headers,
        )  # fmt: skip
