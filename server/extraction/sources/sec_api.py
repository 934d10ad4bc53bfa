"""The one way SEC sources reach EDGAR: through the fetcher, behind one rate limiter for the process.

The SEC's fair-access rules allow at most ten requests per second from a client, whatever host of
``sec.gov`` it asks (www, data, efts) and whichever source asks: ``sec_edgar`` and ``sec_formd`` share the
limiter of ``sec_limiter()``, which spaces requests a tenth of a second apart (no bursts, so no second
ever holds more than ten). It is one per event loop (an asyncio limiter belongs to the loop it waits
on), which in the server is one per process. Keeping the limit across replicas is the fetcher's
politeness layer's concern. The User-Agent the SEC asks for (descriptive, with a contact) is
``settings.user_agent``, sent by the fetcher on every request.

Sources also learn from each other here: ``sec_edgar`` leaves the CIK and submissions it read for the
company in ``SourceContext.shared`` under ``SHARED_CIK``/``SHARED_SUBMISSIONS``, so that a later SEC
source does not find or fetch them again.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from aiolimiter import AsyncLimiter

from server.extraction.fetcher import FetchedPage, WebFetcher

SEC_REQUESTS_PER_SECOND = 10
# The limiter of each running event loop (the server runs one; tests run one per test).
LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncLimiter] = weakref.WeakKeyDictionary()
SHARED_CIK = "sec_cik"
SHARED_SUBMISSIONS = "sec_submissions"  # (document, FetchedPage) of data.sec.gov submissions
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik:010d}.json"
SUBMISSIONS_MAX_BYTES = 16_000_000  # a few MB for a long-lived filer; far above the HTML page cap


async def sec_fetch(
    fetcher: WebFetcher, url: str, *, max_bytes: int | None = None, source: str | None = None
) -> FetchedPage:
    """GET an EDGAR URL once ``SEC_LIMITER`` allows it.

    Raises:
        FetchError: as ``WebFetcher.fetch``.
    """
    async with sec_limiter():
        return await fetcher.fetch(url, max_bytes=max_bytes, source=source)


async def sec_json(
    fetcher: WebFetcher,
    url: str,
    *,
    max_bytes: int | None = None,
    source: str | None = None,
    cache_seconds: float | None = None,
) -> tuple[Any, FetchedPage]:
    """GET an EDGAR JSON document once ``SEC_LIMITER`` allows it.

    Raises:
        FetchError: as ``WebFetcher.fetch_json``.
    """
    async with sec_limiter():
        return await fetcher.fetch_json(url, max_bytes=max_bytes, source=source, cache_seconds=cache_seconds)


def sec_limiter() -> AsyncLimiter:
    """The running loop's SEC limiter: one request per tenth of a second, a leaky bucket of one, so
    the limit holds over any second."""
    loop = asyncio.get_running_loop()
    limiter = LIMITERS.get(loop)
    if limiter is None:
        limiter = LIMITERS[loop] = AsyncLimiter(1, 1 / SEC_REQUESTS_PER_SECOND)
    return limiter
