"""A protobuf message as JSON, byte for byte as Envoy's JSON transcoder prints it (envoy.yaml).

The REST watch stream is rendered here once per event and shared by every server-sent-events
watcher, instead of Envoy transcoding the same message again for each one
(``server.api.watch_messages``). Its clients read what the transcoder printed before, so this follows
protobuf's C++ JSON printer (``json/internal/unparser.cc``, ``writer.cc``) with envoy.yaml's options:
no whitespace, field names as in the proto, enums by name, every field without presence printed (its
default when unset), fields with presence only when set. The details a generic JSON library does
differently: fields in field-number order, doubles through ``%.15g`` (``%.17g`` when that does not
read back: ``100``, not ``100.0``), 64-bit integers quoted, and the escaping of ``<``, ``>`` and the
invisible or separator characters listed in ``_ESCAPED`` as ``\\uXXXX``.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from server.api.wire import is_repeated

_ESCAPED = re.compile(
    '[\x00-\x1f"\\\\<>\x7f-\x9f\u00ad\u0600-\u0603\u06dd\u070f\u17b4\u17b5\u200b-\u200f\u2028-\u202e'
    "\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
"""What the C++ printer escapes: JSON's own set, plus characters that are unsafe in JavaScript."""
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\f": "\\f", "\b": "\\b", "\\": "\\\\"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESTAMP = "google.protobuf.Timestamp"
_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}

_Writer = Callable[[Any], str]


def message_json(message: Message) -> str:
    """``message`` as the transcoder prints it (a message type without well-known types but Timestamp)."""
    return _message(message)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    point = ord(char)
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000  # written as a UTF-16 surrogate pair, as the C++ printer does
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def _string(value: str) -> str:
    return '"' + _ESCAPED.sub(_escape, value) + '"'


def _double(value: float) -> str:
    if value != value:
        return '"NaN"'
    if value in (float("inf"), float("-inf")):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    text = f"{value:.15g}"
    return text if float(text) == value else f"{value:.17g}"


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return _double(value)
    text = f"{value:.6g}"
    return text if _as_float32(float(text)) == _as_float32(value) else f"{value:.9g}"


def _as_float32(value: float) -> float:
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded


def _timestamp(message: Any) -> str:
    moment = _EPOCH + timedelta(seconds=message.seconds)
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    nanos, digits = message.nanos, 9
    if nanos:
        while nanos % 1000 == 0:
            nanos, digits = nanos // 1000, digits - 3
        text += f".{nanos:0{digits}d}"
    return f'"{text}Z"'


def _message(message: Any) -> str:
    descriptor = message.DESCRIPTOR
    if descriptor.full_name == _TIMESTAMP:
        return _timestamp(message)
    members = []
    for field, has_presence, write in _fields(descriptor):
        if has_presence and not message.HasField(field.name):
            continue
        members.append(f'"{field.name}":{write(getattr(message, field.name))}')
    return "{" + ",".join(members) + "}"


@cache
def _fields(descriptor: Descriptor) -> tuple[tuple[FieldDescriptor, bool, _Writer], ...]:
    """Each field in field-number order, whether it is printed only when set, and its printer."""
    fields = sorted(descriptor.fields, key=lambda field: field.number)
    return tuple((field, field.has_presence, _field_writer(field)) for field in fields)


def _field_writer(field: FieldDescriptor) -> _Writer:
    entry = field.message_type
    if entry is not None and entry.GetOptions().map_entry:
        key, value = (
            _map_key_writer(entry.fields_by_name["key"]),
            _single_writer(entry.fields_by_name["value"]),
        )
        # In wire order, as the transcoder met the entries: upb writes a map backwards from its
        # iteration order (so this matches the bytes WatchBatch sends for the same message).
        return lambda mapping: (
            "{" + ",".join(f"{key(k)}:{value(v)}" for k, v in list(mapping.items())[::-1]) + "}"
        )
    single = _single_writer(field)
    if is_repeated(field):
        return lambda values: "[" + ",".join(single(value) for value in values) + "]"
    return single


def _map_key_writer(field: FieldDescriptor) -> _Writer:
    """Map keys are JSON strings whatever their type: ``"7"``, ``"true"``."""
    if field.type == FieldDescriptor.TYPE_STRING:
        return _string
    if field.type == FieldDescriptor.TYPE_BOOL:
        return lambda value: '"true"' if value else '"false"'
    return lambda value: f'"{value}"'


def _single_writer(field: FieldDescriptor) -> _Writer:
    kind = field.type
    if kind in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return _message
    if kind == FieldDescriptor.TYPE_STRING:
        return _string
    if kind == FieldDescriptor.TYPE_BOOL:
        return lambda value: "true" if value else "false"
    if kind == FieldDescriptor.TYPE_DOUBLE:
        return _double
    if kind == FieldDescriptor.TYPE_FLOAT:
        return _float
    if kind == FieldDescriptor.TYPE_BYTES:
        return lambda value: '"' + base64.b64encode(value).decode("ascii") + '"'
    if kind == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        assert enum is not None
        names = {number: _string(value.name) for number, value in enum.values_by_number.items()}
        return lambda value: names.get(value, str(value))
    if kind in _INT64:
        return lambda value: f'"{value}"'
    return str  # 32-bit integers
