"""Whether a ``webhook_url`` may be called: the fetcher's SSRF guard, applied at submit.

A literal address is judged as the fetcher judges one (loopback, private, link-local, metadata and
other non-public addresses, in any spelling); ``localhost`` names are refused alike. A hostname is
resolved only when a delivery is sent, through the fetcher's ``GuardedResolver``, so a name that points
at a private address fails its deliveries (see ``dispatcher``). ``allow_private_addresses`` (the setting
the sandbox and tests use for fetches) lets both through.
"""

from __future__ import annotations

from yarl import URL

from server.domain import MAX_WEBHOOK_URL_LENGTH
from server.extraction.fetcher import is_forbidden_address


def webhook_url_problem(raw: str, allow_private: bool) -> str | None:
    """Why ``raw`` cannot be a webhook URL, or None when it can."""
    if len(raw) > MAX_WEBHOOK_URL_LENGTH:
        return f"must be at most {MAX_WEBHOOK_URL_LENGTH} characters"
    try:
        url = URL(raw)
    except (ValueError, TypeError):
        return "must be an absolute http(s) URL"
    if url.scheme not in ("http", "https") or not url.host or not url.is_absolute():
        return "must be an absolute http(s) URL such as https://example.com/hooks"
    if url.fragment:
        return "must not have a #fragment"
    if allow_private:
        return None
    host = url.host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "must not point at this machine (localhost)"
    try:
        forbidden = is_forbidden_address(host)
    except ValueError:
        return None  # a hostname: its addresses are judged when a delivery resolves it
    if forbidden:
        return f"must not point at a non-public address ({host})"
    return None
