"""``python -m server``: run the gRPC service until SIGTERM or SIGINT, then drain and stop."""

from __future__ import annotations

import asyncio
import gc
import signal

from server.app import running_service
from server.logs import configure_logging
from server.settings import Settings


async def serve(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running_service(settings) as service:
        print(f"company-batch gRPC listening on {service.grpc_target}", flush=True)
        # What start-up built (modules, parsers' tables, the stubs: some 200,000 objects) lives as long
        # as the process; frozen, a full collection no longer walks it. Unfrozen, each full collection
        # stopped the event loop for 0.1-0.4 s in the middle of a fan-out to 1,000 watchers.
        gc.freeze()
        await stop.wait()


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
