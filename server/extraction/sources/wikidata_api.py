"""Wikidata's action API (``wbsearchentities``, ``wbgetentities``) and pure readers of its entity JSON.

Shared by the resolution chain (official website P856, country P17, instance of P31) and the Wikidata
source (everything else). Entities are the ``entities.<id>`` objects of ``wbgetentities``.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS
from server.storage.coalesce import Coalescer

SOURCE = "wikidata"  # the name its calls are recorded under (finder and source alike)
WIKIDATA_API_URL = "https://www.wikidata.org/w/api.php"
ENTITY_URL = "https://www.wikidata.org/wiki/{id}"
SEARCH_LIMIT = 7
ENTITY_PROPS = "labels|descriptions|aliases|claims|sitelinks"
ENTITY_ID_RE = re.compile(r"Q\d+")
FALLBACK_LANGUAGE = "en"

# Properties read.
P_INSTANCE_OF, P_COUNTRY, P_WEBSITE = "P31", "P17", "P856"
P_INDUSTRY, P_HEADQUARTERS, P_EMPLOYEES, P_INCEPTION = "P452", "P159", "P1128", "P571"
P_REVENUE, P_MARKET_CAP, P_EXCHANGE, P_TICKER = "P2139", "P2226", "P414", "P249"
P_FOUNDER, P_CEO, P_PARENT, P_LEI = "P112", "P169", "P749", "P1278"
P_SUBSIDIARY, P_END_TIME = "P355", "P582"
P_POINT_IN_TIME, P_ADMIN_AREA, P_ISO_ALPHA2, P_ISO_SUBDIVISION, P_ISO_CURRENCY = (
    "P585",
    "P131",
    "P297",
    "P300",
    "P498",
)
# Properties whose item values the source needs labels (and claims) of.
# (Subsidiaries too, but only current ones: see ``current_item_ids``.)
REFERENCING_PROPERTIES = (P_INDUSTRY, P_HEADQUARTERS, P_COUNTRY, P_EXCHANGE, P_FOUNDER, P_CEO, P_PARENT)
# An item with its claims and its labels in every language runs to a few MB (a large company's to
# several), so entity documents get their own body cap rather than the HTML page cap.
ENTITIES_MAX_BYTES = 32_000_000
# ``wbgetentities`` answers at most this many ids per request (500 for bots); larger sets are split.
MAX_IDS_PER_REQUEST = 50
# Classes that make an item a business (P31): business, company, enterprise, public company,
# corporation, privately held company, limited company, GmbH, société anonyme, aktiebolag, LLC, startup.
BUSINESS_CLASSES = frozenset(
    {
        "Q4830453", "Q783794", "Q6881511", "Q891723", "Q167037", "Q1589009", "Q1664720",
        "Q460178", "Q10390684", "Q2576640", "Q1398872", "Q1361864", "Q43229",
    }
)  # fmt: skip


@dataclass(frozen=True)
class EntityDocument:
    """The entities found for a set of ids (ids Wikidata does not know are absent)."""

    entities: dict[str, dict[str, Any]]


async def search_entities(fetcher: WebFetcher, name: str, language: str) -> list[dict[str, Any]]:
    """``wbsearchentities`` hits for a name, best first (``id``, ``label``, ``description``)."""
    params = {
        "action": "wbsearchentities",
        "search": name,
        "language": language,
        "uselang": language,
        "type": "item",
        "limit": str(SEARCH_LIMIT),
        "format": "json",
    }
    document, _ = await fetcher.fetch_json(
        f"{WIKIDATA_API_URL}?{urlencode(params)}", source=SOURCE, cache_seconds=KNOWLEDGE_TTL_SECONDS
    )
    hits = document.get("search", []) if isinstance(document, dict) else []
    return [hit for hit in hits if isinstance(hit, dict) and ENTITY_ID_RE.fullmatch(str(hit.get("id", "")))]


async def get_entities(
    fetcher: WebFetcher, ids: list[str], language: str, *, all_languages: bool = False
) -> EntityDocument:
    """``wbgetentities`` for ``ids``, together with every other lookup in flight on this fetcher.

    Labels and aliases come in ``language`` and English, or with ``all_languages`` in every language
    (the items a name is matched against: a Chinese label is a name of the item as much as its English one).

    Concurrent companies ask for items at once (their candidates, the cities and countries they point
    to): the ids asked while one request is on its way go together in the next, up to
    ``MAX_IDS_PER_REQUEST`` a request (sorted, so one set is always one request), and an id already
    asked for is waited for, not asked again.

    Raises:
        FetchError: Wikidata could not be read (every caller of that request gets it).
    """
    languages = "|".join(dict.fromkeys([language, FALLBACK_LANGUAGE]))
    lookups = _lookups_of(fetcher, None if all_languages else languages)
    wanted = list(dict.fromkeys(ids))
    found = await asyncio.gather(*(lookups.entity(qid) for qid in wanted))
    return EntityDocument(
        {qid: entity for qid, entity in zip(wanted, found, strict=True) if entity is not None}
    )


class EntityLookups:
    """Coalesced ``wbgetentities`` of one fetcher for one language selection (None: every language)."""

    def __init__(self, fetcher: WebFetcher, languages: str | None) -> None:
        # Weakly: the lookups live as long as their fetcher, in a table keyed by it.
        self._fetcher = weakref.ref(fetcher)
        self._languages = languages
        self._rounds: Coalescer[str, dict[str, Any] | None] = Coalescer(self._fetch_many)
        self._asked: dict[str, asyncio.Future[dict[str, Any] | None]] = {}

    async def entity(self, qid: str) -> dict[str, Any] | None:
        """The item ``qid`` (None when Wikidata has no such item): kept in the response cache, asked
        for with the next round, or awaited with the round that already asks for it."""
        future = self._asked.get(qid)
        if future is None:
            future = asyncio.ensure_future(self._kept_or_asked(qid))
            self._asked[qid] = future
            future.add_done_callback(lambda _: self._asked.pop(qid, None))
        # One caller giving up (its company cancelled) does not cancel the others' lookup.
        return await asyncio.shield(future)

    async def _kept_or_asked(self, qid: str) -> dict[str, Any] | None:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        key = f"wikidata:wbgetentities:{self._languages or '*'}:{qid}"
        if cache is not None:
            kept = await cache.get_document(key)
            if isinstance(kept, dict):
                return kept
        entity = await self._rounds.submit(qid)
        if cache is not None and entity is not None:
            await cache.put_document(key, entity_url(qid), entity, KNOWLEDGE_TTL_SECONDS)
        return entity

    async def _fetch_many(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        ordered = sorted(set(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ordered), MAX_IDS_PER_REQUEST):
            params = {
                "action": "wbgetentities",
                "ids": "|".join(ordered[start : start + MAX_IDS_PER_REQUEST]),
                "props": ENTITY_PROPS,
            }
            if self._languages is not None:
                params["languages"] = self._languages
            params["format"] = "json"
            fetcher = self._fetcher()
            if fetcher is None:
                raise FetchError("Wikidata lookup after its fetcher closed", details=params["ids"])
            document, _ = await fetcher.fetch_json(
                f"{WIKIDATA_API_URL}?{urlencode(params)}", max_bytes=ENTITIES_MAX_BYTES, source=SOURCE
            )
            entities = document.get("entities", {}) if isinstance(document, dict) else {}
            found.update(
                (key, item)
                for key, item in entities.items()
                if isinstance(item, dict) and "missing" not in item
            )
        return [found.get(qid) for qid in ids]


_LOOKUPS: weakref.WeakKeyDictionary[WebFetcher, dict[str | None, EntityLookups]] = weakref.WeakKeyDictionary()


def _lookups_of(fetcher: WebFetcher, languages: str | None) -> EntityLookups:
    """The lookups shared by every company using ``fetcher`` (one extractor: all its workers)."""
    per_fetcher = _LOOKUPS.setdefault(fetcher, {})
    if languages not in per_fetcher:
        per_fetcher[languages] = EntityLookups(fetcher, languages)
    return per_fetcher[languages]


def statements(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    """Statements of a property, deprecated ones dropped, preferred ones first."""
    claims = entity.get("claims", {}).get(prop, [])
    kept = [claim for claim in claims if isinstance(claim, dict) and claim.get("rank") != "deprecated"]
    return sorted(kept, key=lambda claim: claim.get("rank") != "preferred")


def datavalue(snak: dict[str, Any]) -> Any:
    """The ``datavalue.value`` of a snak, or None for "no value"/"unknown value"."""
    if snak.get("snaktype") != "value":
        return None
    return snak.get("datavalue", {}).get("value")


def main_value(statement: dict[str, Any]) -> Any:
    return datavalue(statement.get("mainsnak", {}))


def item_ids(entity: dict[str, Any], prop: str) -> list[str]:
    """Item ids a property points to, preferred first."""
    ids = []
    for statement in statements(entity, prop):
        value = main_value(statement)
        if isinstance(value, dict) and ENTITY_ID_RE.fullmatch(str(value.get("id", ""))):
            ids.append(str(value["id"]))
    return ids


def current_item_ids(entity: dict[str, Any], prop: str) -> list[str]:
    """Item ids a property points to now: statements with an end time (P582) are history."""
    return [
        str(value["id"])
        for statement in statements(entity, prop)
        if not statement.get("qualifiers", {}).get(P_END_TIME)
        and isinstance(value := main_value(statement), dict)
        and ENTITY_ID_RE.fullmatch(str(value.get("id", "")))
    ]


def strings(entity: dict[str, Any], prop: str) -> list[str]:
    """String (or URL, external-id) values of a property, preferred first."""
    values = (main_value(statement) for statement in statements(entity, prop))
    return [str(value) for value in values if isinstance(value, str)]


def qualifier(statement: dict[str, Any], prop: str) -> Any:
    """The first value of a statement's qualifier."""
    for snak in statement.get("qualifiers", {}).get(prop, []):
        value = datavalue(snak)
        if value is not None:
            return value
    return None


def time_of(value: Any) -> tuple[int, str] | None:
    """(year, ISO date or year) of a time value, honouring its precision (9 = year, 11 = day)."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    match = re.match(r"([+-])(\d+)-(\d{2})-(\d{2})", value["time"])
    if not match or match.group(1) == "-":
        return None
    year = int(match.group(2))
    precision = int(value.get("precision", 9))
    if precision >= 11:
        return year, f"{year:04d}-{match.group(3)}-{match.group(4)}"
    if precision == 10:
        return year, f"{year:04d}-{match.group(3)}"
    return year, f"{year:04d}"


def quantity_of(value: Any) -> tuple[float, str | None] | None:
    """(amount, unit item id or None) of a quantity value."""
    if not isinstance(value, dict) or "amount" not in value:
        return None
    unit = str(value.get("unit", "1"))
    unit_id = unit.rsplit("/", 1)[-1] if ENTITY_ID_RE.fullmatch(unit.rsplit("/", 1)[-1]) else None
    return float(value["amount"]), unit_id


def label(entity: dict[str, Any] | None, language: str) -> str | None:
    """The entity's label in ``language``, else English."""
    if not entity:
        return None
    labels = entity.get("labels", {})
    for code in (language, FALLBACK_LANGUAGE):
        if code in labels:
            return str(labels[code]["value"])
    return None


def aliases(entity: dict[str, Any], language: str) -> list[str]:
    """The entity's aliases in ``language``."""
    found = entity.get("aliases", {}).get(language, [])
    return [str(alias["value"]) for alias in found if alias.get("value")]


def item_names(entity: dict[str, Any] | None) -> list[str]:
    """Every label and alias of the entity, in every language it has (each name once)."""
    if not isinstance(entity, dict):
        return []
    names: list[str] = []
    for key in ("labels", "aliases"):
        by_language = entity.get(key)
        for values in by_language.values() if isinstance(by_language, dict) else []:
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict) and isinstance(value.get("value"), str) and value["value"].strip():
                    names.append(value["value"])
    return list(dict.fromkeys(names))


def is_business(entity: dict[str, Any]) -> bool:
    """Whether the item is an instance of a business class."""
    return bool(set(item_ids(entity, P_INSTANCE_OF)) & BUSINESS_CLASSES)


def sitelink_title(entity: dict[str, Any], language: str) -> str | None:
    """The title of the item's Wikipedia article in ``language`` (``enwiki``, ``dewiki`` ...)."""
    link = entity.get("sitelinks", {}).get(f"{language}wiki")
    return str(link["title"]) if isinstance(link, dict) and link.get("title") else None


def entity_url(entity_id: str) -> str:
    return ENTITY_URL.format(id=entity_id)
