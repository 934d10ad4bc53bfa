"""Group commit: the calls made while a round is in flight go together in the next round."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from server.storage.coalesce import Coalescer


class Recorder:
    """A ``run_many`` that records its rounds and holds each one until released."""

    def __init__(self) -> None:
        self.rounds: list[list[int]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.fail_with: Exception | None = None

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.rounds.append(list(items))
        self.started.set()
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return [item * 10 for item in items]


async def test_the_first_call_goes_alone_and_the_calls_made_meanwhile_share_the_next_round() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder)
    first = asyncio.create_task(coalescer.submit(1))
    await recorder.started.wait()
    later = [asyncio.create_task(coalescer.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await first == 10
    assert [await task for task in later] == [20, 30, 40]
    assert recorder.rounds == [[1], [2, 3, 4]]


async def test_an_idle_coalescer_sends_a_call_at_once() -> None:
    recorder = Recorder()
    recorder.release.set()
    coalescer = Coalescer(recorder)
    assert await coalescer.submit(5) == 50
    assert await coalescer.submit(6) == 60
    assert recorder.rounds == [[5], [6]]


async def test_a_failed_round_fails_its_callers_only() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder)
    recorder.fail_with = RuntimeError("store down")
    first = asyncio.create_task(coalescer.submit(1))
    await recorder.started.wait()
    second = asyncio.create_task(coalescer.submit(2))
    await asyncio.sleep(0)
    recorder.release.set()
    with pytest.raises(RuntimeError, match="store down"):
        await first
    with pytest.raises(RuntimeError, match="store down"):
        await second
    recorder.fail_with = None
    assert await coalescer.submit(3) == 30  # the next round runs again


async def test_closing_cancels_the_callers_still_waiting() -> None:
    recorder = Recorder()
    coalescer = Coalescer(recorder)
    waiting = asyncio.create_task(coalescer.submit(1))
    await recorder.started.wait()
    await coalescer.aclose()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_a_round_answering_for_the_wrong_number_of_calls_fails_them_instead_of_hanging() -> None:
    async def short(items: Sequence[int]) -> list[int]:
        return list(items)[:-1]

    coalescer = Coalescer(short)
    with pytest.raises(RuntimeError, match="0 results for 1 calls"):
        async with asyncio.timeout(5):
            await coalescer.submit(1)
