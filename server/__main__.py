"""``python -m server``: run the gRPC service until SIGTERM or SIGINT, then drain and stop."""

from __future__ import annotations

import asyncio
import gc
import signal

from server.app import running_service
from server.logs import configure_logging
from server.settings import Settings

FULL_COLLECTION_EVERY = 100
"""Collections of the middle generation between two full ones (Python's default: 10). With 1,000
watchers on one batch a full collection walked ~120,000 live objects of the open streams, stopping the
event loop 70-120 ms, every 2-3 s; cyclic garbage is still found by the younger collections, and what
reached the oldest generation waits ten times longer."""


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_service(settings) as service:
        print(f"company-batch gRPC listening on {service.grpc_target}", flush=True)
        settle_garbage_collector()
        await stop.wait()


def settle_garbage_collector() -> None:
    """Tune the garbage collector for a long-running server whose event loop must not stop for long.

    What start-up built (modules, parsers' tables, the stubs: some 200,000 objects) lives as long as the
    process; frozen, a full collection no longer walks it. Unfrozen, each full collection stopped the
    event loop for 0.1-0.4 s in the middle of a fan-out to 1,000 watchers. What the open calls hold
    (a thousand watch streams are some 120,000 coroutines, contexts and buffers) cannot be frozen, so
    full collections are made rarer instead (``FULL_COLLECTION_EVERY``).
    """
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
