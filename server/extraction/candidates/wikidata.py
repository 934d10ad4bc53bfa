"""Step 2 of the chain: Wikidata items named like the company, with an official website (P856).

Items whose country (P17) differs from the requested one are skipped (the same name in another
country is another company); businesses (P31) rank before other items.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from server.domain import ExtractionRequest
from server.errors import FetchError
from server.extraction.candidates.base import Candidate
from server.extraction.fetcher import WebFetcher
from server.extraction.sources import wikidata_api as wd

# Country items (P17 values) by ISO code, for the countries a request names most often; an item of
# another country is compared through its ISO code (P297) when the entity document carries it.
COUNTRY_ITEMS = {
    "Q30": "US", "Q145": "GB", "Q183": "DE", "Q142": "FR", "Q16": "CA", "Q34": "SE", "Q40": "AT",
    "Q39": "CH", "Q55": "NL", "Q29": "ES", "Q38": "IT", "Q408": "AU", "Q27": "IE", "Q20": "NO",
    "Q35": "DK", "Q33": "FI", "Q31": "BE", "Q17": "JP", "Q148": "CN", "Q668": "IN", "Q155": "BR",
    "Q96": "MX", "Q884": "KR", "Q334": "SG", "Q664": "NZ", "Q45": "PT", "Q36": "PL",
}  # fmt: skip


def countries_of(entity: dict[str, Any]) -> set[str]:
    """ISO codes of the item's countries (P17) that are known."""
    return {COUNTRY_ITEMS[item] for item in wd.item_ids(entity, wd.P_COUNTRY) if item in COUNTRY_ITEMS}


class WikidataFinder:
    """Proposes the official websites of matching Wikidata items."""

    name = "wikidata"

    def __init__(self, fetcher: WebFetcher) -> None:
        self._fetcher = fetcher

    async def find(self, request: ExtractionRequest, notes: list[str]) -> list[Candidate]:
        try:
            named = await wd.named_items(self._fetcher, request)
        except FetchError as exc:
            notes.append(f"wikidata: unavailable ({exc.message})")
            return []
        ids, document = named.ids, named.document
        if not ids:
            notes.append(f"wikidata: no item named {request.company_name!r}")
            return []
        ranked: list[tuple[tuple[int, int, int], Candidate]] = []
        wanted = request.country.upper()
        for rank, entity_id in enumerate(ids):
            entity = document.entities.get(entity_id)
            if entity is None:
                continue
            label = wd.label(entity, request.language) or entity_id
            websites = wd.strings(entity, wd.P_WEBSITE)
            countries = countries_of(entity)
            if not websites:
                notes.append(f"wikidata: skipped {entity_id} {label!r} (no official website)")
                continue
            if countries and wanted not in countries:
                stated = "/".join(sorted(countries))
                notes.append(f"wikidata: skipped {entity_id} {label!r} (country {stated}, not {wanted})")
                continue
            host = (urlsplit(websites[0]).hostname or "").lower()
            if not host:
                continue
            business = wd.is_business(entity)
            reason = f"{entity_id} {label!r}{' (business)' if business else ''}, P856 {websites[0]}"
            key = (0 if countries else 1, 0 if business else 1, rank)
            ranked.append((key, Candidate(host, "wikidata", reason, wikidata_entity=entity)))
        return [candidate for _, candidate in sorted(ranked, key=lambda pair: pair[0])]
