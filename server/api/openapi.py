"""The REST API's OpenAPI 3 document, from the protos' HTTP bindings: ``python -m server.api.openapi``.

The document is what Envoy's transcoder actually serves, read off the same descriptor set
(``envoy/descriptor.binpb``): each method's ``google.api.http`` rule gives the path and verb, path
templates become path parameters, the other request fields query parameters (GET) or the JSON body
(``body: "*"``), and fields are named and typed as the transcoder prints them (proto field names,
enums as names, 64-bit integers as strings, ``Timestamp`` as RFC 3339). Errors are the ``ErrorResponse``
envelope. ``make protos`` writes it to ``docs/openapi.json``, which Envoy serves at
``/api/v1/openapi.json``; a test fails when it is stale.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor

REPO_ROOT = Path(__file__).resolve().parents[2]
DESCRIPTOR_SET = REPO_ROOT / "envoy" / "descriptor.binpb"
DOCUMENT = REPO_ROOT / "docs" / "openapi.json"
SERVICES = ("company.v1.BatchService", "company.v1.ExtractionService")
ERROR_MESSAGE = "company.v1.ErrorResponse"
# Status codes the service answers besides success (docs/rest-api.md, "Envelope").
ERROR_STATUSES = {
    "400": "Invalid input: `field_violations` names each field",
    "401": "Missing or unknown API key (when authentication is on)",
    "404": "Unknown batch or path",
    "409": "The batch is already finished",
    "413": "The request body is too large",
    "429": "The queue is full or the client's rate limit is used up",
    "503": "Shutting down, starting, or no healthy server",
}
ACCEPTED = {"SubmitBatch", "RetryBatch"}  # answered 202 by envoy/rest.lua
SERVER_SENT_EVENTS = {"company.v1.BatchService.WatchBatchEvents": "company.v1.WatchBatchResponse"}
"""Streams of ``google.api.HttpBody`` that carry server-sent events, and the message each event prints."""
SCALARS: dict[int, dict[str, Any]] = {
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "format": "int64", "minimum": 0},
    # proto3 JSON prints 64-bit integers as strings.
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SINT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},
}
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?\d+(\.\d+)?s$"},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
}
FIELD_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
_TEMPLATE_VARIABLE = re.compile(r"\{([a-z_][a-z0-9_.]*)(=[^}]*)?\}")


def openapi_document(descriptor_set: bytes) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every HTTP-bound method of ``SERVICES`` in ``descriptor_set``."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set)
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for service_name in SERVICES:
        service = pool.FindServiceByName(service_name)
        for method in service.methods:
            rule = _http_rule(method)
            if rule is None:
                continue
            verb = rule.WhichOneof("pattern")
            template = getattr(rule, verb)
            path, variables = _path(template)
            operation = _operation(method, variables, verb, rule.body, schemas)
            paths.setdefault(path, {})[verb] = operation
    schemas.ref(pool.FindMessageTypeByName(ERROR_MESSAGE))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "company-batch REST API",
            "version": "v1",
            "description": "Batch extraction of company profiles. Generated from protos/ by "
            "`make protos`; see docs/rest-api.md.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.defined.items()))},
    }


def _http_rule(method: MethodDescriptor) -> http_pb2.HttpRule | None:
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return None
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
    return rule


def _path(template: str) -> tuple[str, list[str]]:
    """``/a/{batch_id}/b`` with its variables; ``{x=pattern}`` is written ``{x}``."""
    variables = [match.group(1) for match in _TEMPLATE_VARIABLE.finditer(template)]
    return _TEMPLATE_VARIABLE.sub(lambda m: "{" + m.group(1) + "}", template), variables


def _operation(
    method: MethodDescriptor, variables: list[str], verb: str, body: str, schemas: _Schemas
) -> dict[str, Any]:
    request = method.input_type
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in variables
    ]
    operation: dict[str, Any] = {
        "operationId": method.name,
        "tags": [method.containing_service.name],
    }
    other_fields = [f for f in request.fields if f.name not in variables]
    if body == "*":
        if other_fields:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schemas.object_of(request, exclude=variables)}},
            }
    else:
        parameters += [
            {"name": field.name, "in": "query", "required": False, "schema": schemas.field(field)}
            for field in other_fields
            if field.message_type is None or field.message_type.full_name in WELL_KNOWN
        ]
    if parameters:
        operation["parameters"] = parameters
    status = "202" if method.name in ACCEPTED else "200"
    operation["responses"] = {status: _success(method, schemas), **_errors(schemas)}
    return operation


def _success(method: MethodDescriptor, schemas: _Schemas) -> dict[str, Any]:
    output = method.output_type
    events = SERVER_SENT_EVENTS.get(method.full_name)
    if events is not None:  # a stream of HttpBody: the server renders the events' JSON itself
        event = method.containing_service.file.pool.FindMessageTypeByName(events)
        schema = {"schema": schemas.ref(event)}
        return {"description": "One `data:` line of JSON per event", "content": {"text/event-stream": schema}}
    if output.full_name == "google.api.HttpBody":
        files = {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (
                "application/json",
                "text/csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        }
        return {"description": "The results as a file", "content": files}
    media = "text/event-stream" if method.server_streaming else "application/json"
    description = "One `data:` line of JSON per event" if method.server_streaming else "The envelope"
    return {"description": description, "content": {media: {"schema": schemas.ref(output)}}}


def _errors(schemas: _Schemas) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{ERROR_MESSAGE}"}
    return {
        status: {"description": text, "content": {"application/json": {"schema": ref}}}
        for status, text in ERROR_STATUSES.items()
    }


class _Schemas:
    """Component schemas, one per message, defined as they are first referenced."""

    def __init__(self) -> None:
        self.defined: dict[str, dict[str, Any]] = {}

    def ref(self, message: Descriptor) -> dict[str, Any]:
        name = message.full_name
        if name in WELL_KNOWN:
            return dict(WELL_KNOWN[name])
        if name not in self.defined:
            self.defined[name] = {}  # placeholder first: messages may refer to themselves
            self.defined[name] = self.object_of(message)
        return {"$ref": f"#/components/schemas/{name}"}

    def object_of(self, message: Descriptor, exclude: Sequence[str] = ()) -> dict[str, Any]:
        properties = {f.name: self.field(f) for f in message.fields if f.name not in exclude}
        return {"type": "object", "properties": properties, "additionalProperties": False}

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self._single(value)}
        single = self._single(field)
        if field.label == FIELD_REPEATED:  # type: ignore[attr-defined]  # (types-protobuf lags the runtime)
            return {"type": "array", "items": single}
        return single

    def _single(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        return dict(SCALARS[field.type])


def render(descriptor_set: bytes) -> str:
    """The document as the committed file's text."""
    return json.dumps(openapi_document(descriptor_set), indent=2, sort_keys=False) + "\n"


def main() -> None:
    """Write ``docs/openapi.json`` (or the path given) from ``envoy/descriptor.binpb``."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENT
    target.write_text(render(DESCRIPTOR_SET.read_bytes()), encoding="utf-8")


if __name__ == "__main__":
    main()
