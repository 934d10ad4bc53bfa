"""``python -m sandbox``: run the sandbox web standalone; print the env pointing the service at it."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import click

from sandbox.web import SandboxWeb

ENV_PREFIX = "COMPANY_BATCH_"


def environment_for(overrides: dict[str, Any]) -> dict[str, str]:
    """``Settings`` overrides as ``COMPANY_BATCH_*`` variables (lists as JSON, as pydantic reads them)."""
    env = {}
    for key, value in overrides.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        env[ENV_PREFIX + key.upper()] = text
    return env


async def _serve(corpus: Path, host: str, http_port: int, https_port: int, latency: float) -> None:
    async with SandboxWeb(
        corpus, host=host, http_port=http_port, https_port=https_port, latency=latency
    ) as web:
        for name, value in environment_for(web.settings_overrides()).items():
            click.echo(f"export {name}='{value}'")
        click.echo(f"# sandbox web serving {len(web.hostnames)} hosts; Ctrl-C to stop", err=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


@click.command()
@click.option(
    "--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("sandbox/corpus")
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--http-port", type=int, default=18080, show_default=True)
@click.option("--https-port", type=int, default=18443, show_default=True)
@click.option(
    "--latency", type=float, default=0.0, show_default=True, help="Seconds added to every response."
)
def main(corpus: Path, host: str, http_port: int, https_port: int, latency: float) -> None:
    """Serve the corpus sites for any hostname over HTTP and HTTPS."""
    asyncio.run(_serve(corpus, host, http_port, https_port, latency))


if __name__ == "__main__":
    main()
