"""Maps domain errors to gRPC statuses with rich details, and to the REST error envelope.

gRPC callers get ``google.rpc.Status`` details (``BadRequest`` field violations, ``ErrorInfo``).
REST callers get the contract's envelope: the server attaches it as trailing metadata
(``x-rest-status``, ``x-rest-envelope``) and Envoy's response Lua filter (envoy/rest_errors.lua) turns it
into the HTTP status and body, so one table here decides both.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf import any_pb2, duration_pb2, json_format
from google.rpc import error_details_pb2, status_pb2

from company_protos.company.v1 import batch_service_pb2 as pb
from server.api import convert
from server.api.bounds import (
    MAX_DESCRIPTION_CHARS,
    MAX_TRAILER_BYTES,
    MAX_VIOLATIONS,
    bounded_violations,
    clip,
)
from server.errors import (
    BatchNotFound,
    FieldViolation,
    InvalidRequest,
    InvalidTransition,
    RateLimited,
    RequestTooLarge,
    ServiceError,
    ServiceOverloaded,
    ServiceUnavailable,
    Unauthenticated,
)

ERROR_DOMAIN = "company-batch"
REST_STATUS_KEY = "x-rest-status"
REST_ENVELOPE_KEY = "x-rest-envelope"
DETAILS_KEY = "grpc-status-details-bin"
RETRY_AFTER_KEY = "retry-after"
"""Sent with a rate-limited call; Envoy passes it on to REST clients as the HTTP header."""
WWW_AUTHENTICATE_KEY = "www-authenticate"


@dataclass(frozen=True)
class ErrorMapping:
    code: grpc.StatusCode
    http_status: int
    type: str
    reason: str


_MAPPINGS: list[tuple[type[Exception], ErrorMapping]] = [
    (
        RequestTooLarge,
        ErrorMapping(grpc.StatusCode.INVALID_ARGUMENT, 413, "PayloadTooLarge", "REQUEST_TOO_LARGE"),
    ),
    (
        InvalidRequest,
        ErrorMapping(grpc.StatusCode.INVALID_ARGUMENT, 400, "ValidationError", "INVALID_REQUEST"),
    ),
    (BatchNotFound, ErrorMapping(grpc.StatusCode.NOT_FOUND, 404, "NotFound", "BATCH_NOT_FOUND")),
    (
        InvalidTransition,
        ErrorMapping(grpc.StatusCode.FAILED_PRECONDITION, 409, "Conflict", "INVALID_TRANSITION"),
    ),
    (
        ServiceOverloaded,
        ErrorMapping(grpc.StatusCode.RESOURCE_EXHAUSTED, 429, "RateLimited", "QUEUE_FULL"),
    ),
    (
        Unauthenticated,
        ErrorMapping(grpc.StatusCode.UNAUTHENTICATED, 401, "Unauthorized", "UNAUTHENTICATED"),
    ),
    (
        RateLimited,
        ErrorMapping(grpc.StatusCode.RESOURCE_EXHAUSTED, 429, "RateLimited", "RATE_LIMITED"),
    ),
    (
        ServiceUnavailable,
        ErrorMapping(grpc.StatusCode.UNAVAILABLE, 503, "Unavailable", "SERVICE_UNAVAILABLE"),
    ),
]
_INTERNAL = ErrorMapping(grpc.StatusCode.INTERNAL, 500, "InternalError", "INTERNAL")


def mapping_for(error: Exception) -> ErrorMapping:
    for cls, mapping in _MAPPINGS:
        if isinstance(error, cls):
            return mapping
    return _INTERNAL


@dataclass(frozen=True)
class ErrorReply:
    code: grpc.StatusCode
    message: str
    trailing_metadata: tuple[tuple[str, str | bytes], ...]


def error_reply(error: Exception, trace_id: str, now: datetime | None = None) -> ErrorReply:
    """Everything ``context.abort`` needs for ``error``: code, message and rich trailing metadata.

    The trailers stay under ``MAX_TRAILER_BYTES`` whatever the error holds: violations beyond
    ``MAX_VIOLATIONS`` are counted, not listed, and more are folded into that count until it fits.
    """
    mapping = mapping_for(error)
    if isinstance(error, ServiceError):
        message = clip(str(error), 4 * MAX_DESCRIPTION_CHARS)
        details = _details(error)
    else:  # never leak internals; the trace id finds the traceback in the logs
        message = "internal error"
        details = f"see the server log for trace id {trace_id}"
    all_violations = error.violations if isinstance(error, InvalidRequest) else []
    shown = min(len(all_violations), MAX_VIOLATIONS)
    while True:
        violations = bounded_violations(all_violations, shown)
        metadata = _trailers(error, mapping, message, details, violations, trace_id, now)
        if _wire_size(message, metadata) <= MAX_TRAILER_BYTES or shown == 0:
            return ErrorReply(code=mapping.code, message=message, trailing_metadata=metadata)
        shown //= 2


def _trailers(
    error: Exception,
    mapping: ErrorMapping,
    message: str,
    details: str,
    violations: list[FieldViolation],
    trace_id: str,
    now: datetime | None,
) -> tuple[tuple[str, str | bytes], ...]:
    status = status_pb2.Status(code=mapping.code.value[0], message=message)
    info = error_details_pb2.ErrorInfo(
        reason=mapping.reason, domain=ERROR_DOMAIN, metadata=_error_metadata(error)
    )
    packed_details: list[Any] = [info]
    extra_metadata: tuple[tuple[str, str | bytes], ...] = ()
    if isinstance(error, RateLimited):
        retry = duration_pb2.Duration()
        retry.FromNanoseconds(int(error.retry_after_seconds * 1e9))
        packed_details.append(error_details_pb2.RetryInfo(retry_delay=retry))
        # HTTP's Retry-After is whole seconds: round up, so a client that waits that long is allowed.
        extra_metadata = ((RETRY_AFTER_KEY, str(max(1, math.ceil(error.retry_after_seconds)))),)
    elif isinstance(error, Unauthenticated):
        extra_metadata = ((WWW_AUTHENTICATE_KEY, 'Bearer realm="company-batch"'),)
    if violations:
        packed_details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                    for v in violations
                ]
            )
        )
    for detail in packed_details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)

    envelope = pb.ErrorResponse(
        success=False,
        error=pb.ErrorBody(
            type=mapping.type,
            message=message,
            details=details,
            field_violations=[
                pb.FieldViolation(field=v.field, description=v.description) for v in violations
            ],
            code=mapping.code.name,
        ),
        metadata=convert.metadata(trace_id, now or datetime.now(UTC)),
    )
    body = json.dumps(json_format.MessageToDict(envelope, **convert.JSON_PRINT_OPTIONS), ensure_ascii=True)
    return (
        (DETAILS_KEY, status.SerializeToString()),
        (REST_STATUS_KEY, str(mapping.http_status)),
        (REST_ENVELOPE_KEY, body),
        *extra_metadata,
    )


def _wire_size(message: str, metadata: tuple[tuple[str, str | bytes], ...]) -> int:
    """Bytes of the trailers as sent: ``-bin`` values in base64, ``grpc-message`` percent-encoded."""
    encoded = message.encode()
    # grpc percent-encodes every byte of grpc-message outside printable ASCII, and "%" itself.
    plain = sum(1 for byte in encoded if 0x20 <= byte <= 0x7E and byte != 0x25)
    size = len("grpc-status") + 2 + len("grpc-message") + plain + 3 * (len(encoded) - plain)
    for key, value in metadata:
        raw = value if isinstance(value, bytes) else value.encode()
        size += len(key) + (len(base64.b64encode(raw)) if key.endswith("-bin") else len(raw))
    return size


def _details(error: ServiceError) -> str:
    if isinstance(error, RequestTooLarge):
        return f"Send at most {error.limit} bytes: fewer or shorter names"
    if isinstance(error, InvalidRequest):
        return f"{len(error.violations)} field violation(s)"
    if isinstance(error, BatchNotFound):
        return "No batch with this id exists (ids look like batch_20240115_abc123)"
    if isinstance(error, ServiceOverloaded):
        return "Retry after some companies have finished, or submit a smaller batch"
    if isinstance(error, InvalidTransition):
        return f"The batch is {error.status}; only queued, processing or paused batches accept {error.action}"
    if isinstance(error, Unauthenticated):
        return "Send an API key: 'Authorization: Bearer <key>' (REST) or 'authorization' metadata (gRPC)"
    if isinstance(error, RateLimited):
        return "Wait Retry-After seconds before the next request"
    return ""


def _error_metadata(error: Exception) -> dict[str, str]:
    if isinstance(error, BatchNotFound):
        return {"batch_id": error.batch_id}
    if isinstance(error, InvalidTransition):
        return {"batch_id": error.batch_id, "action": error.action, "status": error.status}
    if isinstance(error, RateLimited):
        return {
            "retry_after_seconds": f"{error.retry_after_seconds:.3f}",
            "rate_per_second": f"{error.rate:g}",
            "burst": str(error.burst),
        }
    if isinstance(error, ServiceOverloaded):
        return {
            "queued": str(error.queued),
            "requested": str(error.requested),
            "capacity": str(error.capacity),
        }
    return {}
