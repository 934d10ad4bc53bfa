"""``make serve``'s guards: a port already taken is named with its process, a child's death is noticed."""

from __future__ import annotations

import asyncio
import os
import socket
import sys

from server.devstack import first_exit, ports_in_use


def test_a_port_in_use_is_named_with_the_process_that_holds_it() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        taken = ports_in_use({port: "the gRPC server"})
    assert len(taken) == 1
    assert taken[0].startswith(f"port {port} (the gRPC server) is in use by pid {os.getpid()} (")
    assert ports_in_use({port: "the gRPC server"}) == []  # closed again


async def test_a_child_that_dies_is_reported_rather_than_waited_on_forever() -> None:
    quick = await asyncio.create_subprocess_exec(sys.executable, "-c", "raise SystemExit(3)")
    lasting = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(60)")
    try:
        exited = await first_exit({"server": (quick, None), "envoy": (lasting, None)}, asyncio.Event())
    finally:
        lasting.kill()
        await lasting.wait()
    assert exited == "the server exited unexpectedly with status 3 (its output is above)"


async def test_stop_ends_the_wait_without_a_report() -> None:
    lasting = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(60)")
    stop = asyncio.Event()
    stop.set()
    try:
        assert await first_exit({"server": (lasting, None)}, stop) is None
    finally:
        lasting.kill()
        await lasting.wait()
