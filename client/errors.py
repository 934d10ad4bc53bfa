"""The client's exceptions, built from a failed call's gRPC status and its rich details.

    BatchServiceError            any non-OK status (code, message, field violations, reason)
    ├── InvalidArgument          INVALID_ARGUMENT: the request was rejected; see field_violations
    ├── NotFound                 NOT_FOUND: unknown batch id
    ├── FailedPrecondition       FAILED_PRECONDITION: e.g. pausing a finished batch
    ├── Unavailable              UNAVAILABLE / DEADLINE_EXCEEDED: service unreachable or shutting down
    ├── Unauthenticated          UNAUTHENTICATED: no API key, or an unknown or revoked one
    └── ResourceExhausted        RESOURCE_EXHAUSTED: rate limited or queue full; ``retry_after`` seconds

The server attaches a ``google.rpc.Status`` in the ``grpc-status-details-bin`` trailer with an
``ErrorInfo`` (``reason`` such as ``BATCH_NOT_FOUND``) and, for invalid requests, a ``BadRequest``
listing field violations; both are read here so callers never parse messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

CLIENT_VALIDATION_REASON = "CLIENT_VALIDATION"
"""``reason`` of errors the client raises itself, before sending anything."""


@dataclass(frozen=True)
class FieldViolation:
    """One rejected request field (``google.rpc.BadRequest.FieldViolation``)."""

    field: str
    description: str

    def __str__(self) -> str:
        return f"{self.field}: {self.description}"


class BatchServiceError(Exception):
    """A call failed; ``code`` is the gRPC status code, ``reason`` the ErrorInfo reason (or "")."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        field_violations: Sequence[FieldViolation] = (),
        reason: str = "",
        metadata: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.field_violations = tuple(field_violations)
        self.reason = reason
        self.metadata = dict(metadata or {})
        self.retry_after = retry_after  # seconds, from a google.rpc.RetryInfo detail when sent
        super().__init__(message)

    def __str__(self) -> str:
        lines = [f"{self.code.name}: {self.message}"]
        # The service's message often is the violations joined; list only what it does not already say.
        lines += [f"  - {v}" for v in self.field_violations if str(v) not in self.message]
        return "\n".join(lines)


class InvalidArgument(BatchServiceError):
    """The request was rejected (INVALID_ARGUMENT)."""


class NotFound(BatchServiceError):
    """The batch does not exist (NOT_FOUND)."""


class FailedPrecondition(BatchServiceError):
    """The batch cannot do that now, e.g. resume a batch that is not paused (FAILED_PRECONDITION)."""


class Unavailable(BatchServiceError):
    """The service could not be reached in time or is shutting down (UNAVAILABLE, DEADLINE_EXCEEDED)."""


class Unauthenticated(BatchServiceError):
    """The service needs an API key and got none, or an unknown or revoked one (UNAUTHENTICATED)."""


class ResourceExhausted(BatchServiceError):
    """Too many requests for this key, or the queue is full (RESOURCE_EXHAUSTED); see ``retry_after``."""


_ERROR_CLASSES: dict[grpc.StatusCode, type[BatchServiceError]] = {
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: Unavailable,
}


def error_from_status(
    code: grpc.StatusCode, message: str, status: status_pb2.Status | None
) -> BatchServiceError:
    """The typed error for a status code, its message and the optional rich ``google.rpc.Status``."""
    violations: list[FieldViolation] = []
    reason = ""
    metadata: dict[str, str] = {}
    retry_after: float | None = None
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend(FieldViolation(v.field, v.description) for v in bad_request.field_violations)
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            metadata.update(info.metadata)
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            retry_after = retry.retry_delay.ToNanoseconds() / 1e9
    error_class = _ERROR_CLASSES.get(code, BatchServiceError)
    return error_class(code, message, violations, reason, metadata, retry_after)


def error_from_rpc_error(error: grpc.RpcError) -> BatchServiceError:
    """Translate a failed call (sync ``grpc.RpcError`` or ``grpc.aio.AioRpcError``)."""
    call: Any = error  # both kinds are also a grpc.Call with code(), details(), trailing_metadata()
    code: grpc.StatusCode = call.code()
    message: str = call.details() or code.name
    try:
        status = rpc_status.from_call(call)
    except ValueError:
        # The trailer disagrees with the status (a proxy rewrote it): trust the status, drop the details.
        status = None
    return error_from_status(code, message, status)


def client_validation_error(field: str, description: str) -> InvalidArgument:
    """An INVALID_ARGUMENT raised before the call, for values the client cannot even encode."""
    return InvalidArgument(
        grpc.StatusCode.INVALID_ARGUMENT,
        f"{field}: {description}",
        [FieldViolation(field, description)],
        CLIENT_VALIDATION_REASON,
    )
