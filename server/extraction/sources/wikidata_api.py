"""Wikidata's action API (``wbsearchentities``, ``wbgetentities``) and pure readers of its entity JSON.

Shared by the resolution chain (official website P856, country P17, instance of P31) and the Wikidata
source (everything else). Entities are the ``entities.<id>`` objects of ``wbgetentities``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.domain import ExtractionRequest
from server.extraction.fetcher import WebFetcher
from server.extraction.sources.wikidata_requests import ENTITY_ID_RE, ReadAhead, requests_of

# The requests' own names that callers read through this module.
from server.extraction.sources.wikidata_requests import MAX_IDS_PER_REQUEST as MAX_IDS_PER_REQUEST
from server.extraction.sources.wikidata_requests import entity_url as entity_url
from server.extraction.sources.wikidata_requests import search_url as search_url

NAMED_ITEMS = 5  # search hits whose items are read (the finder's candidates, the source's choice)
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
    """``wbsearchentities`` hits for a name, best first (``id``, ``label``, ``description``), sent in
    turn with the other Wikidata requests of ``fetcher`` (``WikidataRequests``)."""
    return await requests_of(fetcher).search(name, language)


def read_ahead(fetcher: WebFetcher, plans: Mapping[str, ReadAhead]) -> None:
    """Make each plan's Wikidata calls (a coming company's, by key) while no company's request waits,
    so that the companies find their answers when they ask; replaces the plans of the last call
    (``WikidataRequests.read_ahead``)."""
    requests_of(fetcher).read_ahead(plans)


async def get_entities(
    fetcher: WebFetcher,
    ids: list[str],
    language: str,
    *,
    all_languages: bool = False,
) -> EntityDocument:
    """``wbgetentities`` for ``ids``, together with every other lookup in flight on this fetcher.

    Labels and aliases come in ``language`` and English, or with ``all_languages`` in every language
    (the items a name is matched against: a Chinese label is a name of the item as much as its English one).

    Concurrent companies ask for items at once (their candidates, the cities and countries they point
    to): an id already asked for is waited for, not asked again, and the ids still waiting when the
    next request can go all go in it (``WikidataRequests``).

    Raises:
        FetchError: Wikidata could not be read (every caller of that request gets it).
    """
    languages = None if all_languages else "|".join(dict.fromkeys([language, FALLBACK_LANGUAGE]))
    found = await requests_of(fetcher).entities(list(dict.fromkeys(ids)), languages)
    return EntityDocument({qid: entity for qid, entity in found.items() if entity is not None})


@dataclass(frozen=True)
class NamedItems:
    """The items a search for the company's name found (best first) and their entities."""

    ids: list[str]
    document: EntityDocument


async def named_items(fetcher: WebFetcher, request: ExtractionRequest) -> NamedItems:
    """The first ``NAMED_ITEMS`` hits of a search for the name, with every language: the resolution
    chain's finder and the Wikidata source both read them, so one answer serves both.

    Raises:
        FetchError: Wikidata could not be read.
    """
    hits = await search_entities(fetcher, request.company_name, request.language)
    ids = [str(hit["id"]) for hit in hits[:NAMED_ITEMS]]
    if not ids:
        return NamedItems([], EntityDocument({}))
    document = await get_entities(fetcher, ids, request.language, all_languages=True)
    return NamedItems(ids, document)


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
