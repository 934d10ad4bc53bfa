"""Shared shapes of the recorded-response generator: files and routes per host."""

from __future__ import annotations

import json
from typing import Any

MODIFIED = "2025-01-10T08:00:00Z"  # the moment the records pretend to have been taken

Files = dict[str, dict[str, bytes]]  # host -> path relative to the host folder -> body
Routes = dict[str, list[dict[str, Any]]]  # host -> routes (specific first)


def route(
    path: str,
    query: dict[str, str],
    body_file: str | None,
    status: int = 200,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """One ``routes`` entry of a host's ``_meta.json``."""
    entry: dict[str, Any] = {
        "method": "GET",
        "path": path,
        "query": query,
        "status": status,
        "content_type": content_type,
    }
    if body_file:
        entry["body_file"] = body_file
    return entry


def add(
    files: Files, routes: Routes, host: str, body_file: str, body: Any, path: str, query: dict[str, str]
) -> None:
    """Record a JSON answer: its body file and the route serving it."""
    files.setdefault(host, {})[body_file] = (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode()
    routes.setdefault(host, []).append(route(path, query, body_file))
