"""The sandbox web serves corpus sites by hostname over HTTP and HTTPS and misbehaves on request."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import aiohttp
import pytest

from sandbox.__main__ import environment_for
from sandbox.web import UNKNOWN_HOST_HEADER, UNKNOWN_HOST_STATUS, SandboxWeb

TIMEOUT = aiohttp.ClientTimeout(total=1.0)


async def _get(
    web: SandboxWeb, host: str, path: str = "/", *, tls: bool = False
) -> tuple[int, str, dict[str, str]]:
    """GET from the sandbox as if ``host`` resolved to it (Host header and SNI set to ``host``)."""
    context = ssl.create_default_context(cafile=str(web.ca_file))
    scheme, port = ("https", web.https_port) if tls else ("http", web.http_port)
    resolver = _FixedResolver(web.host)
    connector = aiohttp.TCPConnector(resolver=resolver, ssl=context, use_dns_cache=False)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        async with session.get(f"{scheme}://{host}:{port}{path}", allow_redirects=False) as response:
            return response.status, await response.text(), dict(response.headers)


class _FixedResolver(aiohttp.abc.AbstractResolver):
    def __init__(self, address: str) -> None:
        self._address = address

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[aiohttp.abc.ResolveResult]:
        return [
            aiohttp.abc.ResolveResult(
                hostname=host, host=self._address, port=port, family=2, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        return None


async def test_serves_each_site_by_host_header_over_http(sandbox_web: SandboxWeb) -> None:
    status, acme, _ = await _get(sandbox_web, "acme-robotics.example")
    _, bluefin, _ = await _get(sandbox_web, "bluefin-analytics.example")
    assert status == 200
    assert "<title>Acme Robotics |" in acme
    assert "<title>Bluefin Analytics |" in bluefin


async def test_serves_https_with_a_certificate_for_the_corpus_hostname(sandbox_web: SandboxWeb) -> None:
    status, body, headers = await _get(sandbox_web, "kestrel-aerospace.example", "/ueber-uns/", tls=True)
    assert status == 200
    assert "Über uns" in body
    assert headers["X-Sandbox-Host"] == "kestrel-aerospace.example"


async def test_sandbox_certificate_is_not_trusted_by_the_default_trust_store(sandbox_web: SandboxWeb) -> None:
    connector = aiohttp.TCPConnector(
        resolver=_FixedResolver(sandbox_web.host), ssl=ssl.create_default_context()
    )
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get(f"https://acme-robotics.example:{sandbox_web.https_port}/")


async def test_unknown_host_over_http_answers_misdirected_request(sandbox_web: SandboxWeb) -> None:
    status, _, headers = await _get(sandbox_web, "no-such-company.example")
    assert status == UNKNOWN_HOST_STATUS
    assert headers[UNKNOWN_HOST_HEADER].startswith("no-such-company.example")


async def test_unknown_host_over_https_fails_the_handshake(sandbox_web: SandboxWeb) -> None:
    with pytest.raises(aiohttp.ClientConnectorError):
        await _get(sandbox_web, "no-such-company.example", tls=True)


async def test_redirecting_domain_points_to_the_new_domain_keeping_the_path(sandbox_web: SandboxWeb) -> None:
    status, _, headers = await _get(sandbox_web, "lumen-grid-energy.example", "/about/?x=1")
    assert status == 301
    assert headers["Location"] == "https://lumengrid.example/about/?x=1"


async def test_failing_host_answers_its_configured_status(sandbox_web: SandboxWeb) -> None:
    status, _, _ = await _get(sandbox_web, "brightwater-instruments.example")
    assert status == 500


async def test_resetting_host_drops_the_connection(sandbox_web: SandboxWeb) -> None:
    with pytest.raises(aiohttp.ClientError):
        await _get(sandbox_web, "flakey-widgets.example")


async def test_stalled_host_never_answers(sandbox_web: SandboxWeb) -> None:
    with pytest.raises(TimeoutError):
        await _get(sandbox_web, "stalled-systems.example")


async def test_slow_host_latency_outlasts_a_short_client_timeout(sandbox_web: SandboxWeb) -> None:
    with pytest.raises(TimeoutError):
        await _get(sandbox_web, "tortoise-freight.example")
    status, _, _ = await _get(sandbox_web, "acme-robotics.example")
    assert status == 200


async def test_missing_pages_are_404_and_private_files_are_never_served(sandbox_web: SandboxWeb) -> None:
    assert (await _get(sandbox_web, "acme-robotics.example", "/no-such-page/"))[0] == 404
    assert (await _get(sandbox_web, "lumengrid.example", "/.generated"))[0] == 404
    assert (await _get(sandbox_web, "acme-robotics.example", "/../mfadvisory.test/index.html"))[0] == 404


def _write_api_corpus(root: Path) -> None:
    site = root / "sites" / "api.knowledge.test"
    (site / "_responses").mkdir(parents=True)
    (site / "_responses" / "acme.json").write_text('{"hits": ["Q1"]}', "utf-8")
    (site / "_responses" / "other.json").write_text('{"hits": []}', "utf-8")
    routes = [
        {
            "path": "/search",
            "query": {"q": "Acme Robotics"},
            "status": 200,
            "content_type": "application/json",
            "body_file": "_responses/acme.json",
        },
        {
            "path": "/search",
            "query": {},
            "status": 200,
            "content_type": "application/json",
            "body_file": "_responses/other.json",
        },
        {"path": "/strict", "query": {"a": "1"}, "query_exact": True, "status": 204},
    ]
    (site / "_meta.json").write_text(json.dumps({"routes": routes, "headers": {"X-Api": "yes"}}), "utf-8")


async def test_recorded_routes_match_method_path_and_query(tmp_path: Path) -> None:
    _write_api_corpus(tmp_path)
    async with SandboxWeb(tmp_path) as web:
        acme = await _get(web, "api.knowledge.test", "/search?q=Acme%20Robotics&lang=en", tls=True)
        other = await _get(web, "api.knowledge.test", "/search?q=Nobody")
        strict_ok = await _get(web, "api.knowledge.test", "/strict?a=1")
        strict_extra = await _get(web, "api.knowledge.test", "/strict?a=1&b=2")
        metadata = await _get(web, "api.knowledge.test", "/_meta.json")
        body = await _get(web, "api.knowledge.test", "/_responses/acme.json")
    assert acme[0] == 200 and json.loads(acme[1]) == {"hits": ["Q1"]}
    assert acme[2]["Content-Type"].startswith("application/json") and acme[2]["X-Api"] == "yes"
    assert json.loads(other[1]) == {"hits": []}
    assert strict_ok[0] == 204
    assert strict_extra[0] == 404
    assert metadata[0] == 404 and body[0] == 404


async def test_global_latency_still_serves_pages(tmp_path: Path) -> None:
    _write_api_corpus(tmp_path)
    async with SandboxWeb(tmp_path, latency=0.05) as web:
        status, _, _ = await _get(web, "api.knowledge.test", "/search?q=x")
    assert status == 200


async def test_settings_overrides_and_environment_point_the_service_at_the_sandbox(
    sandbox_web: SandboxWeb,
) -> None:
    overrides = sandbox_web.settings_overrides()
    env = environment_for(overrides)
    assert overrides["allow_private_addresses"] is True
    assert overrides["sandbox_ca_file"] == sandbox_web.ca_file
    assert env["COMPANY_BATCH_SANDBOX_HTTPS_PORT"] == str(sandbox_web.https_port)
    assert env["COMPANY_BATCH_ALLOW_PRIVATE_ADDRESSES"] == "true"
    assert json.loads(env["COMPANY_BATCH_RESOLVE_TLDS"]) == ["example", "test"]


async def test_ca_file_is_removed_when_the_sandbox_stops(tmp_path: Path) -> None:
    _write_api_corpus(tmp_path)
    async with SandboxWeb(tmp_path) as web:
        ca_file = web.ca_file
        assert ca_file.exists()
    assert not ca_file.exists()


async def test_landing_page_stands_in_for_a_site_captured_without_its_home_page(tmp_path: Path) -> None:
    deep = tmp_path / "sites" / "deep.test" / "news" / "2015"
    deep.mkdir(parents=True)
    (deep / "index.html").write_text("<title>Deep</title>")
    async with SandboxWeb(tmp_path, landing_pages={"Deep.test": "/news/2015/"}) as web:
        root = await _get(web, "deep.test", "/")
        page = await _get(web, "deep.test", "/news/2015/")
        other = await _get(web, "deep.test", "/about/")
    assert root[0] == 302 and root[2]["Location"] == "/news/2015/"
    assert page[0] == 200 and "Deep" in page[1]
    assert other[0] == 404
