"""The extraction cache's SQL, shared by both stores (``?`` placeholders, like ``stats_sql``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from server.storage.base import CachedExtraction, CacheKey, StoredResponse
from server.storage.codec import failure_from_columns, from_epoch, sources_to_json, to_epoch
from server.storage.schema import FINAL_STATUSES_SQL

CACHE_GET = """
    SELECT profile, error_type, error_message, error_details, stored_at, expires_at, error_sources
    FROM extraction_cache
    WHERE name_key = ? AND extraction_mode = ? AND country = ? AND language = ? AND domain_hint = ?
      AND expires_at > ?
"""

# Last writer wins: two replicas extracting the same company at once both store a fresh answer.
CACHE_PUT = """
    INSERT INTO extraction_cache (name_key, extraction_mode, country, language, domain_hint, profile,
                                  error_type, error_message, error_details, stored_at, expires_at,
                                  error_sources)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (name_key, extraction_mode, country, language, domain_hint) DO UPDATE SET
        profile = excluded.profile, error_type = excluded.error_type,
        error_message = excluded.error_message, error_details = excluded.error_details,
        stored_at = excluded.stored_at, expires_at = excluded.expires_at,
        error_sources = excluded.error_sources
"""

CACHE_PURGE_EXPIRED = "DELETE FROM extraction_cache WHERE expires_at <= ?"

RESPONSE_GET = """
    SELECT url, content_type, body, etag, last_modified, stored_at, fresh_until, expires_at
    FROM knowledge_responses WHERE cache_key = ? AND expires_at > ?
"""
RESPONSE_PUT = """
    INSERT INTO knowledge_responses (cache_key, url, content_type, body, etag, last_modified, stored_at,
                                     fresh_until, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (cache_key) DO UPDATE SET
        url = excluded.url, content_type = excluded.content_type, body = excluded.body,
        etag = excluded.etag, last_modified = excluded.last_modified, stored_at = excluded.stored_at,
        fresh_until = excluded.fresh_until, expires_at = excluded.expires_at
"""
RESPONSE_PURGE_EXPIRED = "DELETE FROM knowledge_responses WHERE expires_at <= ?"

PURGE_BATCH_CHUNK = 500
"""Batches deleted per transaction by retention, so a purge never holds locks for long."""

# Final batches always have completed_at (the scheduler writes it with the final status).
PURGE_FINISHED_BATCHES = f"""
    DELETE FROM batches WHERE batch_id IN (
        SELECT batch_id FROM batches
        WHERE completed_at < ? AND status IN {FINAL_STATUSES_SQL}
        LIMIT ?
    )
"""


def key_params(key: CacheKey) -> tuple[str, str, str, str, str]:
    return (key.name_key, key.extraction_mode, key.country, key.language, key.domain_hint)


def put_params(key: CacheKey, entry: CachedExtraction) -> tuple[Any, ...]:
    error = entry.error
    return (
        *key_params(key),
        None if entry.profile is None else json.dumps(entry.profile),
        None if error is None else error.type.value,
        None if error is None else error.message,
        None if error is None else error.details,
        to_epoch(entry.stored_at),
        to_epoch(entry.expires_at),
        sources_to_json(error),
    )


def entry_from_row(row: Sequence[Any]) -> CachedExtraction:
    stored_at, expires_at = from_epoch(row[4]), from_epoch(row[5])
    assert stored_at is not None and expires_at is not None  # NOT NULL columns
    return CachedExtraction(
        profile=None if row[0] is None else json.loads(row[0]),
        error=failure_from_columns(row[1], row[2], row[3], row[6]),
        stored_at=stored_at,
        expires_at=expires_at,
    )


def response_put_params(key: str, response: StoredResponse) -> tuple[Any, ...]:
    return (
        key,
        response.url,
        response.content_type,
        response.body,
        response.etag,
        response.last_modified,
        to_epoch(response.stored_at),
        to_epoch(response.fresh_until),
        to_epoch(response.expires_at),
    )


def response_from_row(row: Sequence[Any]) -> StoredResponse:
    stored_at, fresh_until, expires_at = from_epoch(row[5]), from_epoch(row[6]), from_epoch(row[7])
    assert stored_at is not None and fresh_until is not None and expires_at is not None  # NOT NULL
    return StoredResponse(row[0], row[1], row[2], row[3], row[4], stored_at, fresh_until, expires_at)
