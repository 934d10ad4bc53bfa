"""Runs the whole stack for people: ``make serve`` (server + Envoy) and ``make demo`` (plus the sandbox web).

``serve`` is the product as a user runs it: the gRPC server on 127.0.0.1:50051 behind Envoy on
http://localhost:8000 (REST and native gRPC), talking to the real web. ``demo`` starts the sandbox web
(recorded fictional sites, no internet), points the server at it, submits the demo batch with
``companyctl --watch`` (live progress) with the options of the REST document's Python example, prints
the results and stops everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import click
import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENVOY_URL = "http://localhost:8000"
ENVOY_ADMIN = "http://127.0.0.1:9901"
DEMO_CORPUS = REPO_ROOT / "sandbox" / "corpus"
DEMO_HTTP_PORT, DEMO_HTTPS_PORT = 18080, 18443
SERVE_PORTS = {
    50051: "the gRPC server",
    9464: "the server's metrics",
    8000: "Envoy (REST and gRPC)",
    9901: "Envoy's admin",
}
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0


@asynccontextmanager
async def child(
    name: str, argv: list[str], env: Mapping[str, str] | None = None, log: Path | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process that is sent SIGTERM (then killed) when the block ends."""
    out = log.open("ab") if log else None
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=REPO_ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=out
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                click.echo(f"{name} did not stop in time; killing it", err=True)
                process.kill()
                await process.wait()
        if out:
            out.close()


def ports_in_use(ports: Mapping[int, str]) -> list[str]:
    """One line per port of ``ports`` something already listens on, naming the process when known."""
    taken: list[str] = []
    listening = {
        conn.laddr.port: conn.pid
        for conn in _inet_connections()
        if conn.status == psutil.CONN_LISTEN and conn.laddr
    }
    for port, role in ports.items():
        if port not in listening:
            continue
        pid = listening[port]
        holder = "another process"
        if pid is not None:
            with contextlib.suppress(psutil.Error):
                holder = f"pid {pid} ({' '.join(psutil.Process(pid).cmdline())[:120]})"
        taken.append(f"port {port} ({role}) is in use by {holder}")
    return taken


def _inet_connections() -> list[Any]:
    try:
        return list(psutil.net_connections(kind="inet"))
    except psutil.AccessDenied:  # not root on some systems: fall back to names unknown
        return []


async def wait_until_ready(children: Mapping[str, Child], stop: asyncio.Event | None = None) -> bool:
    """Until Envoy reports the server healthy (its gRPC health check passed); False if ``stop`` came first.

    Raises:
        click.ClickException: a child exited first, or the stack is not ready in time.
    """
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if stop is not None and stop.is_set():
                return False
            for name, (process, log) in children.items():
                if process.returncode is not None:
                    raise click.ClickException(_exited(name, process, log, "during start-up"))
            with contextlib.suppress(httpx.HTTPError):
                stats = await client.get(f"{ENVOY_ADMIN}/stats?filter=company_batch_grpc.membership_healthy")
                if stats.text.strip().endswith(": 1"):
                    return True
            await asyncio.sleep(0.2)
    raise click.ClickException("the stack did not become ready in time")


def _exited(name: str, process: asyncio.subprocess.Process, log: Path | None, when: str) -> str:
    where = f"see {log}" if log is not None else "its output is above"
    return f"the {name} exited {when} with status {process.returncode} ({where})"


Child = tuple[asyncio.subprocess.Process, Path | None]
"""A child of the stack and the log it writes to (None: the terminal)."""


@asynccontextmanager
async def server_and_envoy(
    env: Mapping[str, str], logs: Path | None, stop: asyncio.Event | None = None
) -> AsyncIterator[dict[str, Child] | None]:
    """Server and Envoy, ready; yields them, or None when ``stop`` was set during start-up."""
    server_log = logs / "server.log" if logs else None
    envoy_log = logs / "envoy.log" if logs else None
    async with (
        child("server", [str(BIN / "python"), "-m", "server"], env, server_log) as server,
        child(
            "envoy",
            [str(BIN / "envoy"), "-c", "envoy.yaml", "--log-level", "warn", "--disable-hot-restart"],
            None,
            envoy_log,
        ) as envoy,
    ):
        children = {"server": (server, server_log), "envoy": (envoy, envoy_log)}
        ready = await wait_until_ready(children, stop)
        yield children if ready else None


async def first_exit(children: Mapping[str, Child], stop: asyncio.Event) -> str | None:
    """Waits for ``stop`` or for a child to exit; the exit's description, or None on ``stop``."""
    waits = {asyncio.ensure_future(process.wait()): name for name, (process, _) in children.items()}
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait([stopped, *waits], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (stopped, *waits):
            task.cancel()
    for task in done:
        if task in waits:
            name = waits[task]
            process, log = children[name]
            return _exited(name, process, log, "unexpectedly")
    return None


async def serve() -> None:
    taken = ports_in_use(SERVE_PORTS)
    if taken:
        raise click.ClickException(
            "cannot start: " + "; ".join(taken) + ". Is another `make serve` running? Stop it first."
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server_and_envoy({}, None, stop) as children:
        if children is None:
            click.echo("stopped during start-up")
            return
        click.echo(
            f"company-batch is up: REST and gRPC on {ENVOY_URL} (Envoy admin {ENVOY_ADMIN}). Ctrl-C stops it."
        )
        exited = await first_exit(children, stop)
        if exited is not None:
            raise click.ClickException(f"{exited}; stopping the stack")
        click.echo("stopping: draining in-flight companies...")


async def demo() -> None:
    taken = ports_in_use(
        {**SERVE_PORTS, DEMO_HTTP_PORT: "the sandbox web", DEMO_HTTPS_PORT: "the sandbox web"}
    )
    if taken:
        raise click.ClickException(
            "cannot start: " + "; ".join(taken) + ". Is `make serve` running? Stop it."
        )
    workdir = REPO_ROOT / "data" / "demo"
    workdir.mkdir(parents=True, exist_ok=True)
    demo_batch = json.loads((DEMO_CORPUS / "demo_batch.json").read_text())
    names: list[str] = demo_batch["company_names"]
    hints = [f"--hint={name}={domain}" for name, domain in demo_batch.get("domain_hints", {}).items()]
    sandbox_argv = [
        str(BIN / "python"),
        "-m",
        "sandbox",
        "--corpus",
        str(DEMO_CORPUS),
        "--http-port",
        str(DEMO_HTTP_PORT),
        "--https-port",
        str(DEMO_HTTPS_PORT),
    ]
    env_file = workdir / "sandbox.env"
    with env_file.open("wb") as out:
        sandbox = await asyncio.create_subprocess_exec(
            *sandbox_argv, cwd=REPO_ROOT, stdout=out, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    try:
        env = await _sandbox_environment(env_file, sandbox)
        env["COMPANY_BATCH_DATA_DIR"] = str(workdir)
        click.echo(f"sandbox web up (no internet); logs in {workdir}")
        async with server_and_envoy(env, workdir):
            submit = await asyncio.create_subprocess_exec(
                str(BIN / "companyctl"),
                "submit",
                *names,
                *hints,
                "--mode",
                "standard",
                "--max-concurrent",
                "5",
                "--timeout",
                "180",
                "--export-format",
                "csv",
                "--watch",
                cwd=REPO_ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            stdout, _ = await submit.communicate()
            batch = json.loads(stdout)
            batch_id = batch["batch_id"]
            async with httpx.AsyncClient(base_url=ENVOY_URL, timeout=30) as client:
                results = (await client.get(f"/api/v1/company/batch/{batch_id}/results")).json()["data"]
                for fmt, suffix in (("csv", "csv"), ("excel", "xlsx")):
                    export = await client.get(f"/api/v1/company/batch/{batch_id}/results?format={fmt}")
                    path = workdir / f"{batch_id}_results.{suffix}"
                    await asyncio.to_thread(path.write_bytes, export.content)
            _print_results(results)
            click.echo(f"\nExports: {workdir}/{batch_id}_results.csv and .xlsx")
    finally:
        sandbox.send_signal(signal.SIGTERM)
        await sandbox.wait()


async def _sandbox_environment(env_file: Path, sandbox: asyncio.subprocess.Process) -> dict[str, str]:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if sandbox.returncode is not None:
            raise click.ClickException("the sandbox web exited during start-up")
        lines = (await asyncio.to_thread(env_file.read_text)).splitlines()
        # The sandbox prints every variable at once; the CA file is the one that matters last.
        if any("SANDBOX_CA_FILE" in line for line in lines):
            await asyncio.sleep(0.2)
            lines = (await asyncio.to_thread(env_file.read_text)).splitlines()
            env = {}
            for line in lines:
                key, _, value = line.removeprefix("export ").partition("=")
                env[key] = value.strip("'")
            return env
        await asyncio.sleep(0.1)
    raise click.ClickException("the sandbox web did not start in time")


def _print_results(results: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{results['batch_id']}: {results['status']}")
    for column in ("company", "status", "domain", "industry", "employees", "headquarters", "error"):
        table.add_column(column)
    for row in results["results"]:  # type: ignore[attr-defined]
        data = row.get("data", {})
        hq = data.get("headquarters", {})
        table.add_row(
            row["company_name"],
            row["extraction_status"],
            data.get("domain", ""),
            data.get("industry", ""),
            data.get("employee_count", ""),
            ", ".join(v for v in (hq.get("city"), hq.get("country")) if v),
            _outcome_text(row),
        )
    Console().print(table)


def _outcome_text(row: dict[str, Any]) -> str:
    """A failure's type and its one-line message (with whether a retry may help), or the sources a
    profile was found without."""
    error = row.get("error")
    if isinstance(error, dict) and error.get("type"):
        again = " (retryable)" if error.get("retryable") else ""
        return f"{error['type']}{again}: {error.get('message', '')}"
    missing = row.get("data", {}).get("sources_unavailable")
    return f"found without {', '.join(missing)}" if missing else ""


@click.group()
def main() -> None:
    """Run the company-batch stack."""


@main.command("serve")
def serve_command() -> None:
    """Server + Envoy on http://localhost:8000 until Ctrl-C."""
    asyncio.run(serve())


@main.command("demo")
def demo_command() -> None:
    """The demo batch against the sandbox web, with live progress."""
    asyncio.run(demo())


if __name__ == "__main__":
    main()
