"""The sandbox web in a child process, so serving pages never competes with the extractor's event loop.

The sandbox stands in for remote web sites; in the benchmark's own process its request handling would
share the event loop (and the GIL) with the extraction being measured and charge its CPU to it.
``python -m bench.sandbox_process --latency S`` prints one JSON line of ``Settings`` overrides once it
serves, then runs until its standard input closes; each ``requests`` line it reads there is answered with
one JSON line of the requests it has answered so far, per site host (``SandboxChild.requests_by_host``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sandbox.web import SandboxWeb

CORPUS_DIR = Path(__file__).resolve().parents[1] / "sandbox" / "corpus"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
REQUESTS_COMMAND = b"requests\n"


@dataclass(frozen=True)
class SandboxChild:
    """The running child: the ``Settings`` overrides that point an extractor at it, and its counts."""

    overrides: dict[str, Any]
    process: asyncio.subprocess.Process

    async def requests_by_host(self) -> dict[str, int]:
        """Requests the sandbox web has answered so far, per site host (its own count)."""
        assert self.process.stdin is not None and self.process.stdout is not None  # both are pipes
        self.process.stdin.write(REQUESTS_COMMAND)
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), START_TIMEOUT_SECONDS)
        counts: dict[str, int] = json.loads(line)
        return counts


@asynccontextmanager
async def sandbox_in_child_process(latency: float) -> AsyncIterator[SandboxChild]:
    """Start the child; yields it, with the ``Settings`` overrides that point an extractor at it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.sandbox_process",
        "--latency",
        str(latency),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(CORPUS_DIR.parents[1]),
    )
    assert process.stdin is not None and process.stdout is not None  # both are pipes
    try:
        line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT_SECONDS)
        if not line:
            raise RuntimeError(f"sandbox process exited with {await process.wait()} before serving")
        yield SandboxChild(json.loads(line), process)
    finally:
        process.stdin.close()  # the child's cue to stop
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _serve(latency: float) -> None:
    async with SandboxWeb(CORPUS_DIR, latency=latency) as web:
        overrides = {
            key: str(value) if isinstance(value, Path) else value
            for key, value in web.settings_overrides().items()
        }
        sys.stdout.write(json.dumps(overrides) + "\n")
        sys.stdout.flush()
        loop = asyncio.get_running_loop()
        # Reading stdin in a thread: the parent closing the pipe (or dying) stops the sandbox.
        while command := await loop.run_in_executor(None, sys.stdin.buffer.readline):
            if command == REQUESTS_COMMAND:
                sys.stdout.write(json.dumps(web.requests_by_host) + "\n")
                sys.stdout.flush()


@click.command()
@click.option(
    "--latency", type=float, default=0.0, show_default=True, help="Seconds added to every response."
)
def main(latency: float) -> None:
    """Serve the corpus until standard input closes."""
    asyncio.run(_serve(latency))


if __name__ == "__main__":
    main()
