"""A local web that serves corpus site snapshots under their real hostnames, over HTTP and HTTPS.

Production code reaches it unchanged: in sandbox mode the fetcher resolves the hostnames of the corpus
(``settings_overrides``' ``sandbox_hostnames``) to this server (port 80 -> ``http_port``, 443 ->
``https_port``), and no other name, and trusts ``ca_file``. Sites are chosen by the ``Host`` header
(and by SNI for TLS); the certificate, issued by a throw-away ``trustme`` CA, covers every corpus
hostname.

A client that reaches it under another name (one that resolves every name here, ``sandbox_hostnames``
None) finds it clearly non-existent: over HTTP the answer is ``421 Misdirected Request`` with
``X-Sandbox-Unknown-Host``; over HTTPS the certificate does not cover the name, so the client's
handshake fails verification, as on a shared host that serves no site of that name. (Refusing the
handshake instead reached the client as a connection reset, which the fetcher rightly reads as an
outage, not as an absence.)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import mimetypes
import socket
import ssl
import struct
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import trustme
from aiohttp import web

from sandbox.corpus_format import FAILURE_RESET, FAILURE_TIMEOUT, Corpus, SiteSpec, load_corpus
from sandbox.knowledge_services import wikidata_entities

UNKNOWN_HOST_STATUS = 421
UNKNOWN_HOST_HEADER = "X-Sandbox-Unknown-Host"
SANDBOX_HEADER = "X-Sandbox-Host"
SANDBOX_COMPANIES_HOUSE_KEY = "sandbox-companies-house-key"
CORPUS_TLDS = ("example", "test")  # reserved TLDs the authored corpus uses; resolution tries them
SHUTDOWN_TIMEOUT_SECONDS = 1.0
RETRY_AFTER = "1"  # seconds a host over its concurrency limit asks for
_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on with timeout 0: close() sends a TCP RST


class SandboxWeb:
    """Serves ``corpus_dir`` on ``host`` over HTTP and HTTPS; an async context manager.

    Args:
        corpus_dir: a corpus directory (see ``sandbox/corpus/README.md``).
        host: address to listen on.
        http_port: HTTP port, 0 for a free one.
        https_port: HTTPS port, 0 for a free one.
        latency: seconds added before every response, on top of each site's own latency.
        landing_pages: ``{hostname: path}`` for sites captured without their home page: ``/`` on that
            host answers ``302`` to the path, as a site whose root forwards to a deeper page does. The
            corpus stays as captured; the caller (the eval) decides which recorded page stands in.
        concurrency_limits: ``{hostname: n}``: the host answers ``429`` with ``Retry-After`` to a
            request that arrives while ``n`` of its requests are in flight (a service that enforces
            its published limit). ``peak_in_flight`` and ``refused`` say what each host saw.

    Every answer with a body carries an ``ETag`` (a hash of the body, as static file servers send) and
    a request whose ``If-None-Match`` names it gets ``304 Not Modified``. ``requests`` lists each request
    as ``(host, path with query)``, in arrival order.
    """

    def __init__(
        self,
        corpus_dir: Path,
        *,
        host: str = "127.0.0.1",
        http_port: int = 0,
        https_port: int = 0,
        latency: float = 0.0,
        landing_pages: dict[str, str] | None = None,
        concurrency_limits: dict[str, int] | None = None,
    ) -> None:
        self.corpus: Corpus = load_corpus(Path(corpus_dir))
        self.host = host
        self.latency = latency
        self.landing_pages = {host.lower(): path for host, path in (landing_pages or {}).items()}
        self._requested_ports = (http_port, https_port)
        self._ports: tuple[int, int] | None = None
        self._runner: web.AppRunner | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._ca_file: Path | None = None
        self._closing = asyncio.Event()
        self.requests_served = 0
        self.requests_by_host: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.concurrency_limits = {host.lower(): n for host, n in (concurrency_limits or {}).items()}
        self.in_flight: Counter[str] = Counter()
        self.peak_in_flight: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()

    @property
    def http_port(self) -> int:
        return self._bound_ports()[0]

    @property
    def https_port(self) -> int:
        return self._bound_ports()[1]

    @property
    def ca_file(self) -> Path:
        """PEM of the CA that signed the server certificate."""
        if self._ca_file is None:
            raise RuntimeError("SandboxWeb is not running")
        return self._ca_file

    @property
    def hostnames(self) -> list[str]:
        return self.corpus.hostnames

    def settings_overrides(self) -> dict[str, Any]:
        """Values for ``server.settings.Settings`` that point the service at this sandbox."""
        return {
            "sandbox_host": self.host,
            "sandbox_http_port": self.http_port,
            "sandbox_https_port": self.https_port,
            "sandbox_ca_file": self.ca_file,
            "sandbox_corpus_dir": self.corpus.root,
            "sandbox_hostnames": self.corpus.hostnames,
            "allow_private_addresses": True,
            "resolve_tlds": list(CORPUS_TLDS),
            # Politeness protects other people's servers; this one is ours and local, and a delay per
            # host would serialize every knowledge-source call of a batch. The fetcher's tests cover it.
            "per_host_delay_seconds": 0.0,
            # The sandbox stands in for Companies House, whose API takes any key issued to a developer.
            "companies_house_api_key": SANDBOX_COMPANIES_HOUSE_KEY,
        }

    async def __aenter__(self) -> Self:
        self._tempdir = tempfile.TemporaryDirectory(prefix="sandbox-web-")
        ssl_context = self._server_ssl_context(Path(self._tempdir.name))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS)
        await runner.setup()
        self._runner = runner
        http_port, https_port = self._requested_ports
        try:
            await web.TCPSite(runner, self.host, http_port).start()
            await web.TCPSite(runner, self.host, https_port, ssl_context=ssl_context).start()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        addresses = runner.addresses
        self._ports = (int(addresses[0][1]), int(addresses[1][1]))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()  # releases hanging "timeout" handlers so shutdown is prompt
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
        self._ca_file = None
        self._ports = None

    def _bound_ports(self) -> tuple[int, int]:
        if self._ports is None:
            raise RuntimeError("SandboxWeb is not running")
        return self._ports

    def _server_ssl_context(self, tempdir: Path) -> ssl.SSLContext:
        ca = trustme.CA(organization_name="company-batch sandbox")
        hostnames = self.corpus.hostnames or ["sandbox.invalid"]
        cert = ca.issue_cert(*hostnames)
        self._ca_file = tempdir / "sandbox-ca.pem"
        ca.cert_pem.write_to_path(str(self._ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        return context

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests_served += 1
        site = self.corpus.site_for(request.host)
        if site is None:
            return web.Response(
                status=UNKNOWN_HOST_STATUS,
                text=f"sandbox: no site named {request.host!r}\n",
                headers={UNKNOWN_HOST_HEADER: request.host},
            )
        self.requests.append((site.hostname, request.path_qs))
        limit = self.concurrency_limits.get(site.hostname)
        if limit is not None and self.in_flight[site.hostname] >= limit:
            self.refused[site.hostname] += 1
            return web.Response(
                status=429, text="too many requests at once\n", headers={"Retry-After": RETRY_AFTER}
            )
        self.in_flight[site.hostname] += 1
        self.peak_in_flight[site.hostname] = max(
            self.peak_in_flight[site.hostname], self.in_flight[site.hostname]
        )
        try:
            return await self._answer(site, request)
        finally:
            self.in_flight[site.hostname] -= 1

    async def _answer(self, site: SiteSpec, request: web.Request) -> web.StreamResponse:
        delay = self.latency + site.latency_seconds
        if delay > 0:
            await asyncio.sleep(delay)
        seen = self.requests_by_host.get(site.hostname, 0) + 1
        self.requests_by_host[site.hostname] = seen
        if site.recover_after is not None and seen > site.recover_after:
            site = replace(site, status=None, failure=None)
        if site.failure == FAILURE_RESET:
            self._reset_connection(request)
            raise web.HTTPInternalServerError  # never written: the connection is already gone
        if site.failure == FAILURE_TIMEOUT:
            await self._closing.wait()  # never answers while the sandbox runs
            raise web.HTTPServiceUnavailable
        response = self._respond(site, request)
        response.headers.update(site.headers)
        response.headers[SANDBOX_HEADER] = site.hostname
        return self._conditional(response, request)

    def _respond(self, site: SiteSpec, request: web.Request) -> web.Response:
        if site.redirect_to is not None:
            target = site.redirect_to.rstrip("/") + request.path_qs
            return web.Response(status=site.redirect_status, headers={"Location": target})
        landing = self.landing_pages.get(site.hostname)
        if landing is not None and request.path == "/":
            return web.Response(status=302, headers={"Location": landing})
        if request.path in site.path_redirects:
            return web.Response(
                status=site.redirect_status, headers={"Location": site.path_redirects[request.path]}
            )
        if site.status is not None:
            return web.Response(status=site.status, text=f"{site.status} error from {site.hostname}\n")
        if site.basic_auth_user is not None and not _authorized(request, site.basic_auth_user):
            return web.json_response({"error": "Invalid Authorization", "type": "ch:service"}, status=401)
        entities = wikidata_entities(site, request)
        if entities is not None:
            return web.Response(body=entities, content_type="application/json")
        route = site.find_route(request.method, request.path, dict(request.query))
        if route is not None:
            body = route.body_file.read_bytes() if route.body_file is not None else b""
            return web.Response(
                status=route.status, body=body, content_type=route.content_type, headers=route.headers
            )
        if request.method not in {"GET", "HEAD"}:
            return web.Response(status=405, text="method not allowed\n")
        path = site.find_file(request.path)
        if path is None:
            return web.Response(status=404, text=f"404 not found: {request.path}\n", content_type="text/html")
        content_type, _ = mimetypes.guess_type(path.name)
        return web.Response(body=path.read_bytes(), content_type=content_type or "application/octet-stream")

    def _conditional(self, response: web.Response, request: web.Request) -> web.Response:
        """Give a 200 with a body its ``ETag``; answer ``304`` when the request already has that version."""
        if response.status != 200 or response.body is None or not isinstance(response.body, bytes):
            return response
        etag = response.headers.get("ETag") or f'"{hashlib.sha1(response.body).hexdigest()[:16]}"'
        response.headers["ETag"] = etag
        if etag in (tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")):
            self.not_modified[response.headers[SANDBOX_HEADER]] += 1
            return web.Response(
                status=304, headers={"ETag": etag, SANDBOX_HEADER: response.headers[SANDBOX_HEADER]}
            )
        return response

    @staticmethod
    def _reset_connection(request: web.Request) -> None:
        transport = request.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        transport.abort()


def _authorized(request: web.Request, user: str) -> bool:
    """Whether the request carries HTTP basic auth with this user name (any password)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        name = base64.b64decode(token, validate=True).decode("utf-8").partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return False
    return name == user
