"""GLEIF's LEI records (``api.gleif.org``) as a source: legal name, LEI and registered address.

The LEI comes from Wikidata (P1278) when known; otherwise the full-text search filtered by the
requested country, accepting only a record whose legal name matches the company name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rapidfuzz import fuzz

from server.errors import FetchError
from server.extraction.candidates.derived import normalize_name
from server.extraction.normalize import headquarters_from
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS
from server.extraction.sources import wikidata
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, Source, SourceContext

SOURCE_NAME = "gleif"
GLEIF_API_URL = "https://api.gleif.org/api/v1/lei-records"
CONFIDENCE = 0.95  # the legal entity's own registration, checked by its issuer
HEADQUARTERS_CONFIDENCE = 0.75  # registration address; a site's own address is more current
NAME_THRESHOLD = 90.0
SEARCH_PAGE_SIZE = 5


class GleifSource(Source):
    """Reads the company's LEI record."""

    name = SOURCE_NAME
    precedence = 70
    after = frozenset({wikidata.SOURCE_NAME})  # the item's LEI
    fields = frozenset({"legal_name", "identifiers", "contacts", "headquarters"})

    async def collect(self, context: SourceContext) -> list[Finding]:
        if not context.wants("legal_name", "identifiers", "contacts"):
            return []
        entity = context.shared.wikidata_entity
        leis = wd.strings(entity, wd.P_LEI) if isinstance(entity, dict) else []
        try:
            if leis:
                document, page = await context.fetcher.fetch_json(
                    f"{GLEIF_API_URL}/{leis[0]}", source=self.name, cache_seconds=KNOWLEDGE_TTL_SECONDS
                )
                record = document.get("data") if isinstance(document, dict) else None
                method, path = "LEI record (LEI from Wikidata)", "data"
            else:
                params = {
                    "filter[fulltext]": context.request.company_name,
                    "filter[entity.legalAddress.country]": context.request.country.upper(),
                    "page[size]": str(SEARCH_PAGE_SIZE),
                }
                document, page = await context.fetcher.fetch_json(
                    f"{GLEIF_API_URL}?{urlencode(params)}",
                    source=self.name,
                    cache_seconds=KNOWLEDGE_TTL_SECONDS,
                )
                record = matching_record(document, context.request.company_name)
                method, path = "LEI full-text search, legal name matched", _hit_path(document, record)
        except FetchError:
            return []
        if not isinstance(record, dict):
            return []
        return findings_from_record(record, page.url, page.retrieved_at, method, path)


def matching_record(document: Any, name: str) -> dict[str, Any] | None:
    """The search hit whose legal name matches ``name``. Pure."""
    records = document.get("data", []) if isinstance(document, dict) else []
    for record in records:
        legal = record.get("attributes", {}).get("entity", {}).get("legalName", {}).get("name", "")
        wanted, seen = normalize_name(name), normalize_name(str(legal))
        if wanted and seen and fuzz.token_set_ratio(wanted, seen) >= NAME_THRESHOLD:
            return dict(record)
    return None


def _hit_path(document: Any, record: dict[str, Any] | None) -> str:
    """``data[2]``: where the matched hit stands in the search answer."""
    hits = document.get("data", []) if isinstance(document, dict) else []
    return f"data[{hits.index(record)}]" if record is not None and record in hits else "data"


def findings_from_record(
    record: dict[str, Any], url: str, retrieved_at: Any, method: str, path: str = "data"
) -> list[Finding]:
    """Legal name, LEI and addresses of one ``lei-records`` record (at ``path`` in its document). Pure."""
    attributes = record.get("attributes", {})
    entity = attributes.get("entity", {})
    found: list[Finding] = []
    entity_path = f"{path}.attributes.entity"

    def add(field: str, value: Any, where: str, confidence: float = CONFIDENCE) -> None:
        if value not in (None, "", {}):
            found.append(
                Finding(field, value, SOURCE_NAME, url, retrieved_at, method, confidence, evidence=where)
            )

    lei_path = f"{path}.attributes.lei" if attributes.get("lei") else f"{path}.id"
    add("identifiers.lei", attributes.get("lei") or record.get("id"), lei_path)
    add("legal_name", entity.get("legalName", {}).get("name"), f"{entity_path}.legalName.name")
    legal = _address(entity.get("legalAddress"), "registered")
    add("contacts.addresses", legal, f"{entity_path}.legalAddress")
    hq = entity.get("headquartersAddress")
    if isinstance(hq, dict):
        region = str(hq.get("region") or "").split("-", 1)[-1] or None
        add(
            "headquarters",
            headquarters_from(
                city=hq.get("city"),
                region=region,
                country=hq.get("country"),
                street=", ".join(hq.get("addressLines") or []) or None,
                postal=hq.get("postalCode"),
            ),
            f"{entity_path}.headquartersAddress",
            HEADQUARTERS_CONFIDENCE,
        )
    return found


def _address(address: Any, label: str) -> dict[str, str] | None:
    if not isinstance(address, dict):
        return None
    region = str(address.get("region") or "").split("-", 1)[-1] or None
    hq = headquarters_from(
        city=address.get("city"),
        region=region,
        country=address.get("country"),
        street=", ".join(address.get("addressLines") or []) or None,
        postal=address.get("postalCode"),
    )
    if not hq:
        return None
    return {**{k: v for k, v in hq.items() if k != "state_code"}, "label": label}
