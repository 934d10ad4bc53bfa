"""The shared extraction cache through real schedulers and stores: hit, miss, expiry, bypass, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from server.cache import ExtractionCache, cache_key
from server.domain import (
    BatchOptions,
    BatchSpec,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionMode,
    ExtractionRequest,
    SourceOutcome,
    SourceState,
)
from server.errors import BlockedError, CompanyAnalysisError, FetchError, SourceUnavailableError
from server.scheduling.scheduler import BatchScheduler
from server.stats import LiveFigures, StatsCollector
from server.storage.roles import BatchStore
from server.storage.testing import StoreFactory
from server.testing import ScriptedExtractor

TTL = 3600.0
NOT_FOUND_TTL = 60.0
WAIT_LIMIT_SECONDS = 10.0
ACME = {"company_name": "Acme Corp", "domain": "acme.example", "industry": "Software"}
LIVE = LiveFigures(active_connections=0, queue_size=0, workers_busy=0, workers_total=2)


class Clock:
    """Wall-clock time the test moves by hand (the cache's notion of now)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


Replica = Callable[[ScriptedExtractor], Awaitable[BatchScheduler]]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def replica(store_factory: StoreFactory, clock: Clock) -> AsyncIterator[Replica]:
    """Start a scheduler with its own store connection on the shared database (a replica)."""
    started: list[BatchScheduler] = []

    async def start(extractor: ScriptedExtractor) -> BatchScheduler:
        store = await store_factory()
        cache = ExtractionCache(store, ttl_seconds=TTL, not_found_ttl_seconds=NOT_FOUND_TTL, now=clock)
        scheduler = BatchScheduler(store, extractor, workers=2, aging_seconds=30.0, cache=cache)
        await scheduler.start()
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        await scheduler.stop()


async def run_batch(
    scheduler: BatchScheduler, names: tuple[str, ...], **options: object
) -> list[CompanyOutcome]:
    """Submit, wait for the final status, return the results in submit order."""
    outcome = await scheduler.submit(BatchSpec(names, BatchOptions(**options)))  # type: ignore[arg-type]
    batch_id = outcome.batch.batch_id
    async with asyncio.timeout(WAIT_LIMIT_SECONDS):
        async for _event in await scheduler.watch(batch_id):
            pass  # the stream ends after the final status
    return list((await scheduler.results(batch_id, True)).results)


async def test_a_second_replica_answers_from_the_cache_without_extracting(replica: Replica) -> None:
    first_extractor = ScriptedExtractor(profiles={"Acme Corp": ACME})
    first = await replica(first_extractor)
    [fresh] = await run_batch(first, ("Acme Corp",))
    second_extractor = ScriptedExtractor()  # would answer "not found" if asked
    second = await replica(second_extractor)
    [cached] = await run_batch(second, ("  acme   CORP ",))
    assert not fresh.from_cache and fresh.state is CompanyState.SUCCESS
    assert cached.from_cache and cached.state is CompanyState.SUCCESS
    assert cached.profile == fresh.profile
    assert cached.company_name == "  acme   CORP "
    assert second_extractor.calls == []


async def test_a_different_mode_or_country_is_a_miss(replica: Replica) -> None:
    extractor = ScriptedExtractor(profiles={"Acme Corp": ACME})
    scheduler = await replica(extractor)
    await run_batch(scheduler, ("Acme Corp",))
    [other_mode] = await run_batch(scheduler, ("Acme Corp",), extraction_mode=ExtractionMode.BASIC)
    [other_country] = await run_batch(scheduler, ("Acme Corp",), country="DE")
    [again] = await run_batch(scheduler, ("Acme Corp",))
    assert (other_mode.from_cache, other_country.from_cache, again.from_cache) == (False, False, True)
    assert len(extractor.calls) == 3


async def test_an_expired_entry_is_extracted_again(replica: Replica, clock: Clock) -> None:
    extractor = ScriptedExtractor(profiles={"Acme Corp": ACME})
    scheduler = await replica(extractor)
    await run_batch(scheduler, ("Acme Corp",))
    clock.advance(TTL - 1)
    [still_fresh] = await run_batch(scheduler, ("Acme Corp",))
    clock.advance(2)
    [expired] = await run_batch(scheduler, ("Acme Corp",))
    assert still_fresh.from_cache and not expired.from_cache
    assert len(extractor.calls) == 2


async def test_bypass_skips_the_lookup_but_refreshes_the_cache(replica: Replica) -> None:
    old = ScriptedExtractor(profiles={"Acme Corp": ACME})
    first = await replica(old)
    await run_batch(first, ("Acme Corp",))
    renamed = {**ACME, "industry": "Robotics"}
    new = ScriptedExtractor(profiles={"Acme Corp": renamed})
    second = await replica(new)
    [bypassed] = await run_batch(second, ("Acme Corp",), bypass_cache=True)
    [after] = await run_batch(first, ("Acme Corp",))
    assert not bypassed.from_cache and len(new.calls) == 1
    assert after.from_cache and after.profile is not None and after.profile["industry"] == "Robotics"
    assert len(old.calls) == 1


async def test_not_found_is_cached_briefly_and_other_failures_never(replica: Replica, clock: Clock) -> None:
    extractor = ScriptedExtractor(errors={"Flaky": FetchError("connection refused")})
    scheduler = await replica(extractor)
    await run_batch(scheduler, ("Nowhere Inc", "Flaky"))
    nowhere, flaky = await run_batch(scheduler, ("Nowhere Inc", "Flaky"))
    assert nowhere.from_cache and nowhere.error is not None
    assert nowhere.error.type is ErrorType.COMPANY_ANALYSIS
    assert not flaky.from_cache and flaky.error is not None and flaky.error.type is ErrorType.FETCH
    clock.advance(NOT_FOUND_TTL + 1)
    [nowhere_later] = await run_batch(scheduler, ("Nowhere Inc",))
    assert not nowhere_later.from_cache
    assert [r.company_name for r in extractor.calls].count("Nowhere Inc") == 2
    assert [r.company_name for r in extractor.calls].count("Flaky") == 2


async def test_extract_one_uses_the_cache_unless_bypassed(replica: Replica) -> None:
    extractor = ScriptedExtractor(profiles={"Acme Corp": ACME})
    scheduler = await replica(extractor)
    request = ExtractionRequest("Acme Corp")
    first = await scheduler.extract_one(request, 30)
    cached = await scheduler.extract_one(request, 30)
    bypassed = await scheduler.extract_one(request, 30, bypass_cache=True)
    assert (first.from_cache, cached.from_cache, bypassed.from_cache) == (False, True, False)
    assert len(extractor.calls) == 2


async def test_cache_hit_rate_is_the_share_of_companies_answered_from_the_cache(
    replica: Replica, store: BatchStore
) -> None:
    extractor = ScriptedExtractor(profiles={"A": {}, "B": {}, "C": {}})
    scheduler = await replica(extractor)
    await run_batch(scheduler, ("A", "B", "C"))
    await run_batch(scheduler, ("A",))
    report = await StatsCollector(store).report("1h", False, LIVE)
    assert report.total_companies_processed == 4
    assert report.cache_hit_rate == 25.0


async def test_an_unreadable_cache_lets_extraction_go_ahead(store_factory: StoreFactory) -> None:
    store = await store_factory()
    cache = ExtractionCache(store, ttl_seconds=TTL, not_found_ttl_seconds=NOT_FOUND_TTL)
    await store.close()
    request = ExtractionRequest("Acme Corp")
    assert await cache.lookup(request, datetime.now(UTC)) is None
    outcome = CompanyOutcome("Acme Corp", CompanyState.SUCCESS, profile=ACME)
    await cache.remember(request, outcome)  # logged, not raised


def test_spellings_that_differ_in_case_and_spacing_share_a_key() -> None:
    a = cache_key(ExtractionRequest("\uff21cme  Corp", country="us", domain_hint="Acme.Example."))
    b = cache_key(ExtractionRequest("acme corp", country="US", domain_hint="acme.example"))
    assert a == b
    assert cache_key(ExtractionRequest("acme corp", domain_hint="other.example")) != b


DOWN = SourceOutcome("wikidata", SourceState.UNAVAILABLE, "HTTP 503", transient=True)
ANSWERED = SourceOutcome("website:nowhere.example", SourceState.NOT_FOUND, "no such host")
PARTIAL_TTL = 120.0


async def test_a_failure_involving_an_unreachable_or_refusing_source_is_never_cached(
    replica: Replica,
) -> None:
    """Issue 12: only answers true tomorrow are remembered."""
    refused = SourceOutcome("website:gate.example", SourceState.BLOCKED, "HTTP 403")
    extractor = ScriptedExtractor(
        errors={
            "Offline Co": SourceUnavailableError("The web could not be reached", sources=(DOWN,)),
            "Gated Co": BlockedError("Refused by website:gate.example", sources=(refused,)),
            # Said "not found" by an extractor although a source was down: still not an answer.
            "Half Asked Co": CompanyAnalysisError("Company not found", sources=(ANSWERED, DOWN)),
        }
    )
    scheduler = await replica(extractor)
    names = ("Offline Co", "Gated Co", "Half Asked Co")
    await run_batch(scheduler, names)
    again = await run_batch(scheduler, names)
    assert [o.from_cache for o in again] == [False, False, False]
    assert [o.error.type if o.error else None for o in again] == [
        ErrorType.SOURCE_UNAVAILABLE,
        ErrorType.BLOCKED,
        ErrorType.COMPANY_ANALYSIS,
    ]
    assert len(extractor.calls) == 6


async def test_not_found_from_sources_that_all_answered_is_cached_with_its_sources(replica: Replica) -> None:
    extractor = ScriptedExtractor(
        errors={"Nowhere Inc": CompanyAnalysisError("Company not found", "tried", sources=(ANSWERED,))}
    )
    scheduler = await replica(extractor)
    await run_batch(scheduler, ("Nowhere Inc",))
    [cached] = await run_batch(scheduler, ("Nowhere Inc",))
    assert cached.from_cache and cached.error is not None
    assert cached.error.sources == (ANSWERED,) and not cached.error.retryable


async def test_a_profile_found_while_a_source_was_down_is_cached_for_the_shorter_time(
    store_factory: StoreFactory, clock: Clock
) -> None:
    store = await store_factory()
    cache = ExtractionCache(
        store,
        ttl_seconds=TTL,
        not_found_ttl_seconds=NOT_FOUND_TTL,
        partial_ttl_seconds=PARTIAL_TTL,
        now=clock,
    )
    extractor = ScriptedExtractor(
        profiles={"Acme Corp": ACME, "Partial Corp": {**ACME, "sources_unavailable": ["wikidata"]}}
    )
    scheduler = BatchScheduler(store, extractor, workers=2, aging_seconds=30.0, cache=cache)
    await scheduler.start()
    try:
        await run_batch(scheduler, ("Acme Corp", "Partial Corp"))
        clock.advance(PARTIAL_TTL + 1)
        full, partial = await run_batch(scheduler, ("Acme Corp", "Partial Corp"))
    finally:
        await scheduler.stop()
    assert full.from_cache and not partial.from_cache
    assert partial.profile is not None and partial.profile["sources_unavailable"] == ["wikidata"]


async def test_max_cache_age_extracts_afresh_what_is_older(replica: Replica, clock: Clock) -> None:
    extractor = ScriptedExtractor(profiles={"Acme Corp": ACME})
    scheduler = await replica(extractor)
    [fresh] = await run_batch(scheduler, ("Acme Corp",))
    clock.advance(100)
    [young_enough] = await run_batch(scheduler, ("Acme Corp",), max_cache_age_seconds=200)
    [too_old] = await run_batch(scheduler, ("Acme Corp",), max_cache_age_seconds=50)
    [never] = await run_batch(scheduler, ("Acme Corp",), max_cache_age_seconds=0)
    assert (young_enough.from_cache, too_old.from_cache, never.from_cache) == (True, False, False)
    assert len(extractor.calls) == 3
    # Every result says when it was extracted: a cached one, when it was first extracted.
    assert fresh.profile is not None and young_enough.profile is not None
    assert young_enough.profile["extracted_at"] == fresh.profile["extracted_at"]
    single = await scheduler.extract_one(ExtractionRequest("Acme Corp"), 30, max_cache_age_seconds=0)
    assert not single.from_cache and len(extractor.calls) == 4
