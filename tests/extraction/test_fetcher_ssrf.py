"""The fetcher's address policy: every spelling of a non-public address is refused, credentials stay home."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.resolver import ThreadedResolver

from sandbox.web import SandboxWeb
from server.domain import ExtractionMode, ExtractionRequest
from server.errors import FetchError
from server.extraction.fetcher import BlockedAddressError, GuardedResolver, WebFetcher, is_forbidden_address
from server.extraction.pipeline import WebExtractor
from server.settings import Settings

NON_PUBLIC_SPELLINGS = [
    pytest.param("2130706433", id="decimal-integer"),
    pytest.param("017700000001", id="octal-integer"),
    pytest.param("127.1", id="two-part"),
    pytest.param("10.1", id="two-part-private"),
    pytest.param("0177.0.0.1", id="octal-dotted"),
    pytest.param("0x7f.1", id="hex-two-part"),
    pytest.param("0x7f000001", id="hex-integer"),
    pytest.param("0", id="zero"),
    pytest.param("127.0.0.1.", id="trailing-dot"),
    pytest.param("::127.0.0.1", id="ipv4-compatible"),
    pytest.param("::ffff:127.0.0.1", id="ipv4-mapped"),
    pytest.param("[::ffff:169.254.169.254]", id="bracketed-mapped-metadata"),
    pytest.param("::ffff:0:127.0.0.1", id="siit-translated"),
    pytest.param("64:ff9b::127.0.0.1", id="nat64-loopback"),
    pytest.param("64:ff9b::a00:1", id="nat64-private"),
    pytest.param("64:ff9b:1::808:808", id="nat64-local-use-prefix"),
    pytest.param("2002:7f00:1::", id="6to4-loopback"),
    pytest.param("2002:a9fe:a9fe::1", id="6to4-metadata"),
    pytest.param("2001:0:4136:e378:8000:63bf:80ff:fffe", id="teredo"),
    pytest.param("fe80::1%eth0", id="link-local-with-zone"),
    pytest.param("ff02::1", id="multicast"),
    pytest.param("100.64.0.1", id="carrier-grade-nat"),
]
PUBLIC_SPELLINGS = [
    pytest.param("93.184.216.34", id="dotted"),
    pytest.param("1572395042", id="decimal-integer"),
    pytest.param("2606:2800:220:1:248:1893:25c8:1946", id="ipv6"),
    pytest.param("64:ff9b::808:808", id="nat64-public"),
    pytest.param("2002:808:808::1", id="6to4-public"),
    pytest.param("::ffff:8.8.8.8", id="mapped-public"),
]


@pytest.mark.parametrize("address", NON_PUBLIC_SPELLINGS)
def test_every_spelling_of_a_non_public_address_is_forbidden(address: str) -> None:
    assert is_forbidden_address(address)


@pytest.mark.parametrize("address", PUBLIC_SPELLINGS)
def test_public_addresses_are_allowed_in_any_spelling(address: str) -> None:
    assert not is_forbidden_address(address)


@pytest.mark.parametrize("name", ["acme.example", "1.2.3.4.5", "4294967296", "0x", "1e5", "127.0.0.1..", ""])
def test_hostnames_and_out_of_range_numbers_are_not_addresses(name: str) -> None:
    with pytest.raises(ValueError):
        is_forbidden_address(name)


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "127.1",
        "0177.0.0.1",
        "0x7f.1",
        "[::127.0.0.1]",
        "[::ffff:7f00:1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "169.254.169.254",
    ],
)
async def test_literal_addresses_are_refused_before_any_connection(host: str) -> None:
    fetcher = WebFetcher(Settings(_env_file=None, allow_private_addresses=False))
    try:
        with pytest.raises(FetchError, match="Refused") as caught:
            await fetcher.fetch(f"http://{host}/")
        assert "not a public address" in caught.value.details
    finally:
        await fetcher.aclose()


@pytest.mark.parametrize("name", ["localhost", "2130706433", "127.1", "::ffff:127.0.0.1"])
async def test_names_resolving_to_loopback_are_refused_by_the_resolver(name: str) -> None:
    resolver = GuardedResolver(ThreadedResolver())
    try:
        with pytest.raises(BlockedAddressError):
            await resolver.resolve(name, 80)
    finally:
        await resolver.close()


REDIRECTS = {
    "/decimal": "http://2130706433/",
    "/two-part": "http://127.1/latest/meta-data/",
    "/octal": "http://0177.0.0.1/",
    "/hex": "http://0x7f.1/",
    "/mapped": "http://[::ffff:127.0.0.1]/",
    "/compatible": "https://[::127.0.0.1]/",
    "/nat64": "http://[64:ff9b::a9fe:a9fe]/",
    "/6to4": "http://[2002:a9fe:a9fe::]/",
    "/metadata-protocol-relative": "//169.254.169.254/latest/meta-data/",
    "/public-then-private": "https://hop.example/to-metadata",
}
MALFORMED_LOCATIONS = {
    "/unclosed-bracket": "http://[::1",
    "/bad-port": "http://target.example:99999/",
    "/space-in-host": "http://tar get.example/",
    "/javascript": "javascript:alert(1)",
    "/no-host": "http:///nothing",
    "/file": "file:///etc/passwd",
}


@pytest.fixture
async def redirecting_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    """A corpus whose ``redirector.example`` redirects to every hostile target, and a fine target site."""
    sites = tmp_path / "sites"
    for host, meta in {
        "redirector.example": {"path_redirects": {**REDIRECTS, **MALFORMED_LOCATIONS, "/ok": "/fine"}},
        "hop.example": {"path_redirects": {"/to-metadata": "http://169.254.169.254/"}},
        "target.example": {},
    }.items():
        (sites / host).mkdir(parents=True)
        (sites / host / "_meta.json").write_text(json.dumps(meta), "utf-8")
        (sites / host / "fine.html").write_text("<html><title>Fine</title></html>", "utf-8")
    async with SandboxWeb(tmp_path) as web_server:
        yield web_server


@pytest.fixture
async def guarded_fetcher(redirecting_web: SandboxWeb) -> AsyncIterator[WebFetcher]:
    """A sandbox fetcher with the production address policy (private addresses not allowed)."""
    overrides = {**redirecting_web.settings_overrides(), "allow_private_addresses": False}
    fetcher = WebFetcher(Settings(_env_file=None, **overrides))
    yield fetcher
    await fetcher.aclose()


async def test_a_redirect_within_the_public_web_is_followed(guarded_fetcher: WebFetcher) -> None:
    page = await guarded_fetcher.fetch("https://redirector.example/ok")
    assert page.url == "https://redirector.example/fine"
    assert page.redirects == ("https://redirector.example/ok",)


@pytest.mark.parametrize("path", list(REDIRECTS))
async def test_a_redirect_to_a_non_public_address_is_refused(guarded_fetcher: WebFetcher, path: str) -> None:
    with pytest.raises(FetchError, match="Refused") as caught:
        await guarded_fetcher.fetch(f"https://redirector.example{path}")
    assert "not a public address" in caught.value.details


@pytest.mark.parametrize("path", list(MALFORMED_LOCATIONS))
async def test_a_malformed_location_fails_that_url_with_a_fetch_error(
    guarded_fetcher: WebFetcher, path: str
) -> None:
    with pytest.raises(FetchError) as caught:
        await guarded_fetcher.fetch(f"https://redirector.example{path}")
    assert type(caught.value) is FetchError
    assert caught.value.message.startswith(("Malformed redirect", "Refused"))


async def test_a_malformed_location_on_a_candidate_moves_on_to_the_next_candidate(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    (sites / "tern-widgets.example").mkdir(parents=True)
    (sites / "tern-widgets.example" / "_meta.json").write_text(
        json.dumps({"path_redirects": {"/": "http://[::1"}}), "utf-8"
    )
    (sites / "ternwidgets.com").mkdir(parents=True)
    (sites / "ternwidgets.com" / "index.html").write_text(
        "<html><head><title>Tern Widgets</title></head><body>Widgets.</body></html>", "utf-8"
    )
    async with SandboxWeb(tmp_path) as sandbox:
        settings = Settings(
            _env_file=None,
            **{**sandbox.settings_overrides(), "resolve_tlds": ["com"]},
            search_provider="none",
            knowledge_sources=[],
        )
        extractor = WebExtractor(settings)
        try:
            profile = await extractor.extract(
                ExtractionRequest(
                    "Tern Widgets", mode=ExtractionMode.BASIC, domain_hint="tern-widgets.example"
                )
            )
        finally:
            await extractor.aclose()
    assert profile["domain"] == "ternwidgets.com"
    assert any(
        "tern-widgets.example" in note and "Malformed redirect" in note
        for note in profile["resolution_notes"]
    )


class HeaderEcho:
    """A loopback HTTP server: ``/hop/<host>`` redirects to ``/echo`` on that host name, ``/echo`` records."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        self.port = 0

    async def hop(self, request: web.Request) -> web.Response:
        target = f"http://{request.match_info['host']}:{self.port}/echo"
        return web.Response(status=302, headers={"Location": target})

    async def echo(self, request: web.Request) -> web.Response:
        self.seen.append(dict(request.headers))
        return web.Response(text="ok")


@pytest.fixture
async def header_echo() -> AsyncIterator[HeaderEcho]:
    echo = HeaderEcho()
    app = web.Application()
    app.router.add_get("/hop/{host}", echo.hop)
    app.router.add_get("/echo", echo.echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    echo.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield echo
    await runner.cleanup()


@pytest.mark.parametrize(
    ("next_host", "key_follows"),
    [pytest.param("127.0.0.1", True, id="same-origin"), pytest.param("localhost", False, id="other-host")],
)
async def test_credentials_never_follow_a_redirect_to_another_origin(
    header_echo: HeaderEcho, next_host: str, key_follows: bool
) -> None:
    fetcher = WebFetcher(Settings(_env_file=None, allow_private_addresses=True, per_host_delay_seconds=0))
    headers = {
        "X-Subscription-Token": "brave-secret",
        "Authorization": "Bearer t",
        "Accept": "application/json",
    }
    try:
        page = await fetcher.fetch(f"http://127.0.0.1:{header_echo.port}/hop/{next_host}", headers=headers)
    finally:
        await fetcher.aclose()
    assert page.text == "ok"
    (seen,) = header_echo.seen
    assert seen["Accept"] == "application/json"
    assert ("X-Subscription-Token" in seen) is key_follows
    assert ("Authorization" in seen) is key_follows
