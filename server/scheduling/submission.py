"""A new batch's id and its first write, shared by the in-process and the replica scheduler."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime

from server.domain import BatchSpec
from server.errors import ServiceUnavailable
from server.storage.base import BatchIdTaken, BatchStore, NewBatch, NewCompany, StoredBatch

BATCH_ID_ALPHABET = string.ascii_lowercase + string.digits
BATCH_ID_SUFFIX_LENGTH = 6
BATCH_ID_ATTEMPTS = 8
"""36^6 suffixes per day make a collision rare; a few retries make it practically impossible to fail."""


def new_batch_id(now: datetime) -> str:
    """``batch_YYYYMMDD_xxxxxx``: the UTC date and six random characters from [a-z0-9]."""
    suffix = "".join(secrets.choice(BATCH_ID_ALPHABET) for _ in range(BATCH_ID_SUFFIX_LENGTH))
    return f"batch_{now.astimezone(UTC):%Y%m%d}_{suffix}"


async def create_batch(
    store: BatchStore, spec: BatchSpec, trace_id: str, now: datetime
) -> tuple[StoredBatch, bool]:
    """Persist a new batch under a fresh id (or find the one its ``request_id`` created).

    Returns:
        The stored batch and whether this call created it.

    Raises:
        ServiceUnavailable: no free id after ``BATCH_ID_ATTEMPTS`` tries, or the store failed.
    """
    companies = tuple(NewCompany(name, spec.domain_hints.get(name)) for name in spec.company_names)
    for _ in range(BATCH_ID_ATTEMPTS):
        new = NewBatch(new_batch_id(now), spec.options, companies, now, spec.request_id, trace_id)
        try:
            return await store.create_batch(new)
        except BatchIdTaken:
            continue
    raise ServiceUnavailable("could not allocate a unique batch id")
