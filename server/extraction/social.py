"""Social-network links of a page, classified, and the company's own profile per network. Pure.

A page links many accounts that are not the company's: share and intent buttons (``twitter.com/share``,
``facebook.com/sharer``), content (a status, a post, a video, a pull request), people (a blog author, a
team member), the network's own pages (login, help) and, on a network's own site, its own pages. Each
link is classified from its URL and where it sits on the page (site furniture: header, footer, nav; the
body; an author or team box); per network the profile that belongs to the company is kept: one whose
handle names the company, preferring structured ``sameAs`` and site furniture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import SplitResult, parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from server.extraction.evidence import quote
from server.extraction.names import name_key

NETWORKS = {
    "linkedin.com": "linkedin",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
    "github.com": "github",
    "tiktok.com": "tiktok",
    "xing.com": "xing",
    "crunchbase.com": "crunchbase",
    "wikipedia.org": "wikipedia",
    "wikidata.org": "wikidata",
    "weibo.com": "weibo",
}
# Path words (lower case, any segment) of links that share the page or act, not a profile.
SHARE_WORDS = frozenset(
    {
        "share",
        "sharer",
        "sharer.php",
        "shares",
        "intent",
        "social_plugins",
        "sharearticle",
        "dialog",
        "plugins",
    }
)
SHARE_QUERY_KEYS = frozenset({"url", "u", "status", "text", "shareurl", "mini"})
# First path segments that are the network's own pages, not an account.
NETWORK_PAGES = frozenset(
    {
        "account", "login", "signup", "settings", "privacy", "tos", "help", "about", "legal", "policies",
        "home", "search", "hashtag", "explore", "i", "watch", "embed", "results", "feed", "jobs", "pulse",
        "groups", "events", "apps", "pages", "gp", "login.php", "r.php", "wiki", "terms", "directory",
    }
)  # fmt: skip
# Path segments after the account that make the link one piece of content, per network.
CONTENT_SEGMENTS = {
    "twitter": {"status", "statuses", "lists", "moments", "likes"},
    "facebook": {"posts", "photos", "videos", "events", "permalink.php", "story.php", "notes", "media"},
    "instagram": {"p", "reel", "reels", "stories", "tv"},
    "youtube": {"watch", "embed", "playlist", "shorts", "live"},
    "linkedin": {"posts", "jobs", "life"},
    "github": set(),
    "weibo": set(),
    "vk": {"wall"},
}
# Path prefixes that hold the account name in the next segment.
ACCOUNT_PREFIXES = {
    "linkedin": ("company", "school", "showcase"),
    "youtube": ("user", "channel", "c"),
    "xing": ("companies", "pages", "company"),
    "crunchbase": ("organization",),
    "wikipedia": ("wiki",),
    "wikidata": ("wiki",),
    "weibo": ("u",),
    "facebook": ("pages",),
}
PERSON_PREFIXES = {"linkedin": ("in", "pub")}
# Ancestors whose class or id says "this is about a person": an author box, a byline, a team list.
PERSON_BOX_RE = re.compile(r"author|byline|team|member|speaker|comment|bio\b|person|staff", re.IGNORECASE)
CHROME_TAGS = frozenset({"header", "footer", "nav"})
# A class or id word (between spaces, dashes, underscores) naming site furniture: "site-footer", "header_top".
CHROME_BOX_RE = re.compile(
    r"(?:^|[\s_-])(?:footer|header|social|follow|navbar|nav|topbar|socials)(?:$|[\s_\d-])", re.IGNORECASE
)
BODY_TAGS = frozenset({"article", "main"})
OPAQUE_HANDLE_RE = re.compile(r"^(?:UC[\w-]{22}|\d{5,}|profile\.php)$")
MIN_HANDLE_WORD = 3
# Query keys that track the click (campaign tags, click ids), dropped from a profile URL; others stay as
# printed ("?sub_confirmation=1" is part of the link the site gives).
TRACKING_KEY_RE = re.compile(r"(?:^|&)(?:utm_\w+|fbclid|gclid|igshid|mc_cid|mc_eid)(?==|&|$)", re.IGNORECASE)
PAGE_FILE_RE = re.compile(r"\.(?:php|html?|aspx?|jsp)$")  # a script or document of the network, no account
PLACEMENT_CONFIDENCE = {"sameAs": 0.9, "chrome": 0.8, "page": 0.7, "body": 0.5}
MAX_SOCIAL_LINKS = 200  # per page: a page of thousands of links names no more profiles


class LinkLike(Protocol):
    """What ``social_links`` reads of a page link (``server.extraction.parse.PageLink``)."""

    @property
    def url(self) -> str: ...

    @property
    def parts(self) -> SplitResult: ...

    @property
    def element(self) -> Any: ...

    @property
    def host(self) -> str | None: ...  # ``parts.hostname``, read once


@dataclass(frozen=True)
class SocialLink:
    """One link to a social network, classified.

    ``kind``: "profile", "share", "content", "person", "network" (the network's own pages).
    ``placement``: "sameAs" (structured data), "chrome" (header, footer, nav), "body", "page" (elsewhere).
    """

    network: str
    url: str
    kind: str
    handle: str
    placement: str
    evidence: str


def network_of(host: str) -> str | None:
    """ "twitter" for ``www.twitter.com``, ..., None for a host on no known network."""
    labels = host.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):  # "www.facebook.com": "www.facebook.com", then "facebook.com"
        network = NETWORKS.get(".".join(labels[start:]))
        if network is not None:
            return network
    return None


def classify_url(url: str) -> tuple[str | None, str, str, str]:
    """(network, kind, handle, canonical URL) of a link; legacy ``#!/name`` URLs read as ``/name``."""
    parts = urlsplit(url.strip())
    network = network_of(parts.hostname or "")
    if network is None:
        return None, "other", "", url
    path = parts.path
    if parts.fragment.startswith("!/") and path.strip("/") == "":  # twitter.com/#!/name (pre-2012 links)
        path = parts.fragment[1:]
        parts = parts._replace(path=path, fragment="")
        url = urlunsplit(parts)
    if parts.query and TRACKING_KEY_RE.search(
        parts.query
    ):  # utm_source=..., fbclid=...: the link's, not the account's
        kept = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_KEY_RE.match(k)
        ]
        parts = parts._replace(query=urlencode(kept))
        url = urlunsplit(parts)
    segments = [s for s in path.split("/") if s]
    lowered = [s.lower() for s in segments]
    query = parse_qs(parts.query)
    if set(lowered) & SHARE_WORDS or (
        {key.lower() for key in query} & SHARE_QUERY_KEYS
        and any("//" in v or "." in v for vs in query.values() for v in vs)
    ):
        return network, "share", "", url
    if network == "youtube" and lowered[:1] == ["profile"] and query.get("user"):
        return network, "profile", query["user"][0], url  # youtube.com/profile?user=name (legacy)
    if network == "facebook" and lowered[:1] == ["profile.php"] and query.get("id"):
        return network, "profile", query["id"][0], url
    if not segments:
        return network, "network", "", url
    if lowered[0] in PERSON_PREFIXES.get(network, ()):
        return network, "person", segments[1] if len(segments) > 1 else "", url
    prefixes = ACCOUNT_PREFIXES.get(network, ())
    if lowered[0] in prefixes:
        if len(segments) < 2:
            return network, "network", "", url
        handle, rest = segments[1], lowered[2:]
        if network == "facebook" and len(segments) > 2:  # facebook.com/pages/Name/12345
            rest = lowered[3:]
    elif lowered[0].startswith("@"):
        handle, rest = segments[0][1:], lowered[1:]
    elif lowered[0] in NETWORK_PAGES or any(PAGE_FILE_RE.search(segment) for segment in lowered):
        return network, "content" if lowered[0] in ("watch", "embed", "i") else "network", "", url
    else:
        handle, rest = segments[0], lowered[1:]
    if network in ("wikipedia", "wikidata"):
        return network, "profile", handle, url  # an article: about the company only if its title says so
    if rest and (
        network == "github" or set(rest) & CONTENT_SEGMENTS.get(network, set()) or network == "twitter"
    ):
        return network, "content", handle, url
    if parts.query and network == "facebook" and "sk" in query:  # a page's app tab: the page itself
        return network, "profile", handle, url
    return network, "profile", handle, url


def placement_of(element: Any) -> tuple[str, bool]:
    """(where a link sits, whether it sits in a person's box), from its ancestors' tags, classes and ids."""
    placement = "page"
    person = False
    for ancestor in element.iterancestors():
        if ancestor.tag in ("html", "body"):  # page-wide classes ("headerfooter-menu3") say nothing here
            break
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if not person and PERSON_BOX_RE.search(marks):
            person = True
        if ancestor.tag in CHROME_TAGS or CHROME_BOX_RE.search(marks):
            return "chrome", person
        if ancestor.tag in BODY_TAGS:
            placement = "body"
    return placement, person


def social_links(links: Iterable[LinkLike]) -> list[SocialLink]:
    """Every link of a page to a known network, classified (page order, at most ``MAX_SOCIAL_LINKS``)."""
    found: list[SocialLink] = []
    links = list(links)
    # Most links share a few hosts (the site's own above all): each host is asked once, and only the
    # links to a network's host are read further.
    on_networks = {host for host in {link.host for link in links} if network_of(host or "") is not None}
    for link in (link for link in links if link.host in on_networks):
        network, kind, handle, url = classify_url(link.url)
        if network is None:
            continue
        placement, person = placement_of(link.element)
        if person and kind == "profile":
            kind = "person"
        href = str(link.element.get("href") or url)
        found.append(SocialLink(network, url, kind, handle, placement, quote(href)))
        if len(found) >= MAX_SOCIAL_LINKS:
            break
    return found


def structured_links(urls: Iterable[Any]) -> list[SocialLink]:
    """``sameAs`` URLs of a schema.org record (nested lists flattened), classified."""
    found = []
    for url in _flatten(urls):
        network, kind, handle, canonical = classify_url(str(url))
        if network is not None:
            found.append(SocialLink(network, canonical, kind, handle, "sameAs", quote(f'"sameAs": "{url}"')))
    return found


def handle_names(handle: str, names: Iterable[str]) -> bool:
    """Whether an account handle names the company: a name's key (or a word of it) is in the handle."""
    key = name_key(handle)
    if not key:
        return False
    for name in names:
        whole = name_key(name)
        if whole and (whole in key or (len(key) >= MIN_HANDLE_WORD and key in whole)):
            return True
        words = [name_key(word) for word in re.split(r"[\s\-_.]+", name)]
        if any(len(word) >= MIN_HANDLE_WORD and word in key for word in words):
            return True
    return False


def choose_profiles(
    links: Iterable[SocialLink], names: list[str], own_domain: str
) -> dict[str, tuple[SocialLink, float]]:
    """Per network, the company's profile among ``links`` (every page's), with a confidence.

    Kept: profile links (not share, content, person or the network's own pages), not on the company's
    own domain (a network's site links its own pages). A handle that names the company wins; one that
    does not is kept only from site furniture or ``sameAs``, when it is opaque (a channel id) or no other
    network's profile on the site names the company (then an unnamed handle is likely a product's).
    Among links to the same account the plainest URL (no query) is given.
    """
    candidates = [
        link
        for link in links
        if link.kind == "profile" and not _on_domain(link.url, own_domain) and link.handle
    ]
    named = {link.network for link in candidates if handle_names(link.handle, names)}
    chosen: dict[str, tuple[SocialLink, float]] = {}
    by_network: dict[str, list[SocialLink]] = {}
    for link in candidates:
        by_network.setdefault(link.network, []).append(link)
    for network, group in by_network.items():
        scored = []
        for link in group:
            names_it = handle_names(link.handle, names)
            opaque = bool(OPAQUE_HANDLE_RE.match(link.handle))
            if network in ("wikipedia", "wikidata") and not names_it:
                continue  # an article about something else
            if not names_it:
                if link.placement not in ("sameAs", "chrome"):
                    continue
                if not opaque and named - {network}:
                    continue
                if network in named:
                    continue
            same_account = [other for other in group if other.handle.lower() == link.handle.lower()]
            confidence = PLACEMENT_CONFIDENCE[link.placement] * (1.0 if names_it else 0.85)
            plain = not urlsplit(link.url).query
            printed = sum(1 for other in group if other.url == link.url)
            scored.append((names_it, confidence, len(same_account), plain, printed, link))
        if not scored:
            continue
        scored.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
        best = scored[0]
        account = [item for item in scored if item[5].handle.lower() == best[5].handle.lower()]
        # The plainest spelling (no query), then the one the site prints most often.
        plainest = sorted(account, key=lambda item: (not item[3], -item[4], -item[1]))[0][5]
        chosen[network] = (plainest, round(best[1], 3))
    return chosen


def _on_domain(url: str, domain: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


def _flatten(values: Iterable[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            flat.extend(_flatten(value))
        elif value is not None:
            flat.append(value)
    return flat
