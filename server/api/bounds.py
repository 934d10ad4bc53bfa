"""Size bounds of every error answer, whatever the input that caused it.

An error travels three times in gRPC trailing metadata (``grpc-message``, ``grpc-status-details-bin``
and the REST envelope for Envoy, see ``server/api/status.py``). Trailers are headers: grpc clients
refuse metadata above 8 KiB by default and Envoy resets the whole upstream HTTP/2 connection (every
other user's calls on it) when a header block passes its limit. So an error quotes at most
``MAX_QUOTE_CHARS`` of any input, reports at most ``MAX_VIOLATIONS`` violations plus a count of the
rest, and the encoder drops violations until the trailers fit ``MAX_TRAILER_BYTES``.
"""

from __future__ import annotations

from server.errors import FieldViolation

MAX_QUOTE_CHARS = 40
"""Characters of raw input an error message repeats; enough to recognise the value."""
MAX_FIELD_CHARS = 80
"""A field path names input too (``domain_hints[<name>]``)."""
MAX_DESCRIPTION_CHARS = 200
MAX_VIOLATIONS = 10
"""Violations reported one by one; the rest are counted in one more."""
MAX_TRAILER_BYTES = 6144
"""Trailing metadata of one error, all copies together: well under grpc's 8 KiB and Envoy's 60 KiB."""


def quote(raw: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """``raw`` as a Python literal, cut to ``limit`` characters with the length of the rest said."""
    if len(raw) <= limit:
        return repr(raw)
    return f"{raw[:limit]!r}… ({len(raw)} characters)"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded_violations(violations: list[FieldViolation], limit: int = MAX_VIOLATIONS) -> list[FieldViolation]:
    """At most ``limit`` violations (fields and descriptions clipped), then one that counts the rest."""
    shown = [
        FieldViolation(clip(v.field, MAX_FIELD_CHARS), clip(v.description, MAX_DESCRIPTION_CHARS))
        for v in violations[:limit]
    ]
    rest = len(violations) - len(shown)
    if rest > 0:
        shown.append(FieldViolation("request", f"and {rest} more field violation(s) not listed"))
    return shown
