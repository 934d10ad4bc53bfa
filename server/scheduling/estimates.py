"""How long companies and batches will take, learnt from observed company durations.

Per extraction mode the expected company duration is a smoothed mean of the most recent observations,
pulled towards a prior: ``(PRIOR_WEIGHT * prior + sum(recent)) / (PRIOR_WEIGHT + len(recent))``. With no
data the estimate is the prior; as observations accumulate they dominate. The window is seeded from the
store's history at start, so a restart does not forget what the service has learnt.

Priors (seconds per company), chosen from what each mode fetches: ``basic`` reads the home page (8 s),
``standard`` adds about/contact pages (20 s), ``contact_focused`` and ``financial_focused`` add targeted
pages and sources (25 s, 30 s), ``comprehensive`` reads everything (60 s).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from server.domain import ExtractionMode

MODE_PRIORS_SECONDS: Mapping[ExtractionMode, float] = {
    ExtractionMode.BASIC: 8.0,
    ExtractionMode.STANDARD: 20.0,
    ExtractionMode.CONTACT_FOCUSED: 25.0,
    ExtractionMode.FINANCIAL_FOCUSED: 30.0,
    ExtractionMode.COMPREHENSIVE: 60.0,
}
PRIOR_WEIGHT = 2.0
"""How many observations the prior is worth."""
WINDOW_SIZE = 200
"""Observations kept per mode: recent enough to follow change, large enough to be stable."""


class DurationModel:
    """Expected seconds per company, per extraction mode."""

    def __init__(self, window: int = WINDOW_SIZE) -> None:
        self._recent: dict[ExtractionMode, deque[float]] = {
            mode: deque(maxlen=window) for mode in ExtractionMode
        }
        self._sums: dict[ExtractionMode, float] = dict.fromkeys(ExtractionMode, 0.0)

    def seed(self, history: Mapping[str, Iterable[float]]) -> None:
        """Load stored durations (by mode name); unknown mode names are skipped."""
        for name, durations in history.items():
            try:
                mode = ExtractionMode(name)
            except ValueError:
                continue
            for seconds in durations:
                self.observe(mode, seconds)

    def observe(self, mode: ExtractionMode, seconds: float) -> None:
        """Record one company's duration."""
        recent = self._recent[mode]
        if len(recent) == recent.maxlen:
            self._sums[mode] -= recent[0]
        recent.append(max(0.0, seconds))
        self._sums[mode] += recent[-1]

    def company_seconds(self, mode: ExtractionMode) -> float:
        """Expected duration of one company in this mode."""
        count = len(self._recent[mode])
        return (PRIOR_WEIGHT * MODE_PRIORS_SECONDS[mode] + self._sums[mode]) / (PRIOR_WEIGHT + count)


@dataclass(frozen=True)
class QueuedWork:
    """A batch ahead in the queue: companies still to do, its concurrency cap, its seconds per company."""

    remaining: int
    max_concurrent: int
    company_seconds: float


def batch_seconds(
    remaining: int,
    company_seconds: float,
    max_concurrent: int,
    workers: int,
    ahead: Iterable[QueuedWork] = (),
) -> float:
    """Seconds until a batch with ``remaining`` companies is done.

    Work ahead takes up to ``min(max_concurrent, remaining)`` workers per batch. If workers are left over,
    this batch starts at once on what is left; otherwise it waits until the pool has drained the work
    ahead (total work / pool size) and then runs at its own concurrency. Its own time is in waves of
    ``lanes`` companies, since a batch's companies cannot run faster than its concurrency allows.
    """
    if remaining <= 0:
        return 0.0
    ahead = list(ahead)
    busy = sum(min(work.max_concurrent, work.remaining) for work in ahead)
    free = workers - busy
    lanes = max(1, min(max_concurrent, workers, remaining))
    wait = 0.0
    if free >= 1:
        lanes = min(lanes, free)
    else:
        wait = sum(work.remaining * work.company_seconds for work in ahead) / workers
    return wait + math.ceil(remaining / lanes) * company_seconds
