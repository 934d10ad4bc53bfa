"""Sources that key on nothing another found run together; one keyed on another's facts waits for them.

A company's site and its Wikidata item are read at the same time, and Wikipedia, SEC and GLEIF go once
the item is known; a source that fails leaves the others' facts, and cancelling the company cancels
every source in flight. Each test holds one request open in the fetcher until another source's request
is seen (``HeldRequests``): read one after another, the held request would wait for nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox.knowledge_records import WIKIDATA_HOST
from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.errors import FetchError
from server.extraction import outcomes
from server.extraction.fetcher import FetchedPage, WebFetcher
from server.extraction.pipeline import WebExtractor
from server.settings import Settings
from tests.extraction.conftest import CORPUS_DIR, FAST_TIMEOUT_SECONDS
from tests.extraction.test_wikidata_requests import QUEUEING_TURNS

COMPANY = ExtractionRequest(
    "Acme Robotics Inc.", ExtractionMode.COMPREHENSIVE, "US", "en", "acme-robotics.example"
)
SITE = "acme-robotics.example"
ITEM = "Q130000001"  # its Wikidata item
SITE_PAGE = (SITE, "/contact/")  # read by the website source (the home page is read in resolution)
GLEIF_HOST = "api.gleif.org"
WIKIPEDIA_HOST = "en.wikipedia.org"
SEC_HOSTS = ("www.sec.gov", "data.sec.gov")
FORM_D_HOST = "efts.sec.gov"
HOLD_SECONDS = 5.0  # how long a held request waits for what should come meanwhile before it goes anyway

Event = tuple[str, str, str]  # ("start" | "end" | "failed" | "cancelled", host, path)
Pick = Callable[[str, str], bool]  # (host, path with its query) -> whether the rule picks the request


class HeldRequests:
    """Wraps the fetcher's ``fetch``: records when each request starts and ends, and holds the requests
    a rule's ``held`` picks until a request its ``awaited`` picks has started (at most ``HOLD_SECONDS``)."""

    def __init__(self, fetcher: WebFetcher, rules: dict[str, tuple[Pick, Pick]]) -> None:
        self.events: list[Event] = []
        self.rules = rules
        self.seen = {name: asyncio.Event() for name in rules}  # a request the rule awaits has started
        self.holding = 0  # held requests waiting now
        self.hold_began = asyncio.Event()  # set whenever a request is held
        self.settled = asyncio.Event()  # set whenever a request ends (answered, failed or cancelled)
        # Per rule, per request it held: whether the awaited request let it go (else the time ran out).
        self.released_early: dict[str, list[bool]] = {name: [] for name in rules}
        original = fetcher.fetch

        async def fetch(url: str, **options: Any) -> FetchedPage:
            parts = urlsplit(url)
            host, path, target = parts.hostname or "", parts.path, parts.path + "?" + parts.query
            self.events.append(("start", host, path))
            for name, (_, awaited) in rules.items():
                if awaited(host, target):
                    self.seen[name].set()
            try:
                for name, (held, _) in rules.items():
                    if held(host, target):
                        await self._hold(name)
                page = await original(url, **options)
            except asyncio.CancelledError:
                self.events.append(("cancelled", host, path))
                raise
            except FetchError:
                self.events.append(("failed", host, path))
                raise
            finally:
                self.settled.set()
            self.events.append(("end", host, path))
            return page

        fetcher.fetch = fetch  # type: ignore[method-assign]

    async def _hold(self, rule: str) -> None:
        self.holding += 1
        self.hold_began.set()
        try:
            async with asyncio.timeout(HOLD_SECONDS):
                await self.seen[rule].wait()
            self.released_early[rule].append(True)
        except TimeoutError:
            self.released_early[rule].append(False)
        finally:
            self.holding -= 1

    def first(self, kind: str, hosts: tuple[str, ...]) -> int:
        """Index of the first event of ``kind`` on one of ``hosts``."""
        return next(i for i, (k, host, _) in enumerate(self.events) if k == kind and host in hosts)

    def last(self, kind: str, hosts: tuple[str, ...]) -> int:
        """Index of the last event of ``kind`` on one of ``hosts``."""
        return max(i for i, (k, host, _) in enumerate(self.events) if k == kind and host in hosts)


Build = Callable[..., tuple[WebExtractor, HeldRequests]]


@pytest.fixture
async def extractor_on(request: pytest.FixtureRequest) -> AsyncIterator[Build]:
    """Builds extractors on a sandbox web (``SandboxWeb`` keyword arguments as the parameter), each with
    its fetcher's ``HeldRequests`` (their rules, then settings), and closes them after."""
    built: list[WebExtractor] = []
    async with SandboxWeb(CORPUS_DIR, **getattr(request, "param", {})) as web:

        def build(rules: dict[str, tuple[Pick, Pick]], **settings: Any) -> tuple[WebExtractor, HeldRequests]:
            values = {**web.settings_overrides(), "fetch_timeout_seconds": FAST_TIMEOUT_SECONDS, **settings}
            fetcher = WebFetcher(Settings(**values))
            requests = HeldRequests(fetcher, rules)
            extractor = WebExtractor(Settings(**values), fetcher=fetcher)
            built.append(extractor)
            return extractor, requests

        try:
            yield build
        finally:
            for extractor in built:
                await extractor.aclose()


def _sources(profile: dict[str, Any]) -> set[str]:
    return {str(cited["source"]) for cited in profile["provenance"].values()}


def _site_page(host: str, target: str) -> bool:
    return (host, target.partition("?")[0]) == SITE_PAGE


def _on(*hosts: str) -> Pick:
    return lambda host, _: host in hosts


def _lookup_past_the_item(host: str, target: str) -> bool:
    """A ``wbgetentities`` request for the items the company's item points to (not for the item)."""
    query = parse_qs(urlsplit(target).query)
    return host == WIKIDATA_HOST and query.get("action") == ["wbgetentities"] and query["ids"] != [ITEM]


async def test_the_site_and_the_wikidata_item_are_read_together_and_the_item_s_readers_wait_for_it(
    extractor_on: Build,
) -> None:
    extractor, requests = extractor_on(
        {
            "site": (_site_page, _on(WIKIDATA_HOST)),
            # Wikipedia, SEC and GLEIF key on the item, not on the items it points to.
            "item": (_lookup_past_the_item, _on(WIKIPEDIA_HOST)),
        }
    )
    profile = await extractor.extract(COMPANY)
    assert requests.released_early["site"] == [True], "Wikidata was asked while the site was being read"
    held_past_the_item = requests.released_early["item"]
    assert held_past_the_item, "the item points to other items"
    assert all(held_past_the_item), "Wikipedia was asked once the item was known"
    assert {"website", "wikidata"} <= _sources(profile)
    # ... and none is asked before Wikidata has answered with the item (its search, then the item).
    item_known = [
        i for i, (kind, host, _) in enumerate(requests.events) if (kind, host) == ("end", WIKIDATA_HOST)
    ]
    assert len(item_known) >= 2
    for hosts in ((WIKIPEDIA_HOST,), SEC_HOSTS, (GLEIF_HOST,)):
        assert requests.first("start", hosts) > item_known[1], hosts
    # Form D keys on the CIK sec_edgar found (none here: it searches), so it waits for sec_edgar to end.
    assert requests.first("start", (FORM_D_HOST,)) > requests.last("end", SEC_HOSTS)


@pytest.mark.parametrize("extractor_on", [{"concurrency_limits": {GLEIF_HOST: 0}}], indirect=True)
async def test_a_source_that_fails_while_others_run_leaves_their_facts(extractor_on: Build) -> None:
    """GLEIF refuses every request (429, a Retry-After not waited out) while the site is still read."""
    extractor, requests = extractor_on(
        {"site": (_site_page, _on(GLEIF_HOST))}, fetch_retry_after_max_seconds=0
    )
    with outcomes.collecting():  # as the scheduler runs a company: what each source answered
        profile = await extractor.extract(COMPANY)
    assert requests.released_early["site"] == [True], "GLEIF was asked while the site was being read"
    assert ("failed", GLEIF_HOST, "/api/v1/lei-records") in requests.events
    assert profile["sources_unavailable"] == ["gleif"]
    assert {"website", "wikidata"} <= _sources(profile)
    contact = f"https://{SITE}/contact/"
    assert any(cited.get("url") == contact for cited in profile["provenance"].values()), (
        "the held page counts"
    )


async def test_cancelling_the_company_cancels_every_source_in_flight(extractor_on: Build) -> None:
    never: Pick = lambda *_: False  # noqa: E731 - nothing lets them go: the company is cancelled first
    extractor, requests = extractor_on({"site": (_site_page, never), "wikidata": (_on(WIKIDATA_HOST), never)})
    company = asyncio.create_task(extractor.extract(COMPANY))
    async with asyncio.timeout(HOLD_SECONDS / 2):
        while requests.holding < 2:  # the site's page and Wikidata's search held at once
            await requests.hold_began.wait()
            requests.hold_began.clear()
    company.cancel()
    with pytest.raises(asyncio.CancelledError):
        await company
    assert ("cancelled", *SITE_PAGE) in requests.events  # the company's own request
    # Its Wikidata search is shared with any company asking the same (it goes on for them): once it is
    # answered, nothing of this company follows it.
    requests.seen["wikidata"].set()
    async with asyncio.timeout(HOLD_SECONDS):
        while ("end", WIKIDATA_HOST, "/w/api.php") not in requests.events:
            await requests.settled.wait()
            requests.settled.clear()
    answered = len(requests.events)
    for _ in range(QUEUEING_TURNS):
        await asyncio.sleep(0)
    assert [event for event in requests.events[answered:] if event[0] == "start"] == []
    assert requests.holding == 0
