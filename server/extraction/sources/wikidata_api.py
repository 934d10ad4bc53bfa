"""Wikidata's action API (``wbsearchentities``, ``wbgetentities``) and pure readers of its entity JSON.

Shared by the resolution chain (official website P856, country P17, instance of P31) and the Wikidata
source (everything else). Entities are the ``entities.<id>`` objects of ``wbgetentities``.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import weakref
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS

SOURCE = "wikidata"  # the name its calls are recorded under (finder and source alike)
WIKIDATA_HOST = "www.wikidata.org"
WIKIDATA_API_URL = f"https://{WIKIDATA_HOST}/w/api.php"
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
    """``wbsearchentities`` hits for a name, best first (``id``, ``label``, ``description``), sent in
    turn with the other Wikidata requests of ``fetcher`` (``WikidataRequests``)."""
    return await _requests_of(fetcher).search(name, language)


async def get_entities(
    fetcher: WebFetcher, ids: list[str], language: str, *, all_languages: bool = False
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
    requests = _requests_of(fetcher)
    wanted = list(dict.fromkeys(ids))
    found = await asyncio.gather(*(requests.entity(qid, languages) for qid in wanted))
    return EntityDocument(
        {qid: entity for qid, entity in zip(wanted, found, strict=True) if entity is not None}
    )


def search_url(name: str, language: str) -> str:
    """The ``wbsearchentities`` request for ``name`` (also the key its answer is kept under)."""
    params = {
        "action": "wbsearchentities",
        "search": name,
        "language": language,
        "uselang": language,
        "type": "item",
        "limit": str(SEARCH_LIMIT),
        "format": "json",
    }
    return f"{WIKIDATA_API_URL}?{urlencode(params)}"


def _hits(document: Any) -> list[dict[str, Any]]:
    hits = document.get("search", []) if isinstance(document, dict) else []
    return [hit for hit in hits if isinstance(hit, dict) and ENTITY_ID_RE.fullmatch(str(hit.get("id", "")))]


def _entity_key(languages: str | None, qid: str) -> str:
    """Where one item is kept in the response cache, per language selection (``*``: every language)."""
    return f"wikidata:wbgetentities:{languages or '*'}:{qid}"


Languages = str | None
"""A ``wbgetentities`` language selection (``de|en``), None for every language."""
Waiter = tuple["asyncio.Future[dict[str, Any] | None]", contextvars.Context]


class WikidataRequests:
    """Every Wikidata API request of one fetcher (one extractor: all its companies), sent in turn.

    Wikimedia asks API clients for serial requests (``host_rules``), so the requests of concurrent
    companies queue for the host whatever we do. Queued here rather than at the host's slot, they are
    put together at the moment one can go: an entity request carries every id waiting by then (one
    language selection, ``MAX_IDS_PER_REQUEST`` at most, sorted); an id asked for with every language
    answers the same id asked for with a few (the readers see the same labels, aliases and claims), so
    it is never sent twice; entity requests go before searches, because one of them answers several
    companies that are further along. At most the host's own concurrency (politeness) is on its way at
    once, and politeness still decides when each request goes. Each request is made in the context of
    a company that asked for it (its source report and deadline), a search in its own company's.
    """

    def __init__(self, fetcher: WebFetcher) -> None:
        # Weakly: the requests live as long as their fetcher, in a table keyed by it.
        self._fetcher = weakref.ref(fetcher)
        self._searches: deque[tuple[str, asyncio.Future[Any], contextvars.Context]] = deque()
        self._searching: dict[str, asyncio.Future[list[dict[str, Any]]]] = {}
        self._waiting: dict[Languages, dict[str, list[Waiter]]] = {}  # not yet sent
        self._asked: dict[tuple[Languages, str], asyncio.Future[dict[str, Any] | None]] = {}
        self._senders: set[asyncio.Task[None]] = set()
        self._sending = 0  # senders that have not yet seen an empty queue

    async def search(self, name: str, language: str) -> list[dict[str, Any]]:
        """The hits for ``name``: kept in the response cache, or asked for (once while in flight)."""
        url = search_url(name, language)
        future = self._searching.get(url)
        if future is None:
            future = asyncio.ensure_future(self._kept_or_searched(url))
            self._searching[url] = future
            future.add_done_callback(lambda _: self._searching.pop(url, None))
        # One caller giving up (its company cancelled) does not cancel the others' search.
        return await asyncio.shield(future)

    async def entity(self, qid: str, languages: Languages) -> dict[str, Any] | None:
        """The item ``qid`` (None when Wikidata has no such item): kept in the response cache, asked
        for with the next request, or awaited with the request that already asks for it."""
        future = self._asked.get((None, qid)) or self._asked.get((languages, qid))
        if future is None:
            key = (languages, qid)
            future = asyncio.ensure_future(self._kept_or_asked(qid, languages))
            self._asked[key] = future
            future.add_done_callback(lambda _: self._asked.pop(key, None))
        return await asyncio.shield(future)

    async def _kept_or_searched(self, url: str) -> list[dict[str, Any]]:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        if cache is not None and (kept := await cache.get_document(url)) is not None:
            return _hits(kept)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._searches.append((url, answer, contextvars.copy_context()))
        self._start_sending()
        return _hits(await answer)

    async def _kept_or_asked(self, qid: str, languages: Languages) -> dict[str, Any] | None:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        if cache is not None:
            for key in dict.fromkeys([_entity_key(None, qid), _entity_key(languages, qid)]):
                kept = await cache.get_document(key)
                if isinstance(kept, dict):
                    return kept
        answer: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(languages, {}).setdefault(qid, []).append(
            (answer, contextvars.copy_context())
        )
        self._start_sending()
        entity = await answer
        if cache is not None and entity is not None:
            await cache.put_document(
                _entity_key(languages, qid), entity_url(qid), entity, KNOWLEDGE_TTL_SECONDS
            )
        return entity

    def _start_sending(self) -> None:
        fetcher = self._fetcher()
        limit = fetcher.host_concurrency(WIKIDATA_HOST) if fetcher is not None else 1
        if self._sending < limit:
            self._sending += 1
            task = asyncio.create_task(self._send_while_queued(), name="wikidata-requests")
            self._senders.add(task)
            task.add_done_callback(self._senders.discard)

    async def _send_while_queued(self) -> None:
        try:
            while (request := self._next_request()) is not None:
                await request
        finally:
            self._sending -= 1  # in the step that found the queue empty: no request is left unsent

    def _next_request(self) -> Coroutine[Any, Any, None] | None:
        """The request to send now: entities (every language first, whose answer serves the others
        too), else the oldest search; None when nothing waits."""
        for languages in sorted(self._waiting, key=lambda selection: selection is not None):
            waiting = self._waiting[languages]
            if waiting:
                ids = sorted(waiting)[:MAX_IDS_PER_REQUEST]
                taken = {qid: waiting.pop(qid) for qid in ids}
                if languages is None:  # the same ids asked for with fewer languages: answered too
                    for others in self._waiting.values():
                        for qid in ids:
                            taken[qid] += others.pop(qid, [])
                return self._send_entities(languages, taken)
        if self._searches:
            return self._send_search(*self._searches.popleft())
        return None

    async def _send_search(self, url: str, answer: asyncio.Future[Any], context: contextvars.Context) -> None:
        fetcher = self._fetcher()
        try:
            if fetcher is None:
                raise FetchError("Wikidata search after its fetcher closed", details=url)
            fetched = fetcher.fetch_json(url, source=SOURCE, cache_seconds=KNOWLEDGE_TTL_SECONDS)
            document, _ = await asyncio.create_task(fetched, context=context)
        except Exception as exc:
            if not answer.done():
                answer.set_exception(exc)
            return
        except asyncio.CancelledError:
            answer.cancel()
            raise
        if not answer.done():
            answer.set_result(document)

    async def _send_entities(self, languages: Languages, taken: dict[str, list[Waiter]]) -> None:
        waiters = [waiter for queued in taken.values() for waiter in queued]
        params = {"action": "wbgetentities", "ids": "|".join(taken), "props": ENTITY_PROPS}
        if languages is not None:
            params["languages"] = languages
        params["format"] = "json"
        fetcher = self._fetcher()
        try:
            if fetcher is None:
                raise FetchError("Wikidata lookup after its fetcher closed", details=params["ids"])
            fetched = fetcher.fetch_json(
                f"{WIKIDATA_API_URL}?{urlencode(params)}", max_bytes=ENTITIES_MAX_BYTES, source=SOURCE
            )
            document, _ = await asyncio.create_task(fetched, context=waiters[0][1])
        except Exception as exc:
            for answer, _ in waiters:
                if not answer.done():
                    answer.set_exception(exc)
            return
        except asyncio.CancelledError:
            for answer, _ in waiters:
                answer.cancel()
            raise
        entities = document.get("entities", {}) if isinstance(document, dict) else {}
        for qid, queued in taken.items():
            item = entities.get(qid)
            found = item if isinstance(item, dict) and "missing" not in item else None
            for answer, _ in queued:
                if not answer.done():
                    answer.set_result(found)


_REQUESTS: weakref.WeakKeyDictionary[WebFetcher, WikidataRequests] = weakref.WeakKeyDictionary()


def _requests_of(fetcher: WebFetcher) -> WikidataRequests:
    """The Wikidata requests shared by every company using ``fetcher`` (one extractor: all its workers)."""
    if fetcher not in _REQUESTS:
        _REQUESTS[fetcher] = WikidataRequests(fetcher)
    return _REQUESTS[fetcher]


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
