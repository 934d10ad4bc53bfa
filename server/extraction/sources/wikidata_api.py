"""Wikidata's action API (``wbsearchentities``, ``wbgetentities``) and pure readers of its entity JSON.

Shared by the resolution chain (official website P856, country P17, instance of P31) and the Wikidata
source (everything else). Entities are the ``entities.<id>`` objects of ``wbgetentities``.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import weakref
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from server.domain import ExtractionRequest
from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS

SOURCE = "wikidata"  # the name its calls are recorded under (finder and source alike)
WIKIDATA_HOST = "www.wikidata.org"
WIKIDATA_API_URL = f"https://{WIKIDATA_HOST}/w/api.php"
ENTITY_URL = "https://www.wikidata.org/wiki/{id}"
SEARCH_LIMIT = 7
NAMED_ITEMS = 5  # search hits whose items are read (the finder's candidates, the source's choice)
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


def read_ahead(fetcher: WebFetcher, searches: Sequence[tuple[str, str]]) -> None:
    """Search for these (name, language) pairs while no company's Wikidata request waits, so that the
    companies find their answers when they ask (``WikidataRequests.read_ahead``); replaces the pairs
    of the last call."""
    _requests_of(fetcher).read_ahead(searches)


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
    found = await _requests_of(fetcher).entities(list(dict.fromkeys(ids)), languages)
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
Entities = dict[str, dict[str, Any] | None]


@dataclass
class _Waiting:
    """One answer a request still to be sent owes, and to whom (its company's context; for a request
    read ahead, an empty one: its outcome belongs in no company's report)."""

    answer: asyncio.Future[Any]
    context: contextvars.Context
    ahead: bool = False


class _NotReadAhead(Exception):
    """A search read ahead that answers no one: dropped before it went, or sent for no company and
    failed (the failure is in no company's report). A company waiting for it asks on its own."""


class _Search:
    """A search asked for and not answered yet; ``context`` is the first company's that waits for it,
    None while only the read-ahead does."""

    def __init__(self, context: contextvars.Context | None) -> None:
        self.context = context
        self.hits: asyncio.Future[list[dict[str, Any]]]


class WikidataRequests:
    """Every Wikidata API request of one fetcher (one extractor: all its companies), sent in turn.

    Wikimedia asks API clients for serial requests (``host_rules``), so the requests of concurrent
    companies queue for the host whatever we do. Queued here rather than at the host's slot, they are
    put together at the moment one can go: an entity request carries every id waiting by then (one
    language selection, ``MAX_IDS_PER_REQUEST`` at most, sorted); an id asked for with every language
    answers the same id asked for with a few (the readers see the same labels, aliases and claims), so
    it is never sent twice. Entity requests go before searches: one of them answers several
    companies, which are further along than one waiting for its search. At most the host's own
    concurrency (politeness) is on its way at once, and politeness still decides when each request
    goes. Each request is made in the context of a company that asked for it (its source report and
    deadline), a search in its own company's.

    Read-ahead (``read_ahead``): the searches of the companies running or about to run (the
    scheduler's lookahead) wait in a queue of their own, sent only when nothing else waits, oldest
    first, in no company's context. A company asking for a search still queued ahead takes it over
    (it moves to the company searches, in that company's context); one asking while it is on its way
    waits for it; its answer is kept in the response cache like any other. A search no longer in the
    latest list is dropped if it has not gone (its answer, if it came, is forgotten); one that fails is
    asked again by the company that needs it, so that its failure is recorded where it counts. An
    answer read ahead stays here until its company takes it or is no longer listed, so that it needs
    no response cache to be used.
    """

    def __init__(self, fetcher: WebFetcher) -> None:
        # Weakly: the requests live as long as their fetcher, in a table keyed by it.
        self._fetcher = weakref.ref(fetcher)
        self._searches: dict[str, _Waiting] = {}  # not yet sent, by URL, oldest first
        self._ahead: dict[str, _Waiting] = {}  # read ahead, not yet sent, by URL, oldest first
        self._searching: dict[str, _Search] = {}
        self._window: set[str] = set()  # the searches to read ahead (the last ``read_ahead``)
        self._read: set[str] = set()  # those of the window read ahead already (or being read)
        self._waiting: dict[Languages, dict[str, list[_Waiting]]] = {}  # ids not yet sent
        self._asked: dict[tuple[Languages, str], asyncio.Future[Entities]] = {}
        self._senders: set[asyncio.Task[None]] = set()
        self._sending = 0  # senders that have not yet seen an empty queue

    async def search(self, name: str, language: str) -> list[dict[str, Any]]:
        """The hits for ``name``: kept in the response cache, or asked for (once while in flight)."""
        url = search_url(name, language)
        while True:
            search = self._searching.get(url)
            if search is None:
                search = self._start_search(url, contextvars.copy_context())
            elif search.context is None:  # so far only read ahead: now a company waits for it
                search.context = contextvars.copy_context()
                queued = self._ahead.pop(url, None)
                if queued is not None:
                    self._searches[url] = _Waiting(queued.answer, search.context)
                    self._start_sending()
            try:
                # One caller giving up (its company cancelled) does not cancel the others' search.
                hits = await asyncio.shield(search.hits)
            except _NotReadAhead:
                continue  # (the failed search is out of ``_searching``: this time it is our own)
            if self._searching.get(url) is search:  # an answer read ahead, kept for this company
                del self._searching[url]
            return hits

    def read_ahead(self, searches: Sequence[tuple[str, str]]) -> None:
        """Queue these (name, language) searches behind every other request, in this order, and drop
        the ones queued ahead that are no longer listed (see the class doc)."""
        window = list(dict.fromkeys(search_url(name, language) for name, language in searches))
        self._window = set(window)
        self._read &= self._window
        for url in [url for url in self._ahead if url not in self._window]:
            self._ahead.pop(url).answer.set_exception(_NotReadAhead())
        for url, search in list(self._searching.items()):
            if search.hits.done() and url not in self._window:
                del self._searching[url]  # an answer read ahead for a company no longer coming
        for url in window:
            if url in self._read:
                continue
            self._read.add(url)
            if url not in self._searching:
                self._start_search(url, None)

    def _start_search(self, url: str, context: contextvars.Context | None) -> _Search:
        search = _Search(context)
        search.hits = asyncio.ensure_future(self._kept_or_searched(url, search))
        self._searching[url] = search

        def answered(hits: asyncio.Future[list[dict[str, Any]]]) -> None:
            # Read ahead and not yet asked for, the answer stays here while its company is listed
            # (the fetcher may keep no response cache); a failure is never kept.
            failed = hits.cancelled() or hits.exception() is not None
            if failed or search.context is not None or url not in self._window:
                if self._searching.get(url) is search:
                    del self._searching[url]

        search.hits.add_done_callback(answered)
        return search

    async def entities(self, ids: list[str], languages: Languages) -> Entities:
        """The items ``ids`` (None for an id Wikidata has no item of): kept in the response cache,
        asked for with the next request, or awaited with the request that already asks for them."""
        lookups: dict[str, asyncio.Future[Entities]] = {}
        new: list[str] = []
        for qid in ids:
            future = self._asked.get((None, qid)) or self._asked.get((languages, qid))
            if future is None:
                new.append(qid)
                continue
            lookups[qid] = future
        if new:
            future = asyncio.ensure_future(self._kept_or_asked(new, languages))
            keys = [(languages, qid) for qid in new]
            for key in keys:
                self._asked[key] = future
                lookups[key[1]] = future

            def forget(done: asyncio.Future[Entities]) -> None:
                for key in keys:
                    if self._asked.get(key) is done:
                        del self._asked[key]

            future.add_done_callback(forget)
        answers = {
            future: await asyncio.shield(future) for future in dict.fromkeys(lookups.values())
        }  # one caller giving up does not cancel the others' lookups
        return {qid: answers[future].get(qid) for qid, future in lookups.items()}

    async def _kept_or_searched(self, url: str, search: _Search) -> list[dict[str, Any]]:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        if cache is not None and (kept := await cache.get_document(url)) is not None:
            return _hits(kept)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if search.context is not None:
            self._searches[url] = _Waiting(answer, search.context)
        elif url in self._window:
            self._ahead[url] = _Waiting(answer, contextvars.Context(), ahead=True)
        else:  # dropped from the read-ahead while the cache was read
            raise _NotReadAhead
        self._start_sending()
        return _hits(await answer)

    async def _kept_or_asked(self, ids: list[str], languages: Languages) -> Entities:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        found: Entities = {}
        if cache is not None:
            for qid in ids:
                for key in dict.fromkeys([_entity_key(None, qid), _entity_key(languages, qid)]):
                    kept = await cache.get_document(key)
                    if isinstance(kept, dict):
                        found[qid] = kept
                        break
        # Every id not kept joins the queue at once, so that they go in one request.
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        answers = {qid: loop.create_future() for qid in ids if qid not in found}
        waiting = self._waiting.setdefault(languages, {})
        for qid, answer in answers.items():
            waiting.setdefault(qid, []).append(_Waiting(answer, context))
        if answers:
            self._start_sending()
        for qid, answer in answers.items():
            entity = await answer
            found[qid] = entity
            if cache is not None and entity is not None:
                await cache.put_document(
                    _entity_key(languages, qid), entity_url(qid), entity, KNOWLEDGE_TTL_SECONDS
                )
        return found

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
        """The request to send now (see the class doc), or None when nothing waits. Among entity
        requests, every language first: its answer serves the other selections' same ids too."""
        selections = sorted(
            (languages for languages, waiting in self._waiting.items() if waiting),
            key=lambda languages: languages is not None,
        )
        if selections:
            return self._entity_request(selections[0])
        for queue in (self._searches, self._ahead):  # a company's own searches, then those read ahead
            search = next(iter(queue), None)
            if search is not None:
                return self._send_search(search, queue.pop(search))
        return None

    def _entity_request(self, languages: Languages) -> Coroutine[Any, Any, None]:
        waiting = self._waiting[languages]
        ids = sorted(waiting)[:MAX_IDS_PER_REQUEST]
        taken = {qid: waiting.pop(qid) for qid in ids}
        if languages is None:  # the same ids asked for with fewer languages: answered too
            for others in self._waiting.values():
                for qid in ids:
                    taken[qid] += others.pop(qid, [])
        return self._send_entities(languages, taken)

    async def _send_search(self, url: str, queued: _Waiting) -> None:
        fetcher = self._fetcher()
        try:
            if fetcher is None:
                raise FetchError("Wikidata search after its fetcher closed", details=url)
            fetched = fetcher.fetch_json(url, source=SOURCE, cache_seconds=KNOWLEDGE_TTL_SECONDS)
            document, _ = await asyncio.create_task(fetched, context=queued.context)
        except Exception as exc:
            if not queued.answer.done():
                queued.answer.set_exception(_NotReadAhead() if queued.ahead else exc)
            return
        except asyncio.CancelledError:
            queued.answer.cancel()
            raise
        if not queued.answer.done():
            queued.answer.set_result(document)

    async def _send_entities(self, languages: Languages, taken: dict[str, list[_Waiting]]) -> None:
        queued = [waiting for owed in taken.values() for waiting in owed]
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
            document, _ = await asyncio.create_task(fetched, context=queued[0].context)
        except Exception as exc:
            for waiting in queued:
                if not waiting.answer.done():
                    waiting.answer.set_exception(exc)
            return
        except asyncio.CancelledError:
            for waiting in queued:
                waiting.answer.cancel()
            raise
        entities = document.get("entities", {}) if isinstance(document, dict) else {}
        for qid, owed in taken.items():
            item = entities.get(qid)
            found = item if isinstance(item, dict) and "missing" not in item else None
            for waiting in owed:
                if not waiting.answer.done():
                    waiting.answer.set_result(found)


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
