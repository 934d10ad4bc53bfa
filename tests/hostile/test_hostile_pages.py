"""Hostile pages through the real server, fetcher and parse pool: each company ends with a clear error
or a partial profile, and the server answers RPCs while a hostile page is being parsed.

The sites live in a corpus built in a temporary directory and are served by the sandbox web over loopback
HTTPS; the companies reach them through domain hints, as a client would send them. Bodies the sandbox
cannot serve (endless, dripping) come from a small loopback server, straight to the fetcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc

from client import BatchClient
from company_protos.company.v1 import batch_service_pb2
from sandbox.web import SandboxWeb
from server.errors import FetchError
from server.extraction.fetcher import WebFetcher
from server.extraction.page_pool import PagePool
from server.extraction.parse import PageFacts
from server.extraction.pipeline import WebExtractor
from server.settings import Settings
from server.testing import running_envoy, running_service, service_settings

FAILED = batch_service_pb2.CompanyResult.ExtractionStatus.failed
SUCCESS = batch_service_pb2.CompanyResult.ExtractionStatus.success
FETCH_TIMEOUT_SECONDS = 10.0
# Generous: the machine running the tests is shared, and the point is that no company needs it.
COMPANY_TIMEOUT_SECONDS = 300  # well above a loopback answer, well below the slow hosts' latency
CPU_BUDGET_SECONDS = 1.0  # per page; the element flood below needs several seconds
# Above the default 2 MB, so that a page can cost more than its CPU budget even after the parser's own
# caps: with the default cap no page found so far does, and the budget is the net under the unknown.
MAX_PAGE_BYTES = 6_000_000


def _page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def _tel_flood(count: int) -> str:
    """``count`` valid tel: links in one parent: minutes of CPU before the label lookup was linear."""
    links = "".join(
        f'<a href="tel:+1202555{i % 10000:04d}">+1 202 555 {i % 10000:04d}</a> ' for i in range(count)
    )
    return f"<div>{links}</div>"


@dataclass(frozen=True)
class HostileSite:
    """A company name, the host its hint points to, what the host serves and the outcome it must get."""

    company: str
    host: str
    files: dict[str, bytes]
    meta: dict[str, Any]
    outcome: str  # "success", or the text the failure's details must contain
    # A page that answered but reads as nothing is "not found"; a host that never answered says nothing
    # of the company (issue 12).
    error_type: str = "CompanyAnalysisError"


def _gzip_bomb() -> bytes:
    """A gzip body that inflates to 50 MB of page: the fetcher must stop at its byte cap."""
    return gzip.compress(_page("Gzip Bomb", "").encode()[:-14] + b" " * 50_000_000 + b"</body></html>", 6)


def _html_site(
    company: str, body: str, outcome: str, meta: dict[str, Any] | None = None, error_type: str = ""
) -> HostileSite:
    """A site at ``<company-with-dashes>.example`` serving one page titled with the company's name."""
    host = company.lower().replace(" ", "-") + ".example"
    page = {"index.html": _page(company, body).encode()}
    return HostileSite(company, host, page, meta or {}, outcome, error_type or "CompanyAnalysisError")


MAILTO_FLOOD = "".join(f'<a href="mailto:m{i}@mail-flood.example">m</a>' for i in range(10_000))
HOSTILE_SITES = [
    # Markup whose tree alone costs several seconds: the budget fails the page, not the server.
    _html_site("Element Flood", "<p>" * 1_900_000, "rejected, Page too costly to parse"),
    # Each of these was quadratic or backtracking: now cheap, and the company gets its profile.
    _html_site("Tel Flood", _tel_flood(20_000), "success"),
    _html_site("Digit Run", "1-" * 40_000, "success"),
    _html_site("Address Run", "a." * 40_000 + " x [at] " + "b [dot] " * 20_000, "success"),
    _html_site("Head Count Run", "1.111." * 3_000 + "Geschäftsführer: " + "Aa-" * 20_000, "success"),
    _html_site("Deep Nest", "<div>" * 100_000 + "x" + "</div>" * 100_000, "success"),
    _html_site("Huge Attribute", '<a href="/' + "x" * 1_500_000 + '">x</a>', "success"),
    _html_site("Mail Flood", MAILTO_FLOOD, "success"),
    _html_site("Huge Page", "<p>" + "Words and more words. " * 400_000 + "</p>", "success"),  # over the cap
    HostileSite("Gzip Bomb", "gzip-bomb.example", {"_responses/bomb.gz": _gzip_bomb()},
                {"routes": [{"path": "/", "content_type": "text/html", "body_file": "_responses/bomb.gz",
                             "headers": {"Content-Encoding": "gzip"}}]}, "success"),
    # Nothing readable, or nothing at all: a clear "not found" with the reason per candidate.
    HostileSite("Binary Junk", "binary-junk.example",
                {"index.html": random.Random(9).randbytes(300_000)}, {}, "rejected"),
    # The declared charset cannot decode the bytes: the fetcher falls back to what they are.
    _html_site("Wrong Charset", "Grüße aus Köln " * 500, "success",
               {"headers": {"Content-Type": "text/html; charset=utf-16"}}),
    _html_site("Slow Host", "", "rejected, unreachable (Timed out", {"latency_seconds": 60},
               "SourceUnavailableError"),
    HostileSite("Silent Host", "silent-host.example", {}, {"failure": "timeout"},
                "rejected, unreachable (Timed out", "SourceUnavailableError"),
]  # fmt: skip


def _write_corpus(root: Path, sites: list[HostileSite]) -> None:
    for site in sites:
        folder = root / "sites" / site.host
        folder.mkdir(parents=True)
        (folder / "_meta.json").write_text(json.dumps(site.meta), "utf-8")
        for name, content in site.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)


@pytest.fixture
async def hostile_web(tmp_path: Path) -> AsyncIterator[SandboxWeb]:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, HOSTILE_SITES)
    async with SandboxWeb(corpus) as web:
        yield web


def _overrides(web: SandboxWeb, **extra: Any) -> dict[str, Any]:
    """The service on the hostile sandbox: pages only (no knowledge sources or search), short timeouts."""
    return {
        **web.settings_overrides(),
        "search_provider": "none",
        "knowledge_sources": [],
        "resolve_tlds": ["example"],
        "fetch_timeout_seconds": FETCH_TIMEOUT_SECONDS,
        "parse_cpu_seconds": CPU_BUDGET_SECONDS,
        "max_page_bytes": MAX_PAGE_BYTES,
        **extra,
    }


async def _run_to_the_end(client: BatchClient, names: list[str], hints: dict[str, str]) -> str:
    submitted = await client.submit(
        names, domain_hints=hints, extraction_mode="basic", timeout_seconds=COMPANY_TIMEOUT_SECONDS
    )
    async for _event in client.watch(submitted.batch_id):
        pass
    return submitted.batch_id


async def test_every_hostile_page_ends_its_company_with_a_clear_error_or_a_profile(
    tmp_path: Path, hostile_web: SandboxWeb
) -> None:
    overrides = _overrides(hostile_web)
    async with running_service(tmp_path, **overrides) as service, BatchClient(service.grpc_target) as client:
        batch_id = await _run_to_the_end(
            client,
            [site.company for site in HOSTILE_SITES],
            {site.company: site.host for site in HOSTILE_SITES},
        )
        results = {result.company_name: result for result in (await client.results(batch_id, True)).results}
        batch = await client.get(batch_id)
    assert batch.progress.remaining == 0
    for site in HOSTILE_SITES:
        result = results[site.company]
        if site.outcome == "success":
            assert result.extraction_status == SUCCESS, (site.company, result.error)
            assert result.data.domain == site.host
        else:
            # Ended by itself, within its timeout, with the reason: never a timeout or an internal error.
            assert result.extraction_status == FAILED, site.company
            assert result.error.type == site.error_type, (site.company, result.error)
            hint_note = result.error.details.split(";", 1)[0]  # what the hinted candidate came to
            assert hint_note.startswith(f"hint candidate {site.host}: {site.outcome}"), (
                site.company,
                hint_note,
            )


class WatchedPool(PagePool):
    """The real parse pool, telling when it starts and finishes the page of one host."""

    def __init__(self, settings: Settings, host: str) -> None:
        super().__init__(settings)
        self.host = host
        self.started = asyncio.Event()
        self.finished = asyncio.Event()

    async def parse(self, html: str, url: str, *, region: str | None = None) -> PageFacts:
        watched = self.host in url
        if watched:
            self.started.set()
        try:
            return await super().parse(html, url, region=region)
        finally:
            if watched:
                self.finished.set()


async def test_rpcs_and_other_companies_are_answered_while_a_hostile_page_is_parsed(
    tmp_path: Path, hostile_web: SandboxWeb
) -> None:
    """GetBatch (gRPC and REST), the health check and another company all finish during the parse."""
    overrides = _overrides(hostile_web, parse_cpu_seconds=30.0, parse_workers=2)
    pool = WatchedPool(service_settings(tmp_path, **overrides), "element-flood.example")
    extractor = WebExtractor(service_settings(tmp_path, **overrides), parser=pool)
    async with (
        running_service(tmp_path, extractor, **overrides) as service,
        running_envoy([service.grpc_port]) as envoy,
        BatchClient(service.grpc_target) as client,
        grpc.aio.insecure_channel(service.grpc_target) as channel,
        httpx.AsyncClient(base_url=envoy.url, timeout=30) as http,
    ):
        hostile = await client.submit(
            ["Element Flood"], domain_hints={"Element Flood": "element-flood.example"}
        )
        await pool.started.wait()
        status = await client.get(hostile.batch_id)
        rest = await http.get(f"/api/v1/company/batch/{hostile.batch_id}/status")
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        other = await _run_to_the_end(client, ["Digit Run"], {"Digit Run": "digit-run.example"})
        other_result = (await client.results(other)).results[0]
        assert not pool.finished.is_set(), "the hostile page was parsed before the others were answered"
        await pool.finished.wait()
    assert status.progress.remaining == 1
    assert rest.status_code == 200 and rest.json()["data"]["batch_id"] == hostile.batch_id
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert other_result.extraction_status == SUCCESS


class EndlessBodies:
    """A loopback server whose ``/fast`` body never ends and whose ``/drip`` sends a byte now and then."""

    def __init__(self) -> None:
        self.port = 0

    @staticmethod
    async def fast(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b"<html><head><title>Endless</title></head><body>")
        with contextlib.suppress(ConnectionError):
            while True:
                await response.write(b"<p>more</p>" * 1000)
        return response

    @staticmethod
    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            while True:
                await response.write(b" ")
                await asyncio.sleep(0.2)
        return response


@pytest.fixture
async def endless() -> AsyncIterator[EndlessBodies]:
    bodies = EndlessBodies()
    app = web.Application()
    app.router.add_get("/fast", bodies.fast)
    app.router.add_get("/drip", bodies.drip)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    bodies.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield bodies
    await runner.cleanup()


async def test_an_endless_body_is_cut_at_the_page_cap(endless: EndlessBodies) -> None:
    settings = Settings(_env_file=None, allow_private_addresses=True, max_page_bytes=300_000)
    fetcher = WebFetcher(settings)
    try:
        page = await fetcher.fetch(f"http://127.0.0.1:{endless.port}/fast")
    finally:
        await fetcher.aclose()
    assert page.truncated and len(page.text) == 300_000
    assert page.text.startswith("<html><head><title>Endless</title>")


async def test_a_body_that_drips_forever_times_out(endless: EndlessBodies) -> None:
    settings = Settings(_env_file=None, allow_private_addresses=True, fetch_timeout_seconds=1.0)
    fetcher = WebFetcher(settings)
    try:
        with pytest.raises(FetchError, match="Timed out"):
            await fetcher.fetch(f"http://127.0.0.1:{endless.port}/drip")
    finally:
        await fetcher.aclose()
