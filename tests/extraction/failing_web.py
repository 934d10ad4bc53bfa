"""A small corpus of hosts that fail in every way issue 12 names, written into a test's tmp_path.

Each host is served by the real sandbox web (``sandbox.web.SandboxWeb``) under its name; the fetcher
reaches it over loopback exactly as it would the web.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHALLENGE_PAGE = """<!DOCTYPE html><html><head><title>Just a moment...</title></head>
<body><h1>Steady Widgets Inc.</h1><p>Checking your browser before accessing the site.</p>
<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>"""
CAPTCHA_WALL = """<!DOCTYPE html><html><head><title>Steady Widgets Inc.</title></head>
<body><p>Please verify you are a human to continue.</p>
<div class="g-recaptcha" data-sitekey="x"></div></body></html>"""


def home_page(name: str, extra: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{name}</title>"
        f'<meta property="og:site_name" content="{name}"></head>'
        f"<body><h1>{name}</h1><p>{name} makes widgets.</p>{extra}</body></html>"
    )


# A company's contact page with a reCAPTCHA on its form and words of its own: a page, not a wall.
CONTACT_FORM = home_page(
    "Steady Widgets Inc.",
    '<form action="/send"><textarea name="message"></textarea><div class="g-recaptcha"></div></form>'
    + "<p>Write to us about widgets, gears and bearings; our team answers within a day.</p>" * 40,
)

HOSTS: dict[str, dict[str, Any]] = {
    # host: {"meta": _meta.json, "index": home page HTML, "files": {path: body}}
    "steady-widgets.example": {"index": home_page("Steady Widgets Inc."), "files": {"contact": CONTACT_FORM}},
    "always-down.example": {"meta": {"status": 503}, "index": home_page("Always Down Inc.")},
    "down-twice.example": {
        "meta": {"status": 502, "recover_after": 2},
        "index": home_page("Down Twice Inc."),
    },
    "reset-once.example": {
        "meta": {"failure": "reset", "recover_after": 1},
        "index": home_page("Reset Once Inc."),
    },
    "refusing-gate.example": {"meta": {"status": 403}, "index": home_page("Refusing Gate Inc.")},
    "busy-once.example": {
        "meta": {"status": 429, "headers": {"Retry-After": "2"}, "recover_after": 1},
        "index": home_page("Busy Once Inc."),
    },
    "always-busy.example": {
        "meta": {"status": 429, "headers": {"Retry-After": "3600"}},
        "index": home_page("Always Busy Inc."),
    },
    "challenge-gate.example": {
        "meta": {
            "headers": {"cf-mitigated": "challenge"},
            "routes": [
                {"path": "/", "status": 503, "content_type": "text/html", "body_file": "_challenge.html"}
            ],
        },
        "files": {"_challenge.html": CHALLENGE_PAGE},
    },
    "moment-please.example": {"index": CHALLENGE_PAGE},
    "captcha-wall.example": {"index": CAPTCHA_WALL},
    "never-answers.example": {"meta": {"failure": "timeout"}, "index": home_page("Never Answers Inc.")},
    # A knowledge-source API host that is down (GLEIF's, which every full-text search asks).
    "api.gleif.org": {"meta": {"status": 503}},
}


def write_corpus(root: Path) -> Path:
    """Write ``HOSTS`` as a sandbox corpus under ``root``; returns ``root``."""
    for host, spec in HOSTS.items():
        site = root / "sites" / host
        site.mkdir(parents=True)
        if "meta" in spec:
            (site / "_meta.json").write_text(json.dumps(spec["meta"]), "utf-8")
        if "index" in spec:
            (site / "index.html").write_text(spec["index"], "utf-8")
        for path, body in spec.get("files", {}).items():
            target = site / path
            if not path.startswith("_") and "." not in path:
                target.mkdir()
                target = target / "index.html"
            target.write_text(body, "utf-8")
    return root
