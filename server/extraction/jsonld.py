"""JSON-LD blocks that extruct's strict reader drops, read leniently. Pure.

Real pages wrap their JSON-LD in ``<![CDATA[ ... ]]>`` or an HTML comment (a habit of XHTML-era
templates and some server-side renderers), or leave a control character in a string; extruct then
reads nothing from the block, and the page's Organization record (name, legal name, sameAs) is lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

WRAPPER_RE = re.compile(r"^\s*(?:<!\[CDATA\[|<!--|//\s*<!\[CDATA\[)|(?:\]\]>|-->|//\s*\]\]>)\s*$")
JSONLD_TYPE = "application/ld+json"
MAX_BLOCK_CHARS = 1_000_000  # a block beyond this is no record of a company


def lenient_jsonld(root: Any, scripts: Sequence[Any] | None = None) -> list[Any]:
    """Every JSON-LD block of the page that parses once its CDATA or comment wrapper is cut off.

    ``scripts`` are the page's ``<script>`` elements in page order, when the caller has them already.
    """
    found: list[Any] = []
    for script in scripts if scripts is not None else root.iter("script"):
        if (script.get("type") or "").strip().lower() != JSONLD_TYPE:
            continue
        text = "".join(script.itertext()) if len(script) else (script.text or "")
        if not text.strip() or len(text) > MAX_BLOCK_CHARS:
            continue
        unwrapped = WRAPPER_RE.sub("", text.strip())
        unwrapped = WRAPPER_RE.sub("", unwrapped.strip())
        try:
            found.append(json.loads(unwrapped, strict=False))
        except ValueError:
            continue
    return found


def jsonld_items(blocks: list[Any]) -> list[dict[str, Any]]:
    """The top-level nodes of JSON-LD blocks, lists flattened, the way extruct hands them over."""
    items: list[dict[str, Any]] = []
    for block in blocks:
        for node in block if isinstance(block, list) else [block]:
            if isinstance(node, dict):
                items.append(node)
    return items


def publisher_names(items: list[dict[str, Any]]) -> list[str]:
    """Names of the Organization publishing the page's articles (``publisher.name`` of a BlogPosting):
    an article names the site's owner as its publisher."""
    names: list[str] = []
    for item in items:
        graph = item.get("@graph")
        for node in graph if isinstance(graph, list) else [item]:
            publisher = node.get("publisher") if isinstance(node, dict) else None
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                name = publisher["name"].strip()
                if name and name not in names:
                    names.append(name)
    return names
