"""E-mail addresses a page prints, where it prints them, and what each mailbox is for. Pure.

An address in a mailto link, in prose or hidden as "info [at] acme [dot] com" is the company's contact
only when it is on the company's domain and the page presents it as such: site furniture (header,
footer, nav), a contact or imprint block, structured data. One inside an article's body belongs to the
article's subject (a working group, an author, a permission desk of a legal text), and an image name
like ``logo@2x.png`` is no address at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.extraction.evidence import quote
from server.extraction.markup import Anchor, JoinedTexts, PageString, page_anchors, page_strings
from server.extraction.normalize import email_type
from server.extraction.social import placement_of

# The local part starts where address characters start: the tail of an overlong run is no address.
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64})\s{0,3}[\[({]\s{0,3}at\s{0,3}[\])}]\s{0,3}([A-Za-z0-9-]{1,63}"
    r"(?:(?:\s{0,3}[\[({]\s{0,3}dot\s{0,3}[\])}]\s{0,3}|\.)[A-Za-z0-9-]{1,63}){1,8})",
    re.IGNORECASE,
)
OBFUSCATED_DOT_RE = re.compile(r"\s*[\[({]\s*dot\s*[\])}]\s*", re.IGNORECASE)
FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "css", "js", "bmp", "tif"}
)
# Words in a mailbox name (anywhere in it, "buchservice", "customer-support") that say what it is for.
MAILBOX_WORDS = {
    "support": ("support", "service", "help", "kundendienst", "kf", "kefu", "assistance", "care"),
    "sales": ("sales", "vertrieb", "orders", "bestellung", "ventes", "ventas"),
    "press": ("press", "presse", "media", "newsroom"),
    "careers": ("careers", "jobs", "karriere", "recruiting", "bewerbung", "talent"),
    "investors": ("investor",),
    "privacy": ("privacy", "datenschutz", "dpo", "gdpr"),
}
ARTICLE_TAGS = frozenset({"article"})
ARTICLE_BOX_RE = re.compile(r"\b(?:article|post-content|entry-content|blog-post)\b", re.IGNORECASE)
MAX_EMAILS = 100
EVIDENCE_WINDOW = 200  # characters each side of an address read for its quote
OBFUSCATED_HINT_RE = re.compile(r"[\[({]\s{0,3}at\s{0,3}[\])}]", re.IGNORECASE)
LOWER_OBFUSCATED_HINT_RE = re.compile(r"[\[({]\s{0,3}at\s{0,3}[\])}]")  # for lowered text (no folds)
AT_SIGN_RE = re.compile("@")
BLOCK_TAGS = frozenset({"p", "td", "li", "dd", "blockquote"})
PROSE_WORDS = 15
PROSE_CHARS = 400


@dataclass(frozen=True)
class EmailFact:
    """One address as printed: lower case, whether it sits in an article's body, the text around it."""

    address: str
    in_article: bool
    evidence: str
    in_body: bool = False  # inside the page's main content (``<main>``, ``<article>``), not its furniture
    in_prose: bool = False  # inside a sentence of running text ("... please email x@y for more information")
    in_chrome: bool = False  # in the site's header, footer or navigation


def find_email_facts(
    root: Any,
    strings: Sequence[PageString] | None = None,
    anchors: Sequence[Anchor] | None = None,
    joined: JoinedTexts | None = None,
) -> list[EmailFact]:
    """Addresses from mailto links, then from each text string (plain or obfuscated), in page order.

    ``strings`` and ``anchors`` are the page's ``page_strings`` and ``page_anchors`` when the caller has
    them already, ``joined`` the ``JoinedTexts`` of those strings' texts.
    """
    found: dict[str, EmailFact] = {}
    for link, raw in anchors if anchors is not None else page_anchors(root):
        href = raw.strip()
        if href.lower().startswith("mailto:"):
            address = href[len("mailto:") :].split("?", 1)[0].strip().lower()
            _add(found, address, link, f"mailto:{address} {' '.join(link.itertext())}")
    strings = strings if strings is not None else page_strings(root)
    for index in _address_strings(strings, joined):
        text, element, _ = strings[index]
        for match in EMAIL_RE.finditer(text):
            _add(found, match.group(0).lower(), element, _around(text, match))
        for match in OBFUSCATED_EMAIL_RE.finditer(text):
            address = f"{match.group(1)}@{OBFUSCATED_DOT_RE.sub('.', match.group(2))}".lower()
            _add(found, address, element, _around(text, match))
        if len(found) >= MAX_EMAILS:
            break
    return list(found.values())


def _address_strings(strings: Sequence[PageString], joined: JoinedTexts | None = None) -> list[int]:
    """Indexes of the page text strings that can hold an address, in page order: an "@", or "[at]"
    ("( AT )", ...) in a string holding "at" or "AT"; a comment's text is none. Few strings do: both are
    searched for in all the strings at once (``JoinedTexts``), then confirmed string by string."""
    joined = joined if joined is not None else JoinedTexts([text for text, _, _ in strings])
    at_sign = joined.matching(AT_SIGN_RE)
    obfuscated = joined.matching(OBFUSCATED_HINT_RE, LOWER_OBFUSCATED_HINT_RE)
    hinted = [index for index in obfuscated if "at" in strings[index][0] or "AT" in strings[index][0]]
    return sorted(index for index in {*at_sign, *hinted} if not strings[index][2])


def _around(text: str, match: re.Match[str]) -> str:
    """The quote around a match, cut from a window first: a long string is not re-read per address."""
    window = text[max(0, match.start() - EVIDENCE_WINDOW) : match.end() + EVIDENCE_WINDOW]
    return quote(window, match.group(0))


def is_address(address: str) -> bool:
    """Whether ``address`` is a mailbox, not an image or script name that happens to contain "@"."""
    if not EMAIL_RE.fullmatch(address):
        return False
    return address.rsplit(".", 1)[-1].lower() not in FILE_EXTENSIONS


def mailbox_type(address: str) -> str:
    """What a mailbox is for, from words in its local part ("buchservice" -> support); else "general"."""
    kind = email_type(address)
    if kind != "general":
        return kind
    local = address.split("@", 1)[0].lower()
    parts = re.split(r"[._+-]", local)
    for kind, words in MAILBOX_WORDS.items():
        if any(part == word or (len(word) > 3 and word in local) for word in words for part in parts):
            return kind
    return "general"


def _add(found: dict[str, EmailFact], address: str, element: Any, evidence: str) -> None:
    if address in found or not is_address(address):
        return
    placement, _ = placement_of(element)
    found[address] = EmailFact(
        address,
        _in_article(element),
        quote(evidence, address),
        in_body=placement == "body",
        in_prose=_in_prose(element),
        in_chrome=placement == "chrome",
    )


def _in_prose(element: Any) -> bool:
    """Whether the nearest block around ``element`` is running text (more than ``PROSE_WORDS`` words)."""
    block = next((node for node in (element, *element.iterancestors()) if node.tag in BLOCK_TAGS), None)
    if block is None:
        return False
    size, words = 0, 0
    for text in block.itertext():
        words += len(text.split())
        size += len(text)
        if words > PROSE_WORDS or size > PROSE_CHARS:
            return True
    return False


def _in_article(element: Any) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in ("html", "body"):
            break
        if node.tag in ARTICLE_TAGS or ARTICLE_BOX_RE.search(
            f"{node.get('class') or ''} {node.get('id') or ''}"
        ):
            return True
    return False
