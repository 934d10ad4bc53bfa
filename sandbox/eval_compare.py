"""How the eval compares one extracted field with a corpus truth: item by item, tolerant only where the
truth says so (see ``sandbox.evaluate``'s docstring for the rules in prose). Pure functions.

A field's value is split into items, each with a key that pairs it with a truth item: a scalar field
is one item; ``social_profiles`` one item per network, ``identifiers`` and ``financial_data`` one per
key, e-mails by address, phones by number, people by (name, role), aliases and subsidiaries by text,
locations by every part. An extracted item is right when a truth item with its key has an acceptable
value; precision counts extracted items, recall truth items.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList()
ItemKey = Any


def _text(value: Any) -> str:
    """Spacing aside (truth quotes pages; spacing is not a fact)."""
    return re.sub(r"\s+", " ", str(value)).strip()


def _folded(value: Any) -> str:
    return _text(value).casefold()


def _same(got: Any, want: Any) -> bool:
    if isinstance(got, str) and isinstance(want, str):
        return _text(got) == _text(want)
    return bool(got == want)


@dataclass(frozen=True)
class Verdict:
    """One field of one result against the truth: items right, extracted, expected; what went wrong."""

    correct: int
    filled: int
    expected: int
    wrong: list[tuple[ItemKey, Any, Any]]  # (key, extracted item, truth item or None)
    missing: list[tuple[ItemKey, Any]]  # (key, truth item nobody extracted)


def _scalar(value: Any) -> dict[ItemKey, Any]:
    return {None: value}


def _by(key: Callable[[Any], ItemKey]) -> Callable[[Any], dict[ItemKey, Any]]:
    def split(value: Any) -> dict[ItemKey, Any]:
        items = value if isinstance(value, list) else [value]
        return {key(item): item for item in items}

    return split


def _mapping(value: Any) -> dict[ItemKey, Any]:
    if not isinstance(value, dict):
        return {None: value}
    # Figures restate the strings; funding rounds are scored as a field of their own, round by round.
    return {key: item for key, item in value.items() if key not in ("figures", "funding_rounds")}


def _place_key(place: Any) -> ItemKey:
    return tuple(sorted(place.items())) if isinstance(place, dict) else place


SPLITTERS: dict[str, Callable[[Any], dict[ItemKey, Any]]] = {
    "social_profiles": _mapping,
    "identifiers": _mapping,
    "financial_data": _mapping,
    "contacts.emails": _by(lambda e: _folded(e.get("address", "")) if isinstance(e, dict) else e),
    "contacts.phones": _by(lambda p: p.get("number") if isinstance(p, dict) else p),
    "people": _by(lambda p: (_folded(p.get("name", "")), p.get("role")) if isinstance(p, dict) else p),
    "aliases": _by(_folded),
    "subsidiaries": _by(_folded),
    "locations": _by(_place_key),
    "funding_rounds": _by(lambda r: r.get("accession_number") if isinstance(r, dict) else r),
}


def _email_same(got: Any, want: Any) -> bool:
    return bool(
        _folded(got.get("address")) == _folded(want.get("address")) and got.get("type") == want.get("type")
    )


def _phone_same(got: Any, want: Any) -> bool:
    return bool(got.get("number") == want.get("number") and got.get("type") == want.get("type"))


def _state_same(got: dict[str, Any], want: dict[str, Any]) -> bool:
    """A state may be printed as its name or its code: "California", "CA" and "US-CA" are one state."""
    seen = {_folded(got[key]).split("-")[-1] for key in ("state", "state_code") if got.get(key)}
    wanted = {_folded(want[key]).split("-")[-1] for key in ("state", "state_code") if want.get(key)}
    return not seen or not wanted or bool(seen & wanted)


HEADQUARTERS_PARTS = ("street_address", "postal_code", "country_code")


def headquarters_same(got: Any, want: Any) -> bool:
    """The city agrees, and every other part both state agrees (state by name or code, country by code
    when both give one, else by name): a city-level truth accepts a fuller address, and a value is wrong
    as soon as one part it states contradicts the truth."""
    if not isinstance(got, dict) or not isinstance(want, dict):
        return False
    if not got.get("city") or _folded(got.get("city")) != _folded(want.get("city", "")):
        return False
    for part in HEADQUARTERS_PARTS:
        if got.get(part) and want.get(part) and _folded(got[part]) != _folded(want[part]):
            return False
    if not (got.get("country_code") and want.get("country_code")):
        if got.get("country") and want.get("country") and _folded(got["country"]) != _folded(want["country"]):
            return False
    return _state_same(got, want)


def _bare_host(url: str) -> tuple[str, bool]:
    """(host without a leading ``www.``, whether the URL is a site's root)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    root = parts.scheme in ("http", "https") and parts.path in ("", "/") and not parts.query
    return host.removeprefix("www."), root


def website_same(got: Any, want: Any) -> bool:
    """The same site's root: with or without the trailing slash, with or without ``www.``."""
    if not isinstance(got, str) or not isinstance(want, str):
        return False
    (got_host, got_root), (want_host, want_root) = _bare_host(got), _bare_host(want)
    return got_root and want_root and got_host == want_host and urlsplit(got).scheme == urlsplit(want).scheme


def website_on_domain(got: Any, domain: str) -> bool:
    """A root URL on the truth's registrable domain (the apex, ``www.`` or another host of it)."""
    if not isinstance(got, str):
        return False
    host, root = _bare_host(got)
    return root and (host == domain or host.endswith(f".{domain}"))


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "headquarters": headquarters_same,
    "website": website_same,
    "contacts.emails": _email_same,
    "contacts.phones": _phone_same,
    "locations": lambda got, want: _place_key(got) == _place_key(want),
}


def compare(name: str, got: Any, variants: list[Any], item_alternatives: dict[ItemKey, list[Any]]) -> Verdict:
    """Score ``got`` for field ``name`` against the truth: ``variants`` are the truth value and its
    ``alternatives`` (whole values), ``item_alternatives`` acceptable values per item key (from truth
    keys such as ``social_profiles.youtube``). The variant that explains ``got`` best is used."""
    split = SPLITTERS.get(name, _scalar)
    same = COMPARISONS.get(name, _same)
    got_items = split(got) if got is not None else {}
    best: Verdict | None = None
    for variant in variants or [None]:
        want_items = split(variant) if variant not in (None, {}, []) else {}
        correct, wrong, missing = 0, [], []
        for key, item in got_items.items():
            wanted = want_items.get(key)
            acceptable = ([wanted] if wanted is not None else []) + item_alternatives.get(key, [])
            if any(same(item, option) for option in acceptable):
                correct += 1
            else:
                wrong.append((key, item, wanted))
        for key, item in want_items.items():
            if key not in got_items:
                missing.append((key, item))
        verdict = Verdict(correct, len(got_items), len(want_items), wrong, missing)
        if best is None or len(verdict.wrong) + len(verdict.missing) < len(best.wrong) + len(best.missing):
            best = verdict
    assert best is not None
    return best


def folded_label(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents stripped): "Ebene 11" -> "ebene11"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def name_reaches(name: str, domain: str) -> bool:
    """Whether the name itself leads to ``domain``: written as that domain, or the domain's label (what
    precedes the public suffix) spells the name, or a run of its words with leading or trailing ones
    dropped ("iTeh.solutions" -> ``iteh.at``, "Kanzlei Weber" -> ``weber.de``)."""
    if name.strip().lower().rstrip(".") == domain:
        return True
    suffix = _PSL.publicsuffix(domain) or ""
    label = domain[: -len(suffix) - 1] if suffix and domain.endswith(f".{suffix}") else domain
    if "." in label:
        return False
    words = [folded_label(word) for word in re.split(r"[\s.\-_/&,]+", name)]
    words = [word for word in words if word]
    runs = {
        "".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1)
    }
    return folded_label(label) in runs
