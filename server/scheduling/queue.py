"""Which batch's next company a free worker starts: priority with aging, FIFO within a level.

A batch's effective level is its priority rank (low 0 .. urgent 3) plus one level per ``aging_seconds`` it
has been waiting (since submit, or since resume), capped at urgent. Among ready batches the highest
effective level wins, then the earliest ``waiting_since`` (FIFO by submit time), then submit order.

Starvation bound: a low batch reaches the urgent level after ``3 * aging_seconds`` (normal after 2x, high
after 1x). From then on it competes as urgent and wins against every batch submitted after it, so behind
a continuous stream of newer higher-priority batches it waits at most ~``3 * aging_seconds`` plus the time
for a worker to free up; only batches that were already waiting before it can still go first.

The queue holds batches, not companies: a batch of 100 companies is one entry, and picking is a linear
scan over live batches. Effective levels change with time, so a heap would need re-keying on every tick;
a scan over the (few hundred at most) live batches is simpler and cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from server.domain import Priority

MAX_LEVEL = Priority.URGENT.rank

Clock = Callable[[], float]
"""Monotonic seconds; injected so tests can move time without sleeping."""


class Schedulable(Protocol):
    """What the queue needs to know about a batch."""

    @property
    def priority(self) -> Priority: ...

    @property
    def waiting_since(self) -> float: ...

    @property
    def submit_seq(self) -> int: ...

    @property
    def ready(self) -> bool:
        """True when the batch may start another company right now."""
        ...

    @property
    def has_waiting_work(self) -> bool:
        """True when the batch still has companies to start (even if it is at its concurrency limit)."""
        ...


T = TypeVar("T", bound=Schedulable)


def effective_level(item: Schedulable, now: float, aging_seconds: float) -> int:
    """The item's priority rank raised by one level per ``aging_seconds`` waited, capped at urgent."""
    waited = max(0.0, now - item.waiting_since)
    return min(MAX_LEVEL, item.priority.rank + int(waited // aging_seconds))


class BatchQueue(Generic[T]):
    """The live batches and the order in which they get workers."""

    def __init__(self, aging_seconds: float, clock: Clock) -> None:
        if aging_seconds <= 0:
            raise ValueError("aging_seconds must be positive")
        self.aging_seconds = aging_seconds
        self.clock = clock
        self._items: dict[int, T] = {}

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[T]:
        return list(self._items.values())

    def add(self, item: T) -> None:
        self._items[item.submit_seq] = item

    def discard(self, item: T) -> None:
        self._items.pop(item.submit_seq, None)

    def sort_key(self, item: T, now: float) -> tuple[int, float, int]:
        return (-effective_level(item, now, self.aging_seconds), item.waiting_since, item.submit_seq)

    def pick(self) -> T | None:
        """The ready batch that should start a company next, or None."""
        now = self.clock()
        best: T | None = None
        best_key: tuple[int, float, int] | None = None
        for item in self._items.values():
            if not item.ready:
                continue
            key = self.sort_key(item, now)
            if best_key is None or key < best_key:
                best, best_key = item, key
        return best

    def waiting_in_order(self) -> list[T]:
        """The batches with waiting work, in the order the queue would serve them now."""
        now = self.clock()
        waiting = [item for item in self._items.values() if item.has_waiting_work]
        return sorted(waiting, key=lambda item: self.sort_key(item, now))

    def ahead_of(self, item: T) -> list[T]:
        """Batches with waiting work that the queue would serve before ``item``."""
        now = self.clock()
        mine = self.sort_key(item, now)
        return [
            other
            for other in self._items.values()
            if other is not item and other.has_waiting_work and self.sort_key(other, now) < mine
        ]
