"""Request bytes to messages: a size cap and undecodable input as field violations, not UNKNOWN.

grpc's own deserialization turns a message it cannot parse (invalid UTF-8 in a string field, a
truncated field, a wrong wire type) into UNKNOWN with the exception's class name, and Envoy answers REST
with a 500. The interceptor (``server/api/interceptors.py``) hands the raw bytes here instead, so such a
request is INVALID_ARGUMENT naming the field at fault, and one larger than ``MAX_REQUEST_BYTES`` is
refused before it is parsed at all.

The other way, ``response_serializer`` lets a method yield a message it already serialised: a watch
event goes to every watcher of a batch, and serialising it once beats once per stream.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message

from server.errors import FieldViolation, InvalidRequest, RequestTooLarge

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest request read: 100 names of 200 characters with their domain hints fit 20 times over."""

GRPC_MAX_RECEIVE_BYTES = 4 * MAX_REQUEST_BYTES
"""grpc's own receive limit, above ``MAX_REQUEST_BYTES`` so the size error is ours (INVALID_ARGUMENT)."""

GRPC_MAX_METADATA_BYTES = 256 * 1024
"""Request metadata grpc accepts. Envoy lets 60 KiB of headers through and adds a copy of the path
(``x-envoy-original-path``); with grpc's default (8 KiB soft, 16 KiB hard) a REST call with a long query
or header was refused as RESOURCE_EXHAUSTED (a 429) or, between the two, at random."""

_VARINT, _FIXED64, _LENGTH, _START_GROUP, _END_GROUP, _FIXED32 = range(6)
_WIRE_TYPE_OF: dict[int, int] = {
    FieldDescriptor.TYPE_DOUBLE: _FIXED64,
    FieldDescriptor.TYPE_FIXED64: _FIXED64,
    FieldDescriptor.TYPE_SFIXED64: _FIXED64,
    FieldDescriptor.TYPE_FLOAT: _FIXED32,
    FieldDescriptor.TYPE_FIXED32: _FIXED32,
    FieldDescriptor.TYPE_SFIXED32: _FIXED32,
    FieldDescriptor.TYPE_STRING: _LENGTH,
    FieldDescriptor.TYPE_BYTES: _LENGTH,
    FieldDescriptor.TYPE_MESSAGE: _LENGTH,
}


def decode_request(message_type: Any, raw: bytes) -> Message:
    """``raw`` parsed as ``message_type``.

    Raises:
        RequestTooLarge: ``raw`` is longer than ``MAX_REQUEST_BYTES``.
        InvalidRequest: ``raw`` is not a ``message_type``; the violation names the first bad field.
    """
    if len(raw) > MAX_REQUEST_BYTES:
        raise RequestTooLarge(len(raw), MAX_REQUEST_BYTES)
    try:
        message: Message = message_type.FromString(raw)
    except DecodeError as exc:
        field, problem = culprit(message_type.DESCRIPTOR, raw)
        raise InvalidRequest([FieldViolation(field, problem)]) from exc
    return message


def culprit(descriptor: Descriptor, raw: bytes) -> tuple[str, str]:
    """The top-level field of ``descriptor`` that makes ``raw`` undecodable, and what is wrong with it.

    Walks the wire format field by field; nested messages (and map entries) are blamed on the field
    that holds them. ``("request", ...)`` when no single field is at fault.
    """
    return _first_fault(descriptor, raw) or ("request", "is not a valid protobuf message")


def _first_fault(descriptor: Descriptor, raw: bytes) -> tuple[str, str] | None:
    reader = _Reader(raw)
    while not reader.done():
        tag = reader.varint()
        if tag is None:
            return "request", "is not a protobuf message (a field tag is cut short)"
        number, wire_type = tag >> 3, tag & 7
        field = descriptor.fields_by_number.get(number)
        name = field.name if field is not None else "request"
        payload = reader.value(wire_type)
        if payload is None:
            return name, "is cut short or has an invalid encoding"
        if field is None:
            continue
        expected = _WIRE_TYPE_OF.get(field.type, _VARINT)
        packed = wire_type == _LENGTH and is_repeated(field)
        if wire_type != expected and not packed:
            return name, "has the wrong wire type for its declared type"
        if field.type == FieldDescriptor.TYPE_STRING and wire_type == _LENGTH:
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError:
                return name, "is not valid UTF-8"
        if field.message_type is not None and wire_type == _LENGTH:
            inner = _first_fault(field.message_type, payload)
            if inner is not None:
                return name, inner[1]
    return None


def is_repeated(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a list (or a map, which the wire format spells as a list of entries)."""
    label: int = getattr(field, "label")  # noqa: B009 (missing from the stubs)
    return label == FieldDescriptor.LABEL_REPEATED


class _Reader:
    """A cursor over protobuf wire format that says None instead of raising on bad input."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.at = 0

    def done(self) -> bool:
        return self.at >= len(self.raw)

    def varint(self) -> int | None:
        value, shift = 0, 0
        while self.at < len(self.raw) and shift < 64:
            byte = self.raw[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        return None

    def value(self, wire_type: int) -> bytes | None:
        """The field's bytes (empty for fixed and varint values); None when cut short or invalid."""
        if wire_type == _VARINT:
            return b"" if self.varint() is not None else None
        if wire_type in (_FIXED64, _FIXED32):
            size = 8 if wire_type == _FIXED64 else 4
            if self.at + size > len(self.raw):
                return None
            self.at += size
            return b""
        if wire_type == _LENGTH:
            length = self.varint()
            if length is None or self.at + length > len(self.raw):
                return None
            payload = self.raw[self.at : self.at + length]
            self.at += length
            return payload
        return None  # groups (3, 4) are not used by proto3 messages; 6 and 7 do not exist


Serializer = Callable[[Any], bytes]


def response_serializer(serializer: Serializer | None) -> Serializer:
    """``serializer`` (a generated ``SerializeToString``), except that ``bytes`` go out as they are."""

    def serialize(message: Any) -> bytes:
        if type(message) is bytes:
            return message
        if serializer is None:
            raise TypeError(f"no serializer for {type(message).__name__}")
        return serializer(message)

    return serialize
