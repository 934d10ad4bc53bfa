"""Strict REST bodies: unknown JSON fields and values of the wrong JSON kind are field violations.

Envoy's JSON transcoder drops fields the request message does not define (``"priorty": "high"`` runs
the batch at normal priority) and reads ``"company_names": "Acme"`` as ``["Acme"]``; it has no option
to refuse either. So Envoy's Lua filter (``envoy/rest.lua``) scans the body and sends its shape, the
top-level keys with the JSON kind of each value, in the ``x-rest-body-shape`` header:
``company_names=array:string,priorty=string`` (keys percent-encoded, still JSON-escaped; ``*=N``
counts keys beyond the first 32). This module checks that shape against the request's descriptor,
so the rule follows the protos and names no field itself.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from server.api.bounds import MAX_QUOTE_CHARS, clip
from server.api.wire import is_repeated
from server.errors import FieldViolation

SHAPE_HEADER = "x-rest-body-shape"
_SCALAR_KINDS = frozenset({"string", "number", "bool", "null"})
_NUMBER_KINDS = frozenset({"number", "string"})
"""The proto3 JSON mapping lets numbers be quoted; the transcoder then rejects what is not one."""
_SCALAR_KINDS_OF = {
    FieldDescriptor.TYPE_BOOL: frozenset({"bool"}),
    FieldDescriptor.TYPE_STRING: frozenset({"string"}),
    FieldDescriptor.TYPE_BYTES: frozenset({"string"}),
    FieldDescriptor.TYPE_ENUM: frozenset({"string"}),  # the contract spells enums as names
}


def shape_violations(shape: str, descriptor: Descriptor) -> list[FieldViolation]:
    """Violations of the body whose shape (see the module docstring) is ``shape``."""
    violations: list[FieldViolation] = []
    seen: set[str] = set()
    by_json_name = {field.json_name: field for field in descriptor.fields}
    for entry in filter(None, shape.split(",")):
        raw_key, _, kind = entry.partition("=")
        if raw_key == "*":
            violations.append(FieldViolation("request", f"has {kind} more fields than were checked"))
            continue
        key = _json_key(raw_key)
        field = descriptor.fields_by_name.get(key) or by_json_name.get(key)
        shown = clip(key, MAX_QUOTE_CHARS) or '""'  # a JSON key may be empty; a field name may not
        if field is None:
            violations.append(FieldViolation(shown, f"is not a field of {descriptor.name}"))
            continue
        if field.name in seen:
            violations.append(FieldViolation(field.name, "is given more than once"))
            continue
        seen.add(field.name)
        problem = _kind_problem(field, kind)
        if problem:
            violations.append(FieldViolation(field.name, problem))
    return violations


def _json_key(raw: str) -> str:
    """A key as the transcoder reads it: percent-decoded, then its JSON escapes resolved."""
    text = unquote(raw, errors="replace")
    try:
        key = json.loads(f'"{text}"')
    except ValueError:
        return text
    if not isinstance(key, str):
        return text
    # A lone surrogate ("\ud872") is no character: no field has it, and protobuf cannot look it up.
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _kind_problem(field: FieldDescriptor, kind: str) -> str:
    """Why a JSON value of ``kind`` cannot be ``field``'s value, or '' when it can."""
    base, _, members = kind.partition(":")
    if base == "null":
        return ""
    entry = field.message_type
    if entry is not None and _is_map(field):
        if base != "object":
            return f"must be a JSON object (got {_article(base)})"
        value = entry.fields_by_name["value"]
        if value.type == FieldDescriptor.TYPE_STRING and members not in ("", "string"):
            return "must map names to strings"
        return ""
    if is_repeated(field):
        if base != "array":
            return f"must be a JSON array (got {_article(base)})"
        if field.type == FieldDescriptor.TYPE_STRING and members not in ("", "string"):
            return "must be an array of strings"
        return ""
    if field.message_type is not None and not field.message_type.full_name.startswith("google.protobuf."):
        return "" if base == "object" else f"must be a JSON object (got {_article(base)})"
    if base not in _SCALAR_KINDS:
        return f"must be a single value (got {_article(base)})"
    allowed = _SCALAR_KINDS_OF.get(field.type, _NUMBER_KINDS)
    if base not in allowed:
        return f"must be {' or '.join(_article(k) for k in sorted(allowed))} (got {_article(base)})"
    return ""


def _article(kind: str) -> str:
    return {"array": "an array", "object": "an object", "bool": "true or false"}.get(kind, f"a {kind}")


def _is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return is_repeated(field) and entry is not None and entry.GetOptions().map_entry
