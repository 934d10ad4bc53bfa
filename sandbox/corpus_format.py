"""Reads a sandbox corpus directory: which hosts exist, what each serves, and how each misbehaves.

The on-disk format is documented in ``sandbox/corpus/README.md``. Everything here is pure file reading;
``sandbox.web`` turns it into HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SITES_DIR = "sites"
META_FILE = "_meta.json"
PRIVATE_PREFIX = "_"  # files and folders starting with this are never served as pages
INDEX_FILE = "index.html"

FAILURE_RESET = "reset"
FAILURE_TIMEOUT = "timeout"
FAILURES = frozenset({FAILURE_RESET, FAILURE_TIMEOUT})
DEFAULT_REDIRECT_STATUS = 301
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class CorpusError(ValueError):
    """The corpus directory is malformed."""


@dataclass(frozen=True)
class Route:
    """One recorded response: matched on method, path and query parameters."""

    method: str
    path: str
    query: dict[str, str]
    query_exact: bool
    status: int
    content_type: str
    body_file: Path | None
    headers: dict[str, str]

    def matches(self, method: str, path: str, query: dict[str, str]) -> bool:
        """Whether a request is answered by this route."""
        if method.upper() != self.method or path != self.path:
            return False
        if self.query_exact:
            return query == self.query
        return all(query.get(key) == value for key, value in self.query.items())


@dataclass(frozen=True)
class SiteSpec:
    """One hostname of the corpus: its files and its behaviour."""

    hostname: str
    root: Path
    latency_seconds: float = 0.0
    status: int | None = None
    failure: str | None = None
    redirect_to: str | None = None
    redirect_status: int = DEFAULT_REDIRECT_STATUS
    path_redirects: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    # An API that takes its key as the HTTP basic-auth user (Companies House): others get 401.
    basic_auth_user: str | None = None
    recover_after: int | None = None  # ``status``/``failure`` hold for this many requests, then stop

    def find_route(self, method: str, path: str, query: dict[str, str]) -> Route | None:
        """The first recorded route answering this request, if any."""
        return next((route for route in self.routes if route.matches(method, path, query)), None)

    def find_file(self, path: str) -> Path | None:
        """The file serving a URL path, or None; never escapes the site folder or serves private files."""
        parts = [part for part in path.split("/") if part]
        if any(part.startswith((PRIVATE_PREFIX, ".")) for part in parts):  # metadata, dotfiles, traversal
            return None
        candidate = self.root.joinpath(*parts)
        if candidate.is_dir():
            candidate = candidate / INDEX_FILE
        elif not candidate.exists() and candidate.suffix == "":
            candidate = candidate.with_suffix(".html")
        try:
            candidate.resolve().relative_to(self.root.resolve())
        except ValueError:
            return None
        return candidate if candidate.is_file() else None


@dataclass(frozen=True)
class Corpus:
    """Every site of a corpus directory, by lower-case hostname."""

    root: Path
    sites: dict[str, SiteSpec]

    @property
    def hostnames(self) -> list[str]:
        return sorted(self.sites)

    def site_for(self, hostname: str) -> SiteSpec | None:
        """The site serving a Host header value (port and trailing dot ignored)."""
        host = hostname.rsplit(":", 1)[0] if not hostname.startswith("[") else hostname
        return self.sites.get(host.rstrip(".").lower())


def load_corpus(root: Path) -> Corpus:
    """Read ``root/sites/<hostname>/`` folders and their ``_meta.json`` files.

    Raises:
        CorpusError: the directory or a metadata file is malformed.
    """
    sites_dir = root / SITES_DIR
    if not sites_dir.is_dir():
        raise CorpusError(f"{sites_dir} is not a directory")
    sites = {}
    for site_dir in sorted(path for path in sites_dir.iterdir() if path.is_dir()):
        hostname = site_dir.name.lower()
        meta_path = site_dir / META_FILE
        meta: dict[str, Any] = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        sites[hostname] = _site_from_meta(hostname, site_dir, meta)
    return Corpus(root=root, sites=sites)


def _site_from_meta(hostname: str, root: Path, meta: dict[str, Any]) -> SiteSpec:
    failure = meta.get("failure")
    if failure is not None and failure not in FAILURES:
        raise CorpusError(f"{hostname}: failure must be one of {sorted(FAILURES)}, not {failure!r}")
    routes = tuple(_route_from_meta(hostname, root, raw) for raw in meta.get("routes", []))
    return SiteSpec(
        hostname=hostname,
        root=root,
        latency_seconds=float(meta.get("latency_seconds", 0.0)),
        status=meta.get("status"),
        failure=failure,
        redirect_to=meta.get("redirect_to"),
        redirect_status=int(meta.get("redirect_status", DEFAULT_REDIRECT_STATUS)),
        path_redirects=dict(meta.get("path_redirects", {})),
        headers=dict(meta.get("headers", {})),
        routes=routes,
        basic_auth_user=meta.get("basic_auth_user"),
        recover_after=int(meta["recover_after"]) if meta.get("recover_after") is not None else None,
    )


def _route_from_meta(hostname: str, root: Path, raw: dict[str, Any]) -> Route:
    if "path" not in raw:
        raise CorpusError(f"{hostname}: every route needs a path")
    body_file = root / raw["body_file"] if raw.get("body_file") else None
    if body_file is not None and not body_file.is_file():
        raise CorpusError(f"{hostname}: route body {body_file} does not exist")
    return Route(
        method=str(raw.get("method", "GET")).upper(),
        path=raw["path"],
        query={str(key): str(value) for key, value in raw.get("query", {}).items()},
        query_exact=bool(raw.get("query_exact", False)),
        status=int(raw.get("status", 200)),
        content_type=str(raw.get("content_type", DEFAULT_CONTENT_TYPE)),
        body_file=body_file,
        headers=dict(raw.get("headers", {})),
    )
