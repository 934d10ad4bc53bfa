"""Running one company: the cache, the per-company timeout, failure classification, the outcome log line.

Shared by batch workers and the single-company path (ExtractCompany), so both treat errors and the
cache the same way: a hit skips the extractor; ``bypass_cache`` skips the lookup but a fresh answer
still refreshes the cache. The request's ``min_match_confidence`` is applied last, to cached and fresh
answers alike, so a cached profile serves every threshold and an "Ambiguous match" is never cached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime

from server import metrics, tracing
from server.cache import ExtractionCache
from server.domain import (
    BatchOptions,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
    ExtractionRequest,
)
from server.errors import ExtractionError
from server.extraction import outcomes
from server.extraction.base import Extractor
from server.extraction.match import ambiguous_match
from server.extraction.profile import rfc3339

INTERNAL_ERROR_MESSAGE = "internal error during extraction"


def batch_request(name: str, domain_hint: str | None, options: BatchOptions) -> ExtractionRequest:
    """What the extractor is asked for one company of a batch with these options."""
    return ExtractionRequest(
        name,
        options.extraction_mode,
        options.country,
        options.language,
        domain_hint,
        min_match_confidence=options.min_match_confidence,
    )


async def run_extraction(
    extractor: Extractor,
    request: ExtractionRequest,
    timeout_seconds: float,
    started_at: datetime,
    logger: logging.Logger,
    batch_id: str = "",
    trace_id: str = "",
    *,
    cache: ExtractionCache | None = None,
    bypass_cache: bool = False,
    max_cache_age_seconds: float | None = None,
) -> CompanyOutcome:
    """Answer from ``cache`` or extract one company within ``timeout_seconds``; failures come back as data.

    ``max_cache_age_seconds``: a cached answer stored longer ago than this is not used (0: none is).
    Cancellation from outside (a batch cancel, a shutdown) is not a failure and propagates.
    """
    with tracing.company_span(request.company_name, request.mode.value, batch_id, trace_id) as span:
        outcome = await _answer(
            extractor,
            request,
            timeout_seconds,
            started_at,
            logger,
            batch_id,
            trace_id,
            cache,
            bypass_cache,
            max_cache_age_seconds,
        )
        span.set_attribute("company_batch.outcome", outcome.state.value)
        span.set_attribute("company_batch.from_cache", outcome.from_cache)
        if outcome.error is not None:
            span.set_attribute("company_batch.error_type", outcome.error.type.value)
        return outcome


async def _answer(
    extractor: Extractor,
    request: ExtractionRequest,
    timeout_seconds: float,
    started_at: datetime,
    logger: logging.Logger,
    batch_id: str,
    trace_id: str,
    cache: ExtractionCache | None,
    bypass_cache: bool,
    max_cache_age_seconds: float | None,
) -> CompanyOutcome:
    if cache is not None and not bypass_cache and max_cache_age_seconds != 0:
        cached = await cache.lookup(request, started_at, max_age_seconds=max_cache_age_seconds)
        if cache.enabled:
            metrics.CACHE_LOOKUPS.labels("miss" if cached is None else "hit").inc()
        if cached is not None:
            return _require_match(cached, request.min_match_confidence)
    outcome = await _extract(extractor, request, timeout_seconds, started_at, logger, batch_id, trace_id)
    if cache is not None:
        await cache.remember(request, outcome)
    return _require_match(outcome, request.min_match_confidence)


def _require_match(outcome: CompanyOutcome, minimum: float | None) -> CompanyOutcome:
    """The outcome, or an "Ambiguous match" failure when its profile's match confidence is too low."""
    if minimum is None or outcome.profile is None:
        return outcome
    failure = ambiguous_match(outcome.profile, minimum)
    if failure is None:
        return outcome
    return replace(outcome, state=CompanyState.FAILED, profile=None, error=failure)


async def _extract(
    extractor: Extractor,
    request: ExtractionRequest,
    timeout_seconds: float,
    started_at: datetime,
    logger: logging.Logger,
    batch_id: str,
    trace_id: str,
) -> CompanyOutcome:
    failure: ExtractionFailure
    began = time.perf_counter()
    with outcomes.collecting(timeout_seconds) as report:
        try:
            async with asyncio.timeout(timeout_seconds):
                profile = await extractor.extract(request)
        except TimeoutError:
            failure = ExtractionFailure(
                ErrorType.TIMEOUT,
                f"extraction did not finish within {timeout_seconds:g} seconds",
                sources=report.outcomes,
            )
        except ExtractionError as exc:
            failure = ExtractionFailure(
                exc.error_type, exc.message, exc.details, exc.sources or report.outcomes
            )
        except Exception as exc:
            logger.exception(
                "extractor raised unexpectedly for %r",
                request.company_name,
                extra={"event": "extractor_crashed", "batch_id": batch_id, "trace_id": trace_id},
            )
            # The exception's text may hold internals (paths, URLs with tokens); only its class is shown.
            failure = ExtractionFailure(
                ErrorType.INTERNAL, INTERNAL_ERROR_MESSAGE, type(exc).__name__, report.outcomes
            )
        else:
            metrics.EXTRACTION_SECONDS.labels(request.mode.value, "success").observe(
                time.perf_counter() - began
            )
            finished_at = datetime.now(UTC)
            return CompanyOutcome(
                request.company_name,
                CompanyState.SUCCESS,
                profile={**profile, "extracted_at": rfc3339(finished_at)},
                started_at=started_at,
                finished_at=finished_at,
            )
    metrics.EXTRACTION_SECONDS.labels(request.mode.value, "failed").observe(time.perf_counter() - began)
    return CompanyOutcome(
        request.company_name,
        CompanyState.FAILED,
        error=failure,
        started_at=started_at,
        finished_at=datetime.now(UTC),
    )


def log_outcome(logger: logging.Logger, batch_id: str, trace_id: str, outcome: CompanyOutcome) -> None:
    """The one structured line per company outcome (``event=company_finished``)."""
    error_type = outcome.error.type.value if outcome.error else ""
    metrics.COMPANIES.labels(outcome.state.value, error_type).inc()
    logger.info(
        "company %r %s%s",
        outcome.company_name,
        outcome.state.value,
        f" ({error_type})" if error_type else "",
        extra={
            "event": "company_finished",
            "batch_id": batch_id,
            "company": outcome.company_name,
            "outcome": outcome.state.value,
            "error_type": error_type,
            "duration_ms": round(outcome.duration_seconds * 1000, 1),
            "trace_id": trace_id,
        },
    )
