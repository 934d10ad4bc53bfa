"""A company's outcome type says why it failed: through ``run_extraction`` and the real ``WebExtractor``,
fetching sandbox hosts that fail in each way (``failing_web``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from sandbox.web import SandboxWeb
from server.domain import (
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExtractionFailure,
    ExtractionMode,
    ExtractionRequest,
    SourceState,
)
from server.extraction.fetcher import WebFetcher
from server.extraction.pipeline import WebExtractor
from server.scheduling.execution import run_extraction
from server.settings import Settings
from server.testing import free_port

LOG = logging.getLogger("test.company_outcomes")
TIMEOUT_SECONDS = 30.0


async def _no_wait(_seconds: float) -> None:
    return None


def _settings(web: SandboxWeb, **overrides: object) -> Settings:
    base: dict[str, object] = {
        **web.settings_overrides(),
        "fetch_timeout_seconds": 1.0,
        "knowledge_sources": [],
        "search_provider": "none",
        "max_domain_candidates": 4,
    }
    return Settings(**{**base, **overrides})  # type: ignore[arg-type]


async def _run(
    settings: Settings, request: ExtractionRequest, company_timeout: float = TIMEOUT_SECONDS
) -> CompanyOutcome:
    fetcher = WebFetcher(settings)
    fetcher.sleep = _no_wait  # retries happen; their waits are not these tests' business
    extractor = WebExtractor(settings, fetcher=fetcher)
    try:
        return await run_extraction(extractor, request, company_timeout, datetime.now(UTC), LOG)
    finally:
        await extractor.aclose()


def _failure(outcome: CompanyOutcome) -> ExtractionFailure:
    assert outcome.state is CompanyState.FAILED and outcome.error is not None, outcome
    return outcome.error


def _source(failure: ExtractionFailure, name: str) -> tuple[SourceState, str]:
    [found] = [(s.outcome, s.reason) for s in failure.sources if s.source == name]
    return found


async def test_not_found_only_when_every_source_answered(failing_web: SandboxWeb) -> None:
    outcome = await _run(_settings(failing_web), ExtractionRequest("Zephyr Quantum Holdings"))
    failure = _failure(outcome)
    assert failure.type is ErrorType.COMPANY_ANALYSIS and failure.message == "Company not found"
    assert not failure.retryable
    assert failure.sources and all(s.outcome is SourceState.NOT_FOUND for s in failure.sources)


@pytest.mark.parametrize(
    ("hint", "error_type", "state", "retryable", "reason"),
    [
        pytest.param(
            "always-down.example",
            ErrorType.SOURCE_UNAVAILABLE,
            SourceState.UNAVAILABLE,
            True,
            "HTTP 503",
            id="500",
        ),
        pytest.param(
            "never-answers.example",
            ErrorType.SOURCE_UNAVAILABLE,
            SourceState.UNAVAILABLE,
            True,
            "Timed out",
            id="no-answer",
        ),
        pytest.param(
            "refusing-gate.example", ErrorType.BLOCKED, SourceState.BLOCKED, False, "HTTP 403", id="403"
        ),
        pytest.param(
            "always-busy.example", ErrorType.BLOCKED, SourceState.BLOCKED, True, "Retry-After 3600", id="429"
        ),
        pytest.param(
            "challenge-gate.example",
            ErrorType.BLOCKED,
            SourceState.BLOCKED,
            False,
            "Anti-bot challenge",
            id="challenge-page",
        ),
        pytest.param(
            "captcha-wall.example",
            ErrorType.BLOCKED,
            SourceState.BLOCKED,
            False,
            "Anti-bot challenge",
            id="captcha-wall",
        ),
    ],
)
async def test_a_site_that_fails_names_itself_and_the_way_it_failed(
    failing_web: SandboxWeb,
    hint: str,
    error_type: ErrorType,
    state: SourceState,
    retryable: bool,
    reason: str,
) -> None:
    # Named as nothing on the sandbox web is, so only the hinted site could have answered.
    request = ExtractionRequest("Quillon Brassworks", ExtractionMode.BASIC, domain_hint=hint)
    failure = _failure(await _run(_settings(failing_web), request))
    assert failure.type is error_type
    assert f"website:{hint}" in failure.message and reason in failure.message
    assert failure.retryable is retryable
    seen_state, seen_reason = _source(failure, f"website:{hint}")
    assert seen_state is state and reason in seen_reason


async def test_a_challenge_page_is_never_read_as_the_company(failing_web: SandboxWeb) -> None:
    """The challenge page names the company in its heading; it must not verify the domain."""
    request = ExtractionRequest(
        "Steady Widgets Inc.", ExtractionMode.BASIC, domain_hint="moment-please.example"
    )
    settings = _settings(failing_web, max_domain_candidates=1)  # the hint only: no other site may answer
    failure = _failure(await _run(settings, request))
    assert failure.type is ErrorType.BLOCKED


async def test_a_site_that_recovers_within_the_retries_is_extracted(failing_web: SandboxWeb) -> None:
    request = ExtractionRequest("Down Twice Inc.", ExtractionMode.BASIC, domain_hint="down-twice.example")
    outcome = await _run(_settings(failing_web), request)
    assert outcome.state is CompanyState.SUCCESS and outcome.profile is not None
    assert outcome.profile["domain"] == "down-twice.example"
    assert "sources_unavailable" not in outcome.profile
    assert outcome.profile["extracted_at"].endswith("Z")


async def test_a_profile_found_while_a_source_was_down_says_which(failing_web: SandboxWeb) -> None:
    settings = _settings(failing_web, knowledge_sources=["gleif"])
    request = ExtractionRequest(
        "Steady Widgets Inc.", ExtractionMode.COMPREHENSIVE, domain_hint="steady-widgets.example"
    )
    outcome = await _run(settings, request)
    assert outcome.state is CompanyState.SUCCESS and outcome.profile is not None
    assert outcome.profile["sources_unavailable"] == ["gleif"]


async def test_the_company_timeout_keeps_what_the_sources_said_so_far(failing_web: SandboxWeb) -> None:
    settings = _settings(failing_web, fetch_timeout_seconds=30.0)
    request = ExtractionRequest(
        "Never Answers Inc.", ExtractionMode.BASIC, domain_hint="never-answers.example"
    )
    failure = _failure(await _run(settings, request, company_timeout=0.5))
    assert failure.type is ErrorType.TIMEOUT and failure.retryable


async def test_offline_the_failure_says_plainly_that_the_web_could_not_be_reached() -> None:
    """The quick start without a network: every host refuses, knowledge sources and search included."""
    closed = free_port()
    settings = Settings(
        sandbox_http_port=closed,
        sandbox_https_port=closed,
        per_host_delay_seconds=0,
        fetch_timeout_seconds=1.0,
        max_domain_candidates=2,
    )
    failure = _failure(await _run(settings, ExtractionRequest("Stripe", ExtractionMode.BASIC)))
    assert failure.type is ErrorType.SOURCE_UNAVAILABLE and failure.retryable
    assert failure.message.startswith("The web could not be reached: wikidata, search:duckduckgo")
    assert "Cannot connect to https://www.wikidata.org/" in failure.message
    assert _source(failure, "wikidata")[0] is SourceState.UNAVAILABLE
