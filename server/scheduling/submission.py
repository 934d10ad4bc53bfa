"""A new batch's id and its first write, shared by the in-process and the replica scheduler."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

from server.domain import BatchSpec
from server.errors import ServiceUnavailable
from server.storage.base import BatchIdTaken, NewBatch, NewCompany, StoredBatch
from server.storage.roles import BatchRecords

BATCH_ID_ALPHABET = string.ascii_lowercase + string.digits
BATCH_ID_SUFFIX_LENGTH = 20
"""20 characters of [a-z0-9] are 20 x log2(36) = 103 bits from ``secrets``: a batch id cannot be guessed
(at the rate limit's 20 guesses a second, finding one of a million live batches takes ~10^17 years), so
an id is never the only thing between a stranger and a batch, yet it keeps the documented
``batch_YYYYMMDD_xxx`` shape and the REST path's character set."""
BATCH_ID_ATTEMPTS = 8
"""A collision is all but impossible; a few retries make a failed submit impossible in practice."""


def new_batch_id(now: datetime) -> str:
    """``batch_YYYYMMDD_<20 random characters from [a-z0-9]>``, the date in UTC."""
    suffix = "".join(secrets.choice(BATCH_ID_ALPHABET) for _ in range(BATCH_ID_SUFFIX_LENGTH))
    return f"batch_{now.astimezone(UTC):%Y%m%d}_{suffix}"


async def create_batch(
    store: BatchRecords, spec: BatchSpec, trace_id: str, now: datetime
) -> tuple[StoredBatch, bool]:
    """Persist a new batch under a fresh id (or find the one its ``request_id`` created).

    Returns:
        The stored batch and whether this call created it.

    Raises:
        ServiceUnavailable: no free id after ``BATCH_ID_ATTEMPTS`` tries, or the store failed.
    """
    companies = tuple(NewCompany(name, spec.domain_hints.get(name)) for name in spec.company_names)
    for _ in range(BATCH_ID_ATTEMPTS):
        new = NewBatch(
            new_batch_id(now), spec.options, companies, now, spec.request_id, trace_id, spec.tenant
        )
        try:
            return await store.create_batch(new)
        except BatchIdTaken:
            continue
    raise ServiceUnavailable("could not allocate a unique batch id")
