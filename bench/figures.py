"""Figures of one benchmark run: rows measured against targets, latency summaries, and their JSON form."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

MEETS = "meets"
MISSES = "misses"
P95_QUANTILE_INDEX = 94  # statistics.quantiles(n=100) returns the 1st..99th percentiles


@dataclass(frozen=True)
class LatencySummary:
    """Median and 95th percentile of one set of latencies, in milliseconds."""

    count: int
    median_ms: float
    p95_ms: float

    @classmethod
    def of_seconds(cls, samples: Sequence[float]) -> LatencySummary:
        """Summarise latencies given in seconds."""
        if not samples:
            raise ValueError("no samples to summarise")
        millis = [sample * 1000.0 for sample in samples]
        return cls(len(millis), statistics.median(millis), percentile_95(millis))


def percentile_95(values: Sequence[float]) -> float:
    """The 95th percentile (inclusive method, so it never exceeds the largest value)."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[P95_QUANTILE_INDEX]


@dataclass(frozen=True)
class Row:
    """One measured figure against its target (the figure must stay below the target).

    ``details`` holds the numbers the figure was computed from; ``notes`` say how it was measured.
    """

    key: str
    title: str
    measured: float
    target: float
    unit: str
    details: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        """Measured over target: below 1 meets the target."""
        return self.measured / self.target

    @property
    def verdict(self) -> str:
        return MEETS if self.measured < self.target else MISSES

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["ratio"] = self.ratio
        data["verdict"] = self.verdict
        return data
