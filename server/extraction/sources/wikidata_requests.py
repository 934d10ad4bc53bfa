"""The one queue every Wikidata API request of a fetcher goes through: sent in turn (Wikimedia's
serial-request rule), put together across companies, and read ahead for the companies about to run.

``server.extraction.sources.wikidata_api`` is the face of it (``search_entities``, ``get_entities``,
``read_ahead``); this module owns the requests and their URLs.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import logging
import re
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from server.errors import FetchError
from server.extraction.base import RESOLVING
from server.extraction.fetcher import WebFetcher
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS

LOGGER_NAME = "company_batch.wikidata"
SOURCE = "wikidata"  # the name its calls are recorded under (finder and source alike)
WIKIDATA_HOST = "www.wikidata.org"
WIKIDATA_API_URL = f"https://{WIKIDATA_HOST}/w/api.php"
ENTITY_URL = "https://www.wikidata.org/wiki/{id}"
SEARCH_LIMIT = 7
SEARCH_URL_CACHE_SIZE = 4096  # distinct (name, language) search URLs remembered by search_url
ENTITY_PROPS = "labels|descriptions|aliases|claims|sitelinks"
ENTITY_ID_RE = re.compile(r"Q\d+")
# An item with its claims and its labels in every language runs to a few MB (a large company's to
# several), so entity documents get their own body cap rather than the HTML page cap.
ENTITIES_MAX_BYTES = 32_000_000
# ``wbgetentities`` answers at most this many ids per request (500 for bots); larger sets are split.
MAX_IDS_PER_REQUEST = 50

READING_AHEAD: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wikidata_reading_ahead", default=None
)
"""Set in a read-ahead's task (``WikidataRequests.read_ahead``): the key it reads ahead under."""

Languages = str | None
"""A ``wbgetentities`` language selection (``de|en``), None for every language."""
Entities = dict[str, dict[str, Any] | None]
ReadAhead = Callable[[], Awaitable[object]]
"""What reading ahead for one company does: the Wikidata calls its extraction will make."""


@functools.lru_cache(maxsize=SEARCH_URL_CACHE_SIZE)
def search_url(name: str, language: str) -> str:
    """The ``wbsearchentities`` request for ``name`` (also the key its answer is kept under).

    Remembered: every change of the scheduler's coming companies keys their read-aheads by it again
    (thousands of URL encodings for a batch of a hundred, on the event loop)."""
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


def entity_url(entity_id: str) -> str:
    return ENTITY_URL.format(id=entity_id)


def hits_of(document: Any) -> list[dict[str, Any]]:
    """The hits of a ``wbsearchentities`` answer that name an item."""
    hits = document.get("search", []) if isinstance(document, dict) else []
    return [hit for hit in hits if isinstance(hit, dict) and ENTITY_ID_RE.fullmatch(str(hit.get("id", "")))]


def entity_key(languages: Languages, qid: str) -> str:
    """Where one item is kept in the response cache, per language selection (``*``: every language)."""
    return f"wikidata:wbgetentities:{languages or '*'}:{qid}"


@dataclass
class _Waiting:
    """One answer a request still to be sent owes, and to whom: a company (its context: its source
    report and deadline) or, with ``owner``, only the read-ahead of that key (an empty context: its
    outcome belongs in no company's report). ``turn`` is when it was asked for (by a company, once
    one takes it over): companies' requests go in that order."""

    answer: asyncio.Future[Any]
    context: contextvars.Context
    turn: int
    owner: str | None = None

    @property
    def ahead(self) -> bool:
        return self.owner is not None

    def take_over(self, turn: int) -> None:
        """A company waits for this answer now (called in that company's context), from ``turn`` on."""
        self.owner = None
        self.context = contextvars.copy_context()
        self.turn = turn


class _NotReadAhead(Exception):
    """A request read ahead that answers no one: dropped before it went, or sent for no company and
    failed (the failure is in no company's report). A company waiting for it asks on its own."""


class _Search:
    """A search asked for and not answered yet: by a company (``context``, the first one's) or so far
    only by the read-ahead of ``owner``."""

    def __init__(self, context: contextvars.Context | None, owner: str | None) -> None:
        self.context = context
        self.owner = owner
        self.hits: asyncio.Future[list[dict[str, Any]]]


class _Lookup:
    """An entity lookup asked for and not answered yet: by a company (``context``, the first one's)
    or so far only by the read-ahead of ``owner``; ``entries`` are its ids' places in the queue."""

    def __init__(self, context: contextvars.Context | None, owner: str | None) -> None:
        self.context = context
        self.owner = owner
        self.entries: list[_Waiting] = []
        self.found: asyncio.Future[Entities]

    def take_over(self, turn: int) -> None:
        """A company waits for it now (called in that company's context, at ``turn``): what it queues
        from now on, and what it queued ahead and is not yet sent, goes as that company's."""
        if self.owner is None:
            return
        self.owner, self.context = None, contextvars.copy_context()
        for entry in self.entries:
            if entry.ahead:
                entry.take_over(turn)


class WikidataRequests:
    """Every Wikidata API request of one fetcher (one extractor: all its companies), sent in turn.

    Wikimedia asks API clients for serial requests (``host_rules``), so the requests of concurrent
    companies queue for the host whatever we do. Queued here rather than at the host's slot, they are
    put together at the moment one can go: an entity request carries every id waiting by then (one
    language selection, ``MAX_IDS_PER_REQUEST`` at most, sorted); a request for every language carries
    the ids waiting for a few languages too, since its answer has their labels as well (the readers see
    the same labels, aliases and claims; the answer is larger by the other languages' labels, a
    request less on a host that takes one at a time), and an id is never sent twice. A search of a
    company still resolving its domain (``RESOLVING``) goes first, since the whole rest of that
    company waits on it; the other requests companies wait for go in the order they were asked for.
    An entity lookup does not jump the searches asked before it: while it waits, the lookups other
    companies ask join it, and one request answers them all (each step of a company's chain is asked
    while the others' searches go: going first, it would mostly go alone). At most the host's own
    concurrency (politeness) is on its way at once, and politeness still decides when each request
    goes. Each request is made in the context of a company that asked for it (its source report and
    deadline), a search in its own company's.

    Read-ahead (``read_ahead``): for each company running or about to run (the scheduler's
    lookahead) a task makes the Wikidata calls its extraction will make, marked ``READING_AHEAD``.
    What it asks waits behind everything a company waits for: companies' requests, then entity
    lookups read ahead, then searches read ahead, in the order the companies come. A company entity
    request takes the ids read ahead of its language selection along (up to ``MAX_IDS_PER_REQUEST``,
    its own first), which costs no request. A company asking for something
    still queued ahead takes it over (it moves up, into that company's context); one asking while it
    is on its way waits for it. A company no longer listed has its read-ahead cancelled and what it
    queued dropped; something read ahead that fails is asked again by the company that needs it, so
    that the failure is recorded where it counts. Answers go to the response cache like any other;
    a search answered ahead also stays here until its company takes it or is no longer listed, so
    that the first read-ahead step needs no response cache.
    """

    def __init__(self, fetcher: WebFetcher) -> None:
        # Weakly: the requests live as long as their fetcher, in a table keyed by it.
        self._fetcher = weakref.ref(fetcher)
        self._searches: dict[str, _Waiting] = {}  # a company's, not yet sent, by URL, oldest first
        self._ahead: dict[str, _Waiting] = {}  # read ahead, not yet sent, by URL, oldest first
        self._searching: dict[str, _Search] = {}
        self._waiting: dict[Languages, dict[str, list[_Waiting]]] = {}  # ids not yet sent
        self._asked: dict[tuple[Languages, str], _Lookup] = {}
        self._reading: dict[str, asyncio.Task[None]] = {}  # read-aheads of the listed companies
        self._senders: set[asyncio.Task[None]] = set()
        self._sending = 0  # senders that have not yet seen an empty queue
        self._turns = itertools.count()  # the order requests are asked for in

    # -- what companies ask ------------------------------------------------------------------------

    async def search(self, name: str, language: str) -> list[dict[str, Any]]:
        """The hits for ``name``: kept in the response cache, or asked for (once while in flight)."""
        url = search_url(name, language)
        owner = READING_AHEAD.get()
        while True:
            search = self._searching.get(url)
            if search is None:
                search = self._start_search(url, None if owner else contextvars.copy_context(), owner)
            elif owner is None and search.owner is not None:  # read ahead so far: a company waits now
                search.owner, search.context = None, contextvars.copy_context()
                queued = self._ahead.pop(url, None)
                if queued is not None:
                    queued.take_over(next(self._turns))
                    self._searches[url] = queued
                    self._start_sending()
            try:
                # One caller giving up (its company cancelled) does not cancel the others' search.
                hits = await asyncio.shield(search.hits)
            except _NotReadAhead:
                if owner is not None:
                    raise
                continue  # (the failed search is out of ``_searching``: this time it is our own)
            if owner is None and self._searching.get(url) is search:  # answered ahead, kept for us
                del self._searching[url]
            return hits

    async def entities(self, ids: list[str], languages: Languages) -> Entities:
        """The items ``ids`` (None for an id Wikidata has no item of): kept in the response cache,
        asked for with the next request, or awaited with the request that already asks for them."""
        owner = READING_AHEAD.get()
        while True:
            lookups: dict[str, _Lookup] = {}
            new: list[str] = []
            for qid in ids:
                lookup = self._asked.get((None, qid)) or self._asked.get((languages, qid))
                if lookup is None:
                    new.append(qid)
                    continue
                lookups[qid] = lookup
                if owner is None:
                    lookup.take_over(next(self._turns))
            if new:
                lookup = _Lookup(None if owner else contextvars.copy_context(), owner)
                lookup.found = asyncio.ensure_future(self._kept_or_asked(new, languages, lookup))
                keys = [(languages, qid) for qid in new]
                for key in keys:
                    self._asked[key] = lookup
                    lookups[key[1]] = lookup
                lookup.found.add_done_callback(self._forgetting(keys, lookup))
            try:
                answers = {
                    lookup: await asyncio.shield(lookup.found) for lookup in dict.fromkeys(lookups.values())
                }  # one caller giving up does not cancel the others' lookups
            except _NotReadAhead:
                if owner is not None:
                    raise
                continue  # what failed is forgotten: this time the lookup is our own
            return {qid: answers[lookup].get(qid) for qid, lookup in lookups.items()}

    # -- reading ahead -----------------------------------------------------------------------------

    def read_ahead(self, plans: Mapping[str, ReadAhead]) -> None:
        """Read ahead for these companies, by key, in this order (see the class doc): a read-ahead
        already running goes on, a key no longer listed has its read-ahead dropped."""
        for key in [key for key in self._reading if key not in plans]:
            self._drop(key)
        for key, read in plans.items():
            if key in self._reading:
                continue
            context = contextvars.Context()  # no company's: no report, no deadline
            context.run(READING_AHEAD.set, key)
            self._reading[key] = asyncio.create_task(
                _quietly(read), name="wikidata-read-ahead", context=context
            )

    def _drop(self, key: str) -> None:
        self._reading.pop(key).cancel()
        for url in [url for url, waiting in self._ahead.items() if waiting.owner == key]:
            _fail(self._ahead.pop(url).answer, _NotReadAhead())
        for waiting in self._waiting.values():
            for qid, owed in list(waiting.items()):
                kept = [entry for entry in owed if entry.owner != key]
                for entry in owed:
                    if entry.owner == key:
                        _fail(entry.answer, _NotReadAhead())
                if kept:
                    waiting[qid] = kept
                else:
                    del waiting[qid]
        for url, search in list(self._searching.items()):
            if search.owner == key and search.hits.done():
                del self._searching[url]  # an answer read ahead for a company no longer coming

    # -- queueing ----------------------------------------------------------------------------------

    def _start_search(self, url: str, context: contextvars.Context | None, owner: str | None) -> _Search:
        search = _Search(context, owner)
        search.hits = asyncio.ensure_future(self._kept_or_searched(url, search))
        self._searching[url] = search

        def answered(hits: asyncio.Future[list[dict[str, Any]]]) -> None:
            # Read ahead and not yet asked for, the answer stays while its company is listed (the
            # fetcher may keep no response cache); a failure is never kept (nor left unretrieved).
            failed = hits.cancelled() or hits.exception() is not None
            if failed or search.owner is None or search.owner not in self._reading:
                if self._searching.get(url) is search:
                    del self._searching[url]

        search.hits.add_done_callback(answered)
        return search

    def _forgetting(
        self, keys: list[tuple[Languages, str]], lookup: _Lookup
    ) -> Callable[[asyncio.Future[Entities]], None]:
        def forget(done: asyncio.Future[Entities]) -> None:
            if not done.cancelled():
                done.exception()  # read ahead, it may have no one to raise to
            for key in keys:
                if self._asked.get(key) is lookup:
                    del self._asked[key]

        return forget

    async def _kept_or_searched(self, url: str, search: _Search) -> list[dict[str, Any]]:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        if cache is not None and (kept := await cache.get_document(url)) is not None:
            return hits_of(kept)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if search.owner is None:
            assert search.context is not None  # a company's search carries its context
            self._searches[url] = _Waiting(answer, search.context, next(self._turns))
        elif search.owner in self._reading:
            self._ahead[url] = _Waiting(answer, contextvars.Context(), next(self._turns), search.owner)
        else:  # dropped while the cache was read
            raise _NotReadAhead
        self._start_sending()
        return hits_of(await answer)

    async def _kept_or_asked(self, ids: list[str], languages: Languages, lookup: _Lookup) -> Entities:
        fetcher = self._fetcher()
        cache = fetcher.responses if fetcher is not None else None
        found: Entities = {}
        if cache is not None:
            for qid in ids:
                for key in dict.fromkeys([entity_key(None, qid), entity_key(languages, qid)]):
                    kept = await cache.get_document(key)
                    if isinstance(kept, dict):
                        found[qid] = kept
                        break
        if lookup.owner is not None and lookup.owner not in self._reading:
            raise _NotReadAhead  # dropped while the cache was read
        # Every id not kept joins the queue at once, so that they go in one request.
        loop = asyncio.get_running_loop()
        answers = {qid: loop.create_future() for qid in ids if qid not in found}
        waiting = self._waiting.setdefault(languages, {})
        turn = next(self._turns)
        for qid, answer in answers.items():
            entry = _Waiting(answer, lookup.context or contextvars.Context(), turn, lookup.owner)
            lookup.entries.append(entry)
            waiting.setdefault(qid, []).append(entry)
        if answers:
            self._start_sending()
        for qid, answer in answers.items():
            entity = await answer
            found[qid] = entity
            if cache is not None and entity is not None:
                await cache.put_document(
                    entity_key(languages, qid), entity_url(qid), entity, KNOWLEDGE_TTL_SECONDS
                )
        return found

    # -- sending -----------------------------------------------------------------------------------

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
        """The request to send now (see the class doc), or None when nothing waits."""
        # A search its company resolves its domain with first: all the rest of that company waits on
        # it, when the others' remaining work is only a few knowledge requests.
        search = next((url for url, queued in self._searches.items() if queued.context.get(RESOLVING)), None)
        if search is not None:
            return self._send_search(search, self._searches.pop(search))
        # Then companies' requests in the order they were asked for: an entity lookup waiting its turn
        # gathers the ids asked meanwhile, which then go with it.
        first_search = next(iter(self._searches.items()), None)
        first_lookup = min(
            (
                (entry.turn, languages)
                for languages, waiting in self._waiting.items()
                for owed in waiting.values()
                for entry in owed
                if not entry.ahead
            ),
            default=None,
        )
        if first_search is not None and (first_lookup is None or first_search[1].turn < first_lookup[0]):
            return self._send_search(first_search[0], self._searches.pop(first_search[0]))
        if first_lookup is not None:
            return self._entity_request(first_lookup[1])
        # Read ahead: entity lookups (the next steps of chains begun) before searches.
        selections = [languages for languages, waiting in self._waiting.items() if waiting]
        if selections:
            return self._entity_request(selections[0])
        search = next(iter(self._ahead), None)
        return self._send_search(search, self._ahead.pop(search)) if search is not None else None

    def _entity_request(self, languages: Languages) -> Coroutine[Any, Any, None]:
        """The ids waiting for ``languages`` (for every language: the ids waiting for any selection,
        since its answer has every label), a company's first, ``MAX_IDS_PER_REQUEST`` at most; when
        any id waits for every language, that request instead: it answers them all."""
        if self._waiting.get(None):
            languages = None
        pools = [self._waiting[languages]] if languages is not None else list(self._waiting.values())
        for_company: dict[str, bool] = {}
        for waiting in pools:
            for qid, owed in waiting.items():
                for_company[qid] = for_company.get(qid, False) or any(not entry.ahead for entry in owed)
        ranked = sorted(sorted(for_company), key=lambda qid: not for_company[qid])
        taken: dict[str, list[_Waiting]] = {qid: [] for qid in sorted(ranked[:MAX_IDS_PER_REQUEST])}
        for waiting in pools:
            for qid, owed in taken.items():
                owed += waiting.pop(qid, [])
        return self._send_entities(languages, taken)

    async def _send_search(self, url: str, queued: _Waiting) -> None:
        fetcher = self._fetcher()
        try:
            if fetcher is None:
                raise FetchError("Wikidata search after its fetcher closed", details=url)
            fetched = fetcher.fetch_json(url, source=SOURCE, cache_seconds=KNOWLEDGE_TTL_SECONDS)
            document, _ = await asyncio.create_task(fetched, context=queued.context)
        except Exception as exc:
            _fail(queued.answer, _NotReadAhead() if queued.ahead else exc)
            return
        except asyncio.CancelledError:
            queued.answer.cancel()
            raise
        if not queued.answer.done():
            queued.answer.set_result(document)

    async def _send_entities(self, languages: Languages, taken: dict[str, list[_Waiting]]) -> None:
        # Sent in a company's context when one waits (its report records the request).
        queued = sorted((entry for owed in taken.values() for entry in owed), key=lambda entry: entry.ahead)
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
            for entry in queued:
                _fail(entry.answer, _NotReadAhead() if entry.ahead else exc)
            return
        except asyncio.CancelledError:
            for entry in queued:
                entry.answer.cancel()
            raise
        entities = document.get("entities", {}) if isinstance(document, dict) else {}
        for qid, owed in taken.items():
            item = entities.get(qid)
            found = item if isinstance(item, dict) and "missing" not in item else None
            for entry in owed:
                if not entry.answer.done():
                    entry.answer.set_result(found)


def _fail(answer: asyncio.Future[Any], error: BaseException) -> None:
    """Answer with ``error``, marked as seen: a request's answers are awaited one after another, and
    those after the first failure (or one only a dropped read-ahead waited for) never are."""
    if not answer.done():
        answer.set_exception(error)
        answer.exception()


async def _quietly(read: ReadAhead) -> None:
    """Run a read-ahead: what it could not read, its company asks for itself."""
    try:
        await read()
    except (FetchError, _NotReadAhead):
        pass
    except Exception:  # a read-ahead is an optimisation: it never takes anything down with it
        logging.getLogger(LOGGER_NAME).exception("reading Wikidata ahead failed")


_REQUESTS: weakref.WeakKeyDictionary[WebFetcher, WikidataRequests] = weakref.WeakKeyDictionary()


def requests_of(fetcher: WebFetcher) -> WikidataRequests:
    """The Wikidata requests shared by every company using ``fetcher`` (one extractor: all its workers)."""
    if fetcher not in _REQUESTS:
        _REQUESTS[fetcher] = WikidataRequests(fetcher)
    return _REQUESTS[fetcher]
