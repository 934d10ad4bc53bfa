"""Page parsing off the event loop: a process pool with a CPU and memory budget per page.

``parse_page`` is pure but CPU-heavy (lxml, extruct, regexes, phone matching over the page's prose); run
on the event loop, one hostile page (megabytes of ``tel:`` links, a pathological run of digits) stalls
every RPC, health check and timeout of the server. ``PagePool`` runs it in worker processes instead:

- **Processes, not threads**: the parse holds the GIL; only another process leaves the loop free.
- **forkserver, not fork**: the server process runs grpc's threads, and forking a threaded process can
  copy a held lock into the child. The fork server is a fresh single-threaded interpreter that imports
  the parsers once (``set_forkserver_preload``) and forks every worker from itself, so replacing a worker
  costs milliseconds, not an interpreter start.
- **A CPU budget per page**: the worker arms a CPU-time timer (``ITIMER_PROF``) of ``parse_cpu_seconds``
  for each page; a page that needs more gets SIGPROF, the worker dies, the pool (pebble) starts a new
  one and the page fails with ``PageParseError``. CPU time, not wall time, so a loaded machine does not
  fail pages that are merely waiting for a core.
- **Below the loop's priority**: the workers run niced, so the server's own process (RPCs, health
  checks, fetches) gets a core first when all of them are busy.
- **A memory bound**: ``RLIMIT_AS`` of every worker is ``parse_memory_bytes`` (a ``MemoryError`` fails the
  page), and the text handed to a worker is cut at ``settings.max_page_bytes`` characters.
- **Bounded answers**: what a worker returns is read on the loop, so its lists and strings are cut
  (``bounded_facts``) before they leave the worker.
- **Cancellation kills the page**: when the company's ``timeout_seconds`` cancels the await, pebble
  terminates the worker running that page, so an abandoned parse never keeps a core.

``InlineParser`` is the same interface parsing in the caller's thread, for unit tests of the extraction
logic that hold no server; production (``WebExtractor``) always uses a ``PagePool``.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError as FutureCancelledError
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from itertools import islice
from typing import Any, Protocol

from pebble import ProcessExpired, ProcessPool

from server.errors import PageParseError
from server.extraction.parse import PageFacts, parse_page
from server.settings import Settings

log = logging.getLogger("company_batch.extraction.page_pool")

# Modules the fork server imports once, so that every worker forked from it starts with them loaded.
PRELOADED_MODULES = ["server.extraction.page_pool", "server.extraction.parse"]
# How long ``aclose`` waits for the workers to exit after stopping the pool.
JOIN_SECONDS = 5.0
WORKER_NICENESS = 5  # added to the parse workers' nice value
# Bounds of what a worker hands back (``bounded_facts``).
MAX_FACT_ITEMS = 100
MAX_FACT_CHARS = 2_000
MAX_FACT_DEPTH = 8
UNBOUNDED_FIELDS = frozenset({"url", "phone_sources", "text"})
MAX_TEXT_FACT_CHARS = 50_000
"""The page text the loop may scan for the brand's legal form (a linear search, milliseconds at this size)."""


class PageParser(Protocol):
    """Turns one page into ``PageFacts`` without blocking the event loop."""

    async def parse(self, html: str, url: str, *, region: str | None = None) -> PageFacts:
        """The page's facts.

        Raises:
            PageParseError: the page could not be parsed within its budget.
        """
        ...

    async def with_region(self, facts: PageFacts, region: str | None) -> PageFacts:
        """``facts.with_region(region)`` (re-reads the page's phone numbers), within the same budget."""
        ...

    async def aclose(self) -> None:
        """Stop the workers, if any."""
        ...


def usable_cores() -> int:
    """The CPUs this process may run on (like ``nproc``), not every CPU of the host."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class PagePool:
    """One pool of parse workers per server, sized to the cores; ``aclose()`` stops it.

    The workers start on the first page, so a service that never parses (tests with a scripted
    extractor) never forks.
    """

    def __init__(self, settings: Settings) -> None:
        self._workers = settings.parse_workers or usable_cores()
        self._cpu_seconds = settings.parse_cpu_seconds
        self._memory_bytes = settings.parse_memory_bytes
        self._max_chars = settings.max_page_bytes
        self._pool: ProcessPool | None = None
        self._starting: asyncio.Future[Any] | None = None

    async def _started(self) -> ProcessPool:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOADED_MODULES)
            self._pool = ProcessPool(
                max_workers=self._workers,
                initializer=limit_worker_memory,
                initargs=(self._memory_bytes,),
                context=context,
            )
            # pebble starts the workers on the first schedule, in the caller's thread, and the first
            # worker starts the fork server, which imports the parsers: more than a second of blocking
            # reads, which would stop the event loop. A thread makes that first call; pages that come
            # meanwhile wait for it (shielded: a cancelled page does not abandon the start).
            self._starting = asyncio.ensure_future(self._start(self._pool))
        pool = self._pool
        if self._starting is not None:
            await asyncio.shield(self._starting)
        return pool

    async def _start(self, pool: ProcessPool) -> None:
        try:
            await asyncio.to_thread(pool.schedule, os.getpid)
        except Exception:
            if self._pool is pool:  # the next page tries a fresh pool
                await self._discard_pool()
            raise

    async def parse(self, html: str, url: str, *, region: str | None = None) -> PageFacts:
        """``parse_page`` in a worker; see ``PageParser.parse``."""
        return await self._run(url, parse_within_budget, html[: self._max_chars], url, region)

    async def with_region(self, facts: PageFacts, region: str | None) -> PageFacts:
        """``facts.with_region(region)`` in a worker; see ``PageParser.with_region``."""
        return await self._run(facts.url, reread_within_budget, facts, region)

    async def _run(self, url: str, function: Callable[..., PageFacts], *args: object) -> PageFacts:
        future = (await self._started()).schedule(function, args=(self._cpu_seconds, *args))
        try:
            facts: PageFacts = await asyncio.wrap_future(future)
        except ProcessExpired as exc:
            # The worker died: SIGPROF is the CPU budget; anything else (the kernel's OOM killer, a
            # crash in a C extension) is reported with its exit code. pebble has started a new worker.
            if exc.exitcode == -signal.SIGPROF:
                raise PageParseError(
                    f"Page too costly to parse: {url}",
                    details=f"exceeded the CPU budget of {self._cpu_seconds:g} s per page",
                ) from exc
            raise PageParseError(
                f"Page parser crashed on {url}", details=f"worker exit code {exc.exitcode}"
            ) from exc
        except MemoryError as exc:
            raise PageParseError(
                f"Page too large to parse: {url}",
                details=f"exceeded the memory budget of {self._memory_bytes} bytes",
            ) from exc
        except BrokenProcessPool as exc:
            # Workers could not be started or all died at once: start a fresh pool on the next page.
            await self._discard_pool()
            raise PageParseError(f"Page parser unavailable for {url}", details=str(exc)) from exc
        except FutureCancelledError as exc:  # the pool was stopped under the page (shutdown)
            raise PageParseError(f"Parsing stopped: {url}", details="the page pool was shut down") from exc
        except Exception as exc:
            # A parser bug on some input must fail that page, not the company with an internal error;
            # the traceback goes to the log where it can be fixed.
            log.warning("parsing %s failed", url, exc_info=exc, extra={"event": "parse_failed"})
            raise PageParseError(f"Page could not be parsed: {url}", details=type(exc).__name__) from exc
        return facts

    async def aclose(self) -> None:
        """Stop the workers (a page still parsing is abandoned) and wait for them to exit."""
        await self._discard_pool()

    async def _discard_pool(self) -> None:
        pool, self._pool, self._starting = self._pool, None, None
        if pool is not None:
            pool.stop()  # type: ignore[no-untyped-call]
            await asyncio.to_thread(pool.join, JOIN_SECONDS)


class InlineParser:
    """``PageParser`` in the caller's thread: no budget, no process. For tests of extraction logic only."""

    async def parse(self, html: str, url: str, *, region: str | None = None) -> PageFacts:
        return parse_page(html, url, region=region)

    async def with_region(self, facts: PageFacts, region: str | None) -> PageFacts:
        return facts.with_region(region)

    async def aclose(self) -> None:
        return None


def limit_worker_memory(memory_bytes: int) -> None:
    """Worker initializer: cap the address space, so one page cannot take the machine's memory.

    Also lowers the worker's CPU priority below the server's.

    SIGPROF gets its default action back (ending the worker: the CPU budget), and core dumps are off
    (a worker that dies of its budget is expected, not a crash to debug).
    """
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Workers are as many as the cores: niced, they never take a core from the event loop's process.
    os.nice(WORKER_NICENESS)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@contextmanager
def cpu_budget(cpu_seconds: float) -> Iterator[None]:
    """Let the code inside use ``cpu_seconds`` of this worker's CPU; beyond it the kernel ends the worker.

    ``ITIMER_PROF`` counts the process's CPU time (user and system) and then sends SIGPROF, whose
    default action terminates the process: no Python code has to run for it, so a parse stuck inside
    a C extension (lxml, the regex engine) is ended just the same. Disarmed after the page, so an
    idle worker never runs out.
    """
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def parse_within_budget(cpu_seconds: float, html: str, url: str, region: str | None) -> PageFacts:
    """Worker side of ``PagePool.parse``."""
    with cpu_budget(cpu_seconds):
        return bounded_facts(parse_page(html, url, region=region))


def reread_within_budget(cpu_seconds: float, facts: PageFacts, region: str | None) -> PageFacts:
    """Worker side of ``PagePool.with_region``."""
    with cpu_budget(cpu_seconds):
        return bounded_facts(facts.with_region(region))


def bounded_facts(facts: PageFacts) -> PageFacts:
    """``facts`` with every list, mapping and string cut to a size the event loop can afford.

    What comes back from a worker is read on the event loop (names fuzzy-matched, findings merged,
    stored): 30,000 mailto links or a megabyte-long JSON-LD name would move the cost of a hostile page
    back onto it. No company states more than ``MAX_FACT_ITEMS`` of one kind on a page, or a value
    longer than ``MAX_FACT_CHARS``. The raw phone material (``phone_sources``) is already bounded by
    the parser and is kept whole, so that ``with_region`` reads the same numbers.
    """
    changes = {
        item.name: _bounded(getattr(facts, item.name), MAX_FACT_DEPTH)
        for item in fields(facts)
        if item.name not in UNBOUNDED_FIELDS
    }
    return replace(facts, **changes, text=facts.text[:MAX_TEXT_FACT_CHARS])


def _bounded(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return value[:MAX_FACT_CHARS]
    if depth <= 0 and isinstance(value, (list, tuple, dict)):
        return type(value)()  # structure nested deeper than any record a company states
    if isinstance(value, list | tuple):
        return type(value)(_bounded(item, depth - 1) for item in value[:MAX_FACT_ITEMS])
    if isinstance(value, dict):
        return {key: _bounded(item, depth - 1) for key, item in islice(value.items(), MAX_FACT_ITEMS)}
    if is_dataclass(value) and not isinstance(value, type):
        kept = {item.name: _bounded(getattr(value, item.name), depth) for item in fields(value)}
        return replace(value, **kept)
    return value
