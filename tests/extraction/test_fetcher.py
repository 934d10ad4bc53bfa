"""WebFetcher: the one network seam, exercised against the sandbox web over loopback."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.web import SandboxWeb
from server.errors import FetchError
from server.extraction.fetcher import (
    MISSING_URL_SECONDS,
    RobotsDisallowedError,
    WebFetcher,
    client_ssl_context,
    decode_body,
    is_forbidden_address,
)
from server.settings import Settings
from tests.extraction.conftest import CORPUS_DIR


async def test_fetches_a_real_https_url_from_the_sandbox_unchanged(fetcher: WebFetcher) -> None:
    page = await fetcher.fetch("https://acme-robotics.example/about/")
    assert page.status == 200
    assert page.url == "https://acme-robotics.example/about/"
    assert page.content_type == "text/html"
    assert "Founded in 2009" in page.text


async def test_plain_http_urls_reach_the_sandbox_http_port(fetcher: WebFetcher) -> None:
    page = await fetcher.fetch("http://cedarandstone.test/")
    assert "Cedar &amp; Stone Architects" in page.text


async def test_follows_redirects_and_records_them(fetcher: WebFetcher) -> None:
    page = await fetcher.fetch("https://lumen-grid-energy.example/contact/")
    assert page.url == "https://lumengrid.example/contact/"
    assert page.redirects == ("https://lumen-grid-energy.example/contact/",)
    assert page.host == "lumengrid.example"


async def test_redirect_cap_is_enforced(sandbox_web: SandboxWeb) -> None:
    settings = Settings(**sandbox_web.settings_overrides(), max_redirects=0)
    fetcher = WebFetcher(settings)
    try:
        with pytest.raises(FetchError, match="Too many redirects"):
            await fetcher.fetch("https://lumen-grid-energy.example/")
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize(
    ("url", "message", "state"),
    [
        pytest.param(
            "https://brightwater-instruments.example/", "HTTP 500", "unavailable", id="server-error"
        ),
        pytest.param("https://acme-robotics.example/missing/", "HTTP 404", "not_found", id="not-found"),
        pytest.param(
            "https://flakey-widgets.example/", "Connection reset", "unavailable", id="connection-reset"
        ),
        pytest.param("https://stalled-systems.example/", "Timed out", "unavailable", id="no-answer"),
        pytest.param(
            "https://tortoise-freight.example/", "Timed out", "unavailable", id="slower-than-timeout"
        ),
        pytest.param("https://unknown-company.example/", "no such host", "not_found", id="unknown-name"),
        pytest.param("ftp://acme-robotics.example/", "Refused", "not_found", id="not-http"),
    ],
)
async def test_failures_become_fetch_errors_that_say_how_the_host_answered(
    fetcher: WebFetcher, url: str, message: str, state: str
) -> None:
    """No answer (5xx, reset, timeout) is an outage; a 404 or a name the web does not serve is an answer."""
    fetcher.sleep = _no_wait  # retries of the transient ones wait for nothing here
    with pytest.raises(FetchError, match=message) as caught:
        await fetcher.fetch(url)
    assert caught.value.state == state
    assert caught.value.transient is (state == "unavailable")


async def _no_wait(_seconds: float) -> None:
    return None


async def test_a_name_the_sandbox_does_not_serve_does_not_resolve(sandbox_web: SandboxWeb) -> None:
    """As a name no one registered on the public web: one lookup says so, no connection is made."""
    fetcher = WebFetcher(Settings(**sandbox_web.settings_overrides()))
    try:
        for url in ("https://unknown-company.example/", "http://UNKNOWN-company.example./about/"):
            with pytest.raises(FetchError, match="no such host") as caught:
                await fetcher.fetch(url)
            assert (caught.value.state, caught.value.transient) == ("not_found", False)
        assert (await fetcher.fetch("https://ACME-robotics.example./")).status == 200  # served: any spelling
        assert sandbox_web.requests == [("acme-robotics.example", "/")]
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize("url", ["https://unknown-company.example/", "http://unknown-company.example/"])
async def test_a_host_that_serves_no_site_of_the_name_has_answered_too(
    sandbox_web: SandboxWeb, url: str
) -> None:
    """Reached under a name it serves no site of (every name resolving to it), the sandbox is a shared host
    that says so: HTTPS, a certificate that does not cover the name; HTTP, 421. Not found, not an outage."""
    fetcher = WebFetcher(Settings(**{**sandbox_web.settings_overrides(), "sandbox_hostnames": None}))
    fetcher.sleep = _no_wait
    try:
        with pytest.raises(FetchError, match="No site at") as caught:
            await fetcher.fetch(url)
        assert (caught.value.state, caught.value.transient) == ("not_found", False)
    finally:
        await fetcher.aclose()


async def test_a_url_whose_host_does_not_exist_is_not_asked_again_for_a_while() -> None:
    """Companies of a batch share candidate domains: a name the web said it does not serve is believed
    for ``MISSING_URL_SECONDS`` (for that URL), as a resolver keeps a negative answer."""
    now = [0.0]
    async with SandboxWeb(CORPUS_DIR) as web:
        # Every name resolves to the sandbox: once it is gone, a name asked again cannot connect.
        settings = Settings(**{**web.settings_overrides(), "sandbox_hostnames": None})
        fetcher = WebFetcher(settings, clock=lambda: now[0])
        fetcher.sleep = _no_wait
        with pytest.raises(FetchError, match="No site at") as first:
            await fetcher.fetch("https://unknown-company.example/")
    try:
        # The sandbox is gone: whatever is asked now cannot connect, whatever is believed is not asked.
        with pytest.raises(FetchError) as again:
            await fetcher.fetch("https://unknown-company.example/")
        assert (type(again.value), again.value.message, again.value.details) == (
            type(first.value),
            first.value.message,
            first.value.details,
        )
        with pytest.raises(FetchError, match="Cannot connect"):
            await fetcher.fetch("http://unknown-company.example/")  # another URL: asked
        now[0] += MISSING_URL_SECONDS
        with pytest.raises(FetchError, match="Cannot connect"):
            await fetcher.fetch("https://unknown-company.example/")  # believed no longer: asked
    finally:
        await fetcher.aclose()


async def test_refuses_private_addresses_after_resolution_unless_allowed(sandbox_web: SandboxWeb) -> None:
    overrides = {**sandbox_web.settings_overrides(), "allow_private_addresses": False}
    fetcher = WebFetcher(Settings(**overrides))
    try:
        # The sandbox stands for the public web: its names are reached, literal private addresses not.
        assert (await fetcher.fetch("https://acme-robotics.example/")).status == 200
        with pytest.raises(FetchError, match="Refused"):
            await fetcher.fetch(f"http://127.0.0.1:{sandbox_web.http_port}/")
        with pytest.raises(FetchError, match="Refused"):
            await fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    finally:
        await fetcher.aclose()


async def test_truncates_pages_beyond_the_byte_cap(sandbox_web: SandboxWeb) -> None:
    fetcher = WebFetcher(Settings(**sandbox_web.settings_overrides(), max_page_bytes=1000))
    try:
        page = await fetcher.fetch("https://acme-robotics.example/")
    finally:
        await fetcher.aclose()
    assert page.truncated
    assert len(page.text.encode()) <= 1000


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.4",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
        "fd00:ec2::254",
    ],
)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden_address(address)


def test_sandbox_ca_is_trusted_only_in_sandbox_mode(tmp_path: object, sandbox_web: SandboxWeb) -> None:
    sandbox = client_ssl_context(Settings(**sandbox_web.settings_overrides()))
    production = client_ssl_context(Settings(sandbox_ca_file=sandbox_web.ca_file))
    sandbox_subjects = {str(cert["subject"]) for cert in sandbox.get_ca_certs()}
    production_subjects = {str(cert["subject"]) for cert in production.get_ca_certs()}
    assert any("company-batch sandbox" in subject for subject in sandbox_subjects)
    assert not any("company-batch sandbox" in subject for subject in production_subjects)


def test_decodes_by_http_charset_then_meta_then_utf8() -> None:
    latin = "Bäckerei".encode("latin-1")
    assert decode_body(latin, "text/html; charset=ISO-8859-1") == "Bäckerei"
    meta = b'<meta charset="windows-1252"><p>caf\xe9</p>'
    assert "café" in decode_body(meta, "text/html")
    assert decode_body("naïve".encode(), "text/html") == "naïve"


async def test_robots_txt_disallowed_pages_are_refused_when_crawling(fetcher: WebFetcher) -> None:
    with pytest.raises(RobotsDisallowedError):
        await fetcher.fetch("https://xyloaudio.example/about/", respect_robots=True)
    assert (await fetcher.fetch("https://xyloaudio.example/contact/", respect_robots=True)).status == 200
    # APIs are not crawled: the same page without the robots check is served.
    assert (await fetcher.fetch("https://xyloaudio.example/about/")).status == 200


async def test_a_site_without_robots_txt_allows_everything(fetcher: WebFetcher) -> None:
    assert await fetcher.allowed_by_robots("https://acme-robotics.example/about/")


async def test_requests_to_one_host_are_spaced_by_the_politeness_delay(sandbox_web: SandboxWeb) -> None:
    delay = 0.3
    settings = Settings(**{**sandbox_web.settings_overrides(), "per_host_delay_seconds": delay})
    polite = WebFetcher(settings)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    polite.sleep = record
    try:
        await polite.fetch("https://acme-robotics.example/")
        await polite.fetch("https://bluefin-analytics.example/")  # another host: no wait
        assert waits == []
        await polite.fetch("https://acme-robotics.example/about/")
    finally:
        await polite.aclose()
    # The wait asked for is what was left of the delay after the requests in between.
    assert waits and 0.0 < sum(waits) <= delay


async def test_json_apis_are_decoded_and_non_json_is_a_fetch_error(fetcher: WebFetcher) -> None:
    document, page = await fetcher.fetch_json("https://www.sec.gov/files/company_tickers.json")
    assert page.content_type == "application/json"
    assert any(row["ticker"] == "OBSD" for row in document.values())
    with pytest.raises(FetchError, match="Not JSON"):
        await fetcher.fetch_json("https://acme-robotics.example/")
