"""How a fetch fails, and the one retry policy and circuit breaker around it, against real sandbox hosts.

Hosts that fail each way (``failing_web``): 5xx, reset, 403, 429 with Retry-After, challenge pages, no
answer, and a whole web that cannot be reached (the fetcher pointed at a closed port). Waits between
retries go through ``fetcher.sleep``, which these tests record instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY, generate_latest

from sandbox.web import SandboxWeb
from server.domain import SourceState
from server.errors import (
    CircuitOpenError,
    FetchBlockedError,
    FetchUnavailableError,
    HostNotFoundError,
    RateLimitedError,
)
from server.extraction import fetcher as fetcher_module
from server.extraction import outcomes
from server.extraction.circuits import all_circuits
from server.extraction.fetcher import WebFetcher, is_challenge, literal_lead
from server.settings import Settings
from server.testing import free_port
from tests.extraction.failing_web import CONTACT_FORM


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Waits:
    """Records every wait the fetcher asks for, and waits for none."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fetcher(failing_web: SandboxWeb, waits: Waits, clock: ManualClock) -> AsyncIterator[WebFetcher]:
    settings = Settings(
        **failing_web.settings_overrides(),
        fetch_timeout_seconds=1.0,
        circuit_failures=2,
        circuit_cooldown_seconds=60,
    )
    web_fetcher = WebFetcher(settings, clock=clock)
    web_fetcher.sleep = waits
    yield web_fetcher
    await web_fetcher.aclose()


async def test_a_5xx_is_retried_with_growing_jittered_waits_until_it_answers(
    fetcher: WebFetcher, failing_web: SandboxWeb, waits: Waits
) -> None:
    page = await fetcher.fetch("https://down-twice.example/")
    assert page.status == 200 and "Down Twice Inc." in page.text
    assert failing_web.requests_by_host["down-twice.example"] == 3
    # Full jitter: each wait is random within 0.5 s x 2^attempt.
    assert len(waits.seconds) == 2
    assert 0 <= waits.seconds[0] <= 0.5 and 0 <= waits.seconds[1] <= 1.0


async def test_a_reset_connection_is_retried(fetcher: WebFetcher, failing_web: SandboxWeb) -> None:
    page = await fetcher.fetch("https://reset-once.example/")
    assert "Reset Once Inc." in page.text
    assert failing_web.requests_by_host["reset-once.example"] == 2


async def test_a_5xx_that_persists_fails_as_unavailable_after_the_attempts(
    fetcher: WebFetcher, failing_web: SandboxWeb
) -> None:
    with pytest.raises(FetchUnavailableError, match="HTTP 503") as caught:
        await fetcher.fetch("https://always-down.example/")
    assert caught.value.state is SourceState.UNAVAILABLE and caught.value.transient
    assert failing_web.requests_by_host["always-down.example"] == 3


async def test_a_429_waits_its_retry_after_then_succeeds(
    fetcher: WebFetcher, failing_web: SandboxWeb, waits: Waits
) -> None:
    page = await fetcher.fetch("https://busy-once.example/")
    assert "Busy Once Inc." in page.text
    assert waits.seconds == [2.0]
    assert failing_web.requests_by_host["busy-once.example"] == 2


async def test_a_retry_after_beyond_the_longest_honoured_is_not_waited_for(
    fetcher: WebFetcher, failing_web: SandboxWeb, waits: Waits
) -> None:
    with pytest.raises(RateLimitedError) as caught:
        await fetcher.fetch("https://always-busy.example/")
    assert caught.value.retry_after == 3600 and caught.value.state is SourceState.BLOCKED
    assert caught.value.transient
    assert waits.seconds == [] and failing_web.requests_by_host["always-busy.example"] == 1


async def test_no_retry_waits_past_the_company_deadline(
    fetcher: WebFetcher, failing_web: SandboxWeb, waits: Waits
) -> None:
    with outcomes.collecting(timeout_seconds=1.0), pytest.raises(RateLimitedError):
        await fetcher.fetch("https://busy-once.example/")  # asks for 2 s; the company has 1 s left
    assert waits.seconds == [] and failing_web.requests_by_host["busy-once.example"] == 1


async def test_403_is_a_refusal_and_is_not_retried(fetcher: WebFetcher, failing_web: SandboxWeb) -> None:
    with pytest.raises(FetchBlockedError, match="HTTP 403") as caught:
        await fetcher.fetch("https://refusing-gate.example/")
    assert caught.value.state is SourceState.BLOCKED and not caught.value.transient
    assert failing_web.requests_by_host["refusing-gate.example"] == 1


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("challenge-gate.example", id="503-with-cf-mitigated"),
        pytest.param("moment-please.example", id="just-a-moment-200"),
        pytest.param("captcha-wall.example", id="captcha-wall-200"),
    ],
)
async def test_a_challenge_page_is_a_refusal_never_a_page(
    fetcher: WebFetcher, failing_web: SandboxWeb, host: str
) -> None:
    with pytest.raises(FetchBlockedError, match="Anti-bot challenge"):
        await fetcher.fetch(f"https://{host}/")
    assert failing_web.requests_by_host[host] == 1  # a refusal, not an outage: not asked again


async def test_a_contact_form_with_a_captcha_is_still_a_page(fetcher: WebFetcher) -> None:
    page = await fetcher.fetch("https://steady-widgets.example/contact/")
    assert "g-recaptcha" in page.text
    assert not is_challenge({"Content-Type": "text/html"}, CONTACT_FORM.encode())


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("<html><title>Ju\u017ft a moment...</title></html>", id="long-s-in-title"),
        pytest.param("<html><title>ACCESS DEN\u0130ED</title></html>", id="dotted-capital-i-in-title"),
        pytest.param("<html><title>Just a Moment</title></html>", id="capitals"),
    ],
)
def test_a_challenge_title_is_read_case_blind_as_before(html: str) -> None:
    """The cheap look for a challenge's words lets through every letter the title pattern reads."""
    assert is_challenge({"Content-Type": "text/html"}, html.encode())


@pytest.mark.parametrize(
    ("alternative", "lead"),
    [
        pytest.param(r"just a moment\.*", "just a moment", id="optional-dots"),
        pytest.param(r"attention required!?(?: \| cloudflare)?", "attention required", id="optional-mark"),
        pytest.param(r"are you a (?:human|robot)\??", "are you a ", id="group"),
        pytest.param(r"Verify(?:ing)? you", "verify", id="lowered"),
        pytest.param(r"captcha-delivery\.com", "captcha-delivery.com", id="escaped-dot"),
        pytest.param(r"checking your browser[^<]*", "checking your browser", id="class"),
        pytest.param(r"\d+ ab", "", id="starts-with-a-class"),
        pytest.param(r"ab{2}", "a", id="counted"),
    ],
)
def test_the_words_looked_for_first_are_what_every_match_of_a_challenge_pattern_starts_with(
    alternative: str, lead: str
) -> None:
    assert literal_lead(alternative) == lead


def test_a_page_holding_no_challenge_word_is_a_page_without_trying_the_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page without a word of any challenge is judged by a substring search (the case-blind patterns,
    tried at every position of its head, cost milliseconds of the loop for each page)."""

    class Untried:
        def search(self, text: str) -> None:
            raise AssertionError(f"pattern tried on {text[:40]!r}")

    monkeypatch.setattr(fetcher_module, "CHALLENGE_TITLES_RE", Untried())
    monkeypatch.setattr(fetcher_module, "CHALLENGE_MARKERS_RE", Untried())
    page = "<html><head><title>Steady Widgets GmbH</title></head><body>" + "<p>Widgets.</p>" * 2000
    assert not is_challenge({"Content-Type": "text/html"}, page.encode())


async def test_a_host_that_never_answers_times_out_once(fetcher: WebFetcher, failing_web: SandboxWeb) -> None:
    with pytest.raises(FetchUnavailableError, match="Timed out"):
        await fetcher.fetch("https://never-answers.example/")
    assert failing_web.requests_by_host["never-answers.example"] == 1  # its time is spent: not again


async def test_an_unreachable_web_is_unavailable_not_absent(waits: Waits) -> None:
    closed = free_port()  # nothing listens there: every connection is refused
    settings = Settings(
        sandbox_http_port=closed,
        sandbox_https_port=closed,
        fetch_timeout_seconds=1.0,
        per_host_delay_seconds=0,
    )
    fetcher = WebFetcher(settings)
    fetcher.sleep = waits
    try:
        with pytest.raises(FetchUnavailableError, match="Cannot connect") as caught:
            await fetcher.fetch("https://steady-widgets.example/")
    finally:
        await fetcher.aclose()
    assert caught.value.transient and len(waits.seconds) == 2


async def test_calls_for_a_source_are_recorded_in_the_company_report(fetcher: WebFetcher) -> None:
    with outcomes.collecting() as report:
        await fetcher.fetch("https://steady-widgets.example/", source="website")
        with pytest.raises(FetchUnavailableError):
            await fetcher.fetch_json("https://api.gleif.org/api/v1/lei-records", source="gleif")
        with pytest.raises(HostNotFoundError):
            await fetcher.fetch_json("https://no-such-api.example/v1", source="registry")
    by_source = {o.source: o for o in report.outcomes}
    assert by_source["website"].outcome is SourceState.OK
    assert by_source["gleif"].outcome is SourceState.UNAVAILABLE and "HTTP 503" in by_source["gleif"].reason
    # A knowledge source's host exists: its name not being served is an outage, not an absence.
    assert by_source["registry"].outcome is SourceState.UNAVAILABLE
    assert report.unavailable_sources() == ["gleif", "registry"]


async def test_a_failing_knowledge_host_cools_down_then_is_tried_again(
    fetcher: WebFetcher, failing_web: SandboxWeb, clock: ManualClock
) -> None:
    url = "https://api.gleif.org/api/v1/lei-records"
    for _ in range(2):  # circuit_failures=2, each after its 3 attempts
        with pytest.raises(FetchUnavailableError):
            await fetcher.fetch_json(url, source="gleif")
    asked = failing_web.requests_by_host["api.gleif.org"]
    assert asked == 6
    with outcomes.collecting() as report, pytest.raises(CircuitOpenError, match="cooling down"):
        await fetcher.fetch_json(url, source="gleif")
    assert failing_web.requests_by_host["api.gleif.org"] == asked  # skipped, not asked
    assert report.outcomes[0].outcome is SourceState.SKIPPED
    [circuit] = [c for c in all_circuits() if c.host == "api.gleif.org"]
    assert circuit.state == "open" and circuit.consecutive_failures == 2 and circuit.opened_times == 1
    scraped = generate_latest(REGISTRY).decode()
    assert 'company_batch_source_circuit_open{host="api.gleif.org"} 1.0' in scraped
    clock.now += 61  # the cool-down is over: one request tries the host again
    with pytest.raises(FetchUnavailableError, match="HTTP 503"):
        await fetcher.fetch_json(url, source="gleif")
    assert failing_web.requests_by_host["api.gleif.org"] == asked + 3
    with pytest.raises(CircuitOpenError):  # that try failed: cooling down again
        await fetcher.fetch_json(url, source="gleif")
    [circuit] = [c for c in all_circuits() if c.host == "api.gleif.org"]
    assert circuit.opened_times == 2


async def test_retries_are_counted_by_cause(fetcher: WebFetcher) -> None:
    before = REGISTRY.get_sample_value("company_batch_fetch_retries_total", {"cause": "http_429"}) or 0.0
    await fetcher.fetch("https://busy-once.example/")
    after = REGISTRY.get_sample_value("company_batch_fetch_retries_total", {"cause": "http_429"})
    assert after == before + 1


def test_retry_waits_read_both_forms_of_retry_after() -> None:
    from server.extraction.fetcher import parse_retry_after

    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date already past
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_concurrent_companies_keep_their_own_reports(fetcher: WebFetcher) -> None:
    async def company(url: str) -> tuple[str, ...]:
        with outcomes.collecting() as report:
            try:
                await fetcher.fetch(url, source="website")
            except FetchBlockedError:
                pass
            return tuple(o.outcome.value for o in report.outcomes)

    ok, refused = await asyncio.gather(
        company("https://steady-widgets.example/"), company("https://refusing-gate.example/")
    )
    assert (ok, refused) == (("ok",), ("blocked",))
