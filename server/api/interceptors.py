"""One interceptor for every company.v1 call: trace id, access (key, rate limit), error mapping, request
log line, live-call gauge. Health and reflection are other services and pass untouched."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from grpc import aio

from server import metrics, tracing
from server.api import context as call_context
from server.api.access import CallAccess, reset_principal, set_principal
from server.api.body_shape import SHAPE_HEADER, shape_violations
from server.api.status import ErrorReply, error_reply
from server.api.wire import decode_request, response_serializer
from server.auth import Principal
from server.errors import InvalidRequest, ServiceError

log = logging.getLogger("company_batch.api")

_OUR_SERVICES = "/company.v1."


_Parser = Callable[[bytes], Any]


def _request_parser(deserializer: Any, headers: dict[str, Any]) -> _Parser:
    """Bytes to the request message, with the size cap and, for REST, the strict body shape."""
    message_type = getattr(deserializer, "__self__", None)
    shape = headers.get(SHAPE_HEADER)

    def parse(raw: bytes) -> Any:
        if message_type is None:  # not a generated message type: grpc's own deserializer
            return deserializer(raw) if deserializer is not None else raw
        request = decode_request(message_type, raw)
        if isinstance(shape, str):
            violations = shape_violations(shape, message_type.DESCRIPTOR)
            if violations:
                raise InvalidRequest(violations)
        return request

    return parse


class CallGauge:
    """Counts calls in flight (watch streams included): the stats' ``active_connections``."""

    def __init__(self) -> None:
        self.active = 0
        self.by_tenant: Counter[str] = Counter()  # admitted calls in flight per tenant

    def active_for(self, tenant: str | None) -> int:
        """Calls in flight of one tenant, or of everyone (None)."""
        return self.active if tenant is None else self.by_tenant[tenant]


class ApiInterceptor(aio.ServerInterceptor):  # type: ignore[type-arg]
    def __init__(self, gauge: CallGauge, access: CallAccess | None = None) -> None:
        self._gauge = gauge
        self._access = access or CallAccess(None, None)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        method_path: str = details.method
        if handler is None or not method_path.startswith(_OUR_SERVICES):
            return handler
        method = method_path.rsplit("/", 1)[-1]
        headers = dict(details.invocation_metadata or ())
        # The request arrives as bytes (no deserializer) and is parsed inside the call, so a message
        # that is too large or undecodable is INVALID_ARGUMENT with the envelope, not grpc's UNKNOWN.
        parse = _request_parser(handler.request_deserializer, headers)
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(method, headers, parse, handler.unary_unary),
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(method, headers, parse, handler.unary_stream),
                # A stream may yield messages serialised once for many calls (WatchBatch's events).
                response_serializer=response_serializer(handler.response_serializer),
            )
        return handler

    def _unary(self, method: str, headers: dict[str, Any], parse: _Parser, behaviour: Any) -> Any:
        async def wrapper(raw: bytes, context: aio.ServicerContext[Any, Any]) -> Any:
            async with self._call(method, headers, context):
                return await behaviour(parse(raw), context)

        return wrapper

    def _stream(self, method: str, headers: dict[str, Any], parse: _Parser, behaviour: Any) -> Any:
        async def wrapper(raw: bytes, context: aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            async with self._call(method, headers, context):
                async for item in behaviour(parse(raw), context):
                    yield item

        return wrapper

    @asynccontextmanager
    async def _call(
        self, method: str, headers: dict[str, Any], context: aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[None]:
        """One call: trace id and gauge around it, errors turned into a status, one log line after."""
        trace_id = call_context.new_trace_id(method)
        token = call_context.set_trace_id(trace_id)
        self._gauge.active += 1
        started = time.perf_counter()
        outcome = "OK"
        principal: Principal | None = None
        principal_token = None
        with tracing.rpc_span(method, trace_id, headers) as span:
            try:
                principal = await self._access.admit(headers, context.peer())
                principal_token = set_principal(principal)
                self._gauge.by_tenant[principal.tenant] += 1
                yield
            except asyncio.CancelledError:
                outcome = "CANCELLED"
                raise
            except Exception as exc:
                reply = self._reply(exc, trace_id)
                outcome = reply.code.name
                await context.abort(reply.code, reply.message, reply.trailing_metadata)
            finally:
                if principal_token is not None and principal is not None:
                    self._gauge.by_tenant[principal.tenant] -= 1
                    if not self._gauge.by_tenant[principal.tenant]:
                        del self._gauge.by_tenant[principal.tenant]
                    reset_principal(principal_token)
                tracing.end_rpc(span, outcome)
                self._end(method, headers, trace_id, token, started, outcome, principal)

    def _end(
        self,
        method: str,
        headers: dict[str, Any],
        trace_id: str,
        token: Any,
        started: float,
        outcome: str,
        principal: Principal | None,
    ) -> None:
        self._gauge.active -= 1
        seconds, via = time.perf_counter() - started, "rest" if "x-envoy-original-path" in headers else "grpc"
        metrics.REQUESTS.labels(method, outcome, via).inc()
        metrics.REQUEST_SECONDS.labels(method).observe(seconds)
        log.info(
            "request",
            extra={
                "event": "request",
                "method": method,
                "trace_id": trace_id,
                "status": outcome,
                "duration_ms": round(seconds * 1000, 2),
                "via": via,
                "request_id": headers.get("x-request-id", ""),
                # Who, by tenant and key id (never the key itself); absent when the call was refused.
                "tenant": principal.tenant if principal is not None else "",
                "key_id": (principal.key_id or "") if principal is not None else "",
            },
        )
        call_context.reset_trace_id(token)

    @staticmethod
    def _reply(exc: Exception, trace_id: str) -> ErrorReply:
        if isinstance(exc, aio.AbortError):
            raise exc
        if not isinstance(exc, ServiceError):
            log.exception("unhandled error", extra={"event": "unhandled_error", "trace_id": trace_id})
        return error_reply(exc, trace_id)
