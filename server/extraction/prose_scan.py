"""Linear-time scanners of page prose and links, for the parsers in ``parse``.

Each does what a library call or one regex over the whole page would do, with the same result, at a
cost that no page can make quadratic: address patterns searched only around their anchors, a phone
matcher that skips candidates no valid number can be, hrefs resolved without ``urljoin`` when it would
only give them back or append them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import phonenumbers

# Where each address pattern is searched: around its one anchor, this far before and after it.
AT_SIGN_RE = re.compile("@")
OBFUSCATED_AT_ANCHOR_RE = re.compile(r"[\[({]\s{0,3}at\s{0,3}[\])}]", re.IGNORECASE)
EMAIL_WINDOW = (64 + 1, 1 + 253 + 1 + 63 + 1)  # local part, \b; @, domain, dot, TLD, \b
OBFUSCATED_WINDOW = (64 + 3 + 1, 3 + 63 + 8 * (17 + 63) + 1)  # local, spaces; spaces, 8 labels
# Fewest digits of a valid number in international form anywhere (country code + national number).
MIN_INTERNATIONAL_DIGITS = 6
MIN_IDD_DIGITS = 2  # the shortest international dialling prefix ("00")
MAX_PHONE_CANDIDATES = 1000  # digit runs parsed as possible numbers, per page
# "/about/team?x=1#y": a root-relative path urljoin only appends to the origin (the caller also refuses
# "/." anywhere: dot segments are rewritten). No "//" (protocol-relative), ";" (params), characters it
# strips or rewrites (whitespace, controls, backslash), and no empty "?" or "#" (it drops them).
PLAIN_ROOT_PATH_RE = re.compile(r"/(?!/)[^\s\\;?#]*(?:\?[^\s\\#]+)?(?:#[^\s\\]+)?")


def matches_around(
    pattern: re.Pattern[str], anchor: re.Pattern[str], window: tuple[int, int], text: str
) -> list[str]:
    """``pattern.findall(text)`` for an address pattern, searched only near its one ``anchor``.

    An address holds one anchor ("@", "[at]") at most ``window[0]`` characters after its start and
    ``window[1]`` before its end, so only each anchor's window is searched (from where the last match
    ended): the same matches, without trying every position of a page that has few addresses. Where
    anchors are so dense that the windows would cover the text more than once, it is scanned whole.
    """
    before, after = window
    anchors = list(anchor.finditer(text))
    if len(anchors) * (before + after) > len(text):  # dense anchors: windows would overlap, scan once
        return pattern.findall(text)
    found: list[str] = []
    last_end = 0
    for at in anchors:
        if at.start() < last_end:
            continue
        match = pattern.search(text, max(at.start() - before, last_end), at.end() + after)
        if match is not None and match.start() <= at.start() < match.end():
            found.append(match.group())
            last_end = match.end()
    return found


class ProsePhoneMatcher(phonenumbers.PhoneNumberMatcher):
    """``PhoneNumberMatcher`` that drops candidates with too few digits before parsing them.

    The matcher parses and validates every run of two or more digits (years, prices, "1,111,111"), at
    up to a millisecond each; after ``MAX_PHONE_CANDIDATES`` such parses the rest of the prose is
    skipped (real pages need a few hundred at most; a run of digits crafted to need more is not a
    contact page). A valid number prints at least the digits of its national number (the region's
    shortest possible length) or, written internationally, a country code and a national number
    (``MIN_INTERNATIONAL_DIGITS`` over all regions) after a plus sign or an international dialling
    prefix (at least ``MIN_IDD_DIGITS``): shorter candidates are skipped at the cost of counting digits.
    """

    def __init__(self, text: str, region: str, **options: Any) -> None:
        super().__init__(text, region, **options)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
        desc = metadata.general_desc if metadata is not None else None
        lengths = [n for n in desc.possible_length if n > 0] if desc is not None else []
        national = min(lengths, default=MIN_INTERNATIONAL_DIGITS)
        self._min_digits = min(national, MIN_INTERNATIONAL_DIGITS)  # written with a plus sign
        self._min_digits_unsigned = min(national, MIN_IDD_DIGITS + MIN_INTERNATIONAL_DIGITS)
        self._parses_left = MAX_PHONE_CANDIDATES

    def _extract_match(self, candidate: str, offset: int) -> Any:
        digits = sum(char.isdigit() for char in candidate)
        signed = "+" in candidate or "\uff0b" in candidate  # the full-width plus counts for the library
        if self._parses_left <= 0 or digits < (self._min_digits if signed else self._min_digits_unsigned):
            return None
        self._parses_left -= 1
        return super()._extract_match(candidate, offset)


def resolve_href(base_url: str, href: str) -> tuple[str, SplitResult]:
    """An href made absolute, with its parts, as ``urljoin`` makes it.

    Two forms skip the join (a third of its cost): an absolute http(s) href, which it gives back
    unchanged, and a plain root-relative path, which it appends to the base's origin.
    """
    if PLAIN_ROOT_PATH_RE.fullmatch(href) and "/." not in href:
        base = urlsplit(base_url)
        if base.scheme in ("http", "https") and base.netloc:
            url = f"{base.scheme}://{base.netloc}{href}"
            return url, urlsplit(url)
    parts = urlsplit(href)
    if parts.scheme in ("http", "https") and parts.netloc:
        return href, parts
    url = urljoin(base_url, href)
    return url, urlsplit(url)
