"""A circuit breaker per knowledge-source host: a host that keeps failing is skipped for a cool-down.

After ``threshold`` failed requests in a row (each after its retries) the host's circuit opens: for
``cooldown_seconds`` every request to it fails at once with ``CircuitOpenError`` (the source is
``skipped``) instead of costing every company its timeouts and retries. Then one request is let through
(half-open): its success closes the circuit, its failure opens it for another cool-down. Only failures
that say the host is down or refusing for now count (``FetchError.transient``); a 404 is an answer.

Hand-written rather than a library's because the libraries (purgatory, pybreaker) read the wall clock,
and the cool-down must be testable without waiting: the clock is injected.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

from server import metrics
from server.domain import SourceCircuit
from server.errors import CircuitOpenError


class CircuitState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class _Circuit:
    failures: int = 0  # in a row
    opened_at: float | None = None
    trial: bool = False  # the one request of a half-open circuit is under way
    opened_times: int = 0


class CircuitBreakers:
    """Every knowledge-source host's circuit; one per fetcher (so per server). ``close()`` when done."""

    def __init__(
        self, threshold: int, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._threshold = threshold
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}
        _ACTIVE.append(self)

    def close(self) -> None:
        """Stop reporting these circuits (GetStats, metrics)."""
        if self in _ACTIVE:
            _ACTIVE.remove(self)

    def state(self, host: str) -> CircuitState:
        circuit = self._circuits.get(host)
        if circuit is None or circuit.opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - circuit.opened_at < self._cooldown:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def before(self, host: str) -> None:
        """Let a request to ``host`` go, or raise ``CircuitOpenError`` while it cools down."""
        circuit = self._circuits.get(host)
        state = self.state(host)
        if circuit is None or state is CircuitState.CLOSED:
            return
        if state is CircuitState.HALF_OPEN and not circuit.trial:
            circuit.trial = True
            return
        retry_in = max(0.0, (circuit.opened_at or 0.0) + self._cooldown - self._clock())
        raise CircuitOpenError(
            f"Skipped {host}: cooling down after {circuit.failures} failures in a row",
            details=f"next try in {retry_in:.0f} s",
        )

    def succeeded(self, host: str) -> None:
        circuit = self._circuits.get(host)
        if circuit is None:
            return
        was_open = circuit.opened_at is not None
        circuit.failures, circuit.opened_at, circuit.trial = 0, None, False
        if was_open:
            metrics.CIRCUIT_TRANSITIONS.labels(host, CircuitState.CLOSED.value).inc()

    def failed(self, host: str) -> None:
        circuit = self._circuits.setdefault(host, _Circuit())
        circuit.failures += 1
        if circuit.trial or (circuit.opened_at is None and circuit.failures >= self._threshold):
            circuit.opened_at, circuit.trial = self._clock(), False
            circuit.opened_times += 1
            metrics.CIRCUIT_TRANSITIONS.labels(host, CircuitState.OPEN.value).inc()

    def views(self) -> list[SourceCircuit]:
        """Every host that failed at least once since its last success, by host."""
        now = self._clock()
        found = []
        for host, circuit in sorted(self._circuits.items()):
            if circuit.failures == 0 and circuit.opened_at is None:
                continue
            state = self.state(host)
            opened_at = circuit.opened_at or 0.0
            retry_in = opened_at + self._cooldown - now if state is CircuitState.OPEN else 0.0
            found.append(
                SourceCircuit(host, state.value, circuit.failures, circuit.opened_times, round(retry_in, 1))
            )
        return found


_ACTIVE: list[CircuitBreakers] = []  # the process's breakers (one per live fetcher)


def all_circuits() -> tuple[SourceCircuit, ...]:
    """Every live fetcher's circuits that have failed, by host: what GetStats and the metrics show."""
    return tuple(sorted((view for breakers in _ACTIVE for view in breakers.views()), key=lambda v: v.host))


metrics.watch_circuits(lambda: [(view.host, view.state) for view in all_circuits()])
