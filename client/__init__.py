"""Typed Python client of the company-batch service: ``BatchClient`` (asyncio) and ``SyncBatchClient``."""

from client.async_client import BatchClient
from client.defaults import DEFAULT_TARGET
from client.errors import (
    BatchServiceError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from client.progress import event_name, status_name
from client.sync_client import SyncBatchClient

__all__ = [
    "DEFAULT_TARGET",
    "BatchClient",
    "BatchServiceError",
    "FailedPrecondition",
    "FieldViolation",
    "InvalidArgument",
    "NotFound",
    "SyncBatchClient",
    "Unavailable",
    "event_name",
    "status_name",
]
