"""The company's other offices as its own site states them in schema.org markup: ``locations``.

An Organization record may state more places than its headquarters: several ``address`` entries (the
first is the headquarters, as the website source reads it), ``location`` (Place or PostalAddress) and
``department`` (Organizations with their own address). Each becomes a ``PostalAddress`` dict labelled
by what the record says it is ("registered", "plant", ...; "office" when it says nothing more). The
headquarters itself is never repeated as a location. Nothing is fetched: the pages are the ones the
website source already read and left in ``SourceContext.shared``.
"""

from __future__ import annotations

import re
from typing import Any

from server.extraction.fetcher import FetchedPage
from server.extraction.normalize import headquarters_from_schema
from server.extraction.parse import SYNTAX_KEY, PageFacts
from server.extraction.sources import website
from server.extraction.sources.base import Finding, Source, SourceContext

SOURCE_NAME = "site_locations"
LOCATION_KEYS = ("location", "department")
DEFAULT_LABEL = "office"
HEADQUARTERS_LABEL = "headquarters"
# Words in a place's name or schema.org type, and the label they give it; first match wins.
LABEL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("registered", ("registered", "siège social", "sitz der gesellschaft", "eingetragener sitz")),
    ("headquarters", ("headquarters", "head office", "hauptsitz", "zentrale", "siège")),
    ("plant", ("plant", "factory", "werk", "usine", "manufacturing", "production", "produktion")),
    ("warehouse", ("warehouse", "distribution center", "distribution centre", "lager", "entrepôt")),
    ("store", ("store", "shop", "filiale", "boutique", "magasin")),
    ("laboratory", ("laboratory", "lab", "labor", "research center", "r&d")),
)
# PostalAddress fields of company.v1 (``headquarters_from`` also gives ``state_code``, which it lacks).
POSTAL_ADDRESS_FIELDS = ("street_address", "city", "state", "postal_code", "country", "country_code")


class SiteLocationsSource(Source):
    """Reads other offices from the Organization records of the pages the website source parsed."""

    name = SOURCE_NAME
    precedence = 15  # its findings are stated as the website's (the site says so), so rank as "website"
    after = frozenset({website.SOURCE_NAME})  # the pages it parsed
    fields = frozenset({"locations"})

    async def collect(self, context: SourceContext) -> list[Finding]:
        """One finding per stated place that is not the headquarters; none when no page was parsed."""
        pages: list[tuple[FetchedPage, PageFacts]] = context.shared.site_pages
        return [finding for page, facts in pages for finding in findings_from_page(facts, page)]


def findings_from_page(facts: PageFacts, page: FetchedPage) -> list[Finding]:
    """``locations`` findings of every Organization record on one parsed page. Pure."""
    found = []
    for org in facts.organizations:
        syntax = str(org.get(SYNTAX_KEY, "json-ld"))
        kind = "microdata" if syntax == "microdata" else "json-ld"
        for location, via in locations_of(org):
            method = f"{syntax} {_type_name(org)}.{via}"
            found.append(
                Finding(
                    "locations",
                    location,
                    website.SOURCE_NAME,  # the value is the company's own statement on its site
                    page.url,
                    page.retrieved_at,
                    method,
                    website.CONFIDENCE[kind],
                )
            )
    return found


def locations_of(org: dict[str, Any]) -> list[tuple[dict[str, str], str]]:
    """(``PostalAddress`` dict, property it came from) for each place an Organization states besides
    its headquarters (its first ``address``, else its first place), in page order, each place once. Pure."""
    addresses = _list(org.get("address"))
    stated: list[tuple[Any, Any, str]] = [(entry, entry, "address") for entry in addresses[1:]]
    for key in LOCATION_KEYS:
        for entry in _list(org.get(key)):
            if isinstance(entry, dict):  # a bare string names a place but gives no address to read
                stated.append((entry, _address_of(entry), key))
    if addresses:
        headquarters = _postal_address(addresses[0])
    elif stated:  # no address of its own: its first place is where it is, not another office
        headquarters = _postal_address(stated.pop(0)[1])
    else:
        return []
    found: list[tuple[dict[str, str], str]] = []
    for described, address, via in stated:
        location = _postal_address(address)
        if not location.get("city") or _same_place(location, headquarters):
            continue
        if any(_same_place(location, known) for known, _ in found):
            continue
        found.append(({**location, "label": label_for(described)}, via))
    return found


def label_for(place: Any) -> str:
    """What a stated place is, from its name, description and schema.org type."""
    if not isinstance(place, dict):
        return DEFAULT_LABEL
    text = " ".join(
        str(part) for key in ("name", "description", "@type") for part in _list(place.get(key))
    ).casefold()
    for label, words in LABEL_WORDS:
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for word in words):
            return label
    return DEFAULT_LABEL


def _address_of(entry: dict[str, Any]) -> Any:
    """The PostalAddress of a ``location``/``department`` entry: itself, its ``address`` or its own
    ``location``'s address (a department located at a Place)."""
    if "PostalAddress" in _type_name(entry) or "addressLocality" in entry:
        return entry
    if entry.get("address") is not None:
        return _list(entry["address"])[0] if _list(entry["address"]) else None
    for place in _list(entry.get("location")):
        if isinstance(place, dict):
            return _address_of(place)
    return None


def _postal_address(address: Any) -> dict[str, str]:
    parts = headquarters_from_schema(address) if isinstance(address, dict) else {}
    return {key: parts[key] for key in POSTAL_ADDRESS_FIELDS if key in parts}


def _same_place(one: dict[str, str], other: dict[str, str]) -> bool:
    """Same city and country, and the same street (or a street missing on one side)."""
    if not other or _key(one.get("city")) != _key(other.get("city")):
        return False
    if one.get("country_code") and other.get("country_code") and one["country_code"] != other["country_code"]:
        return False
    streets = (_key(one.get("street_address")), _key(other.get("street_address")))
    return not all(streets) or streets[0] == streets[1]


def _key(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def _type_name(item: dict[str, Any]) -> str:
    raw = item.get("@type", "Organization")
    return str(raw[0] if isinstance(raw, list) and raw else raw).rsplit("/", 1)[-1]


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
