"""``python -m probe [--quick] [NAME ...]``: runs the probes and prints tried / held / failed.

Each probe is a module of this package with ``async def run(quick: bool) -> list[ProbeRow]``, listed in
``PROBES``. Exit status 1 when any case failed.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

import click

from probe.base import ProbeRow, render

PROBES: tuple[str, ...] = ("malformed", "schema", "watchers", "kill9")
"""Module names under ``probe``, in the order they run."""


async def _run(names: tuple[str, ...], quick: bool) -> list[ProbeRow]:
    rows: list[ProbeRow] = []
    for name in names:
        module = importlib.import_module(f"probe.{name}")
        rows += await module.run(quick)
    return rows


@click.command()
@click.option("--quick", is_flag=True, help="Small counts: a smoke run of every probe.")
@click.argument("names", nargs=-1, type=click.Choice(PROBES))
def main(quick: bool, names: tuple[str, ...]) -> None:
    """Run the probes NAMES (default: all) against real servers on loopback and print the table."""
    rows = asyncio.run(_run(names or PROBES, quick))
    click.echo(render(rows))
    sys.exit(1 if any(row.failed for row in rows) else 0)


if __name__ == "__main__":
    main()
