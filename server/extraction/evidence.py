"""Bounded quotes of page text: what a finding shows as the evidence it was read from."""

from __future__ import annotations

import re

WHITESPACE_RE = re.compile(r"\s+")
ELLIPSIS = "…"
# ``sources.base.EVIDENCE_CHARS``, repeated because the parsers must not import the source layer (which
# imports them); a test keeps the two equal.
EVIDENCE_CHARS = 200


def quote(text: str, needle: str | None = None, *, limit: int = EVIDENCE_CHARS) -> str:
    """At most ``limit`` characters of ``text`` (whitespace collapsed), centred on ``needle`` when present.

    A quote that is cut is marked with an ellipsis at the cut, so a reader sees it is an excerpt.
    """
    flat = WHITESPACE_RE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    at = flat.find(WHITESPACE_RE.sub(" ", needle).strip()) if needle else -1
    if at < 0:
        return flat[: limit - 1] + ELLIPSIS
    width = len(needle or "")
    start = max(0, min(at - (limit - width) // 2, len(flat) - limit))
    excerpt = flat[start : start + limit]
    if start > 0:
        excerpt = ELLIPSIS + excerpt[1:]
    if start + limit < len(flat):
        excerpt = excerpt[:-1] + ELLIPSIS
    return excerpt
