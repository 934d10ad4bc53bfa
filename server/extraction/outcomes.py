"""What each source answered for the company being extracted, and what that makes of its outcome.

``run_extraction`` opens a ``SourceReport`` per company (``collecting``); the fetcher records every call
made for a named source into it (``record``), so sources do not have to. The report then decides:

- a company no candidate verified is "not found" (``CompanyAnalysisError``) only when every source
  asked answered; if one could not be reached it is ``SourceUnavailableError``, if every one that did
  not answer refused us, ``BlockedError`` (``failure_for_not_found``);
- a profile found while some source was down lists those sources (``sources_unavailable``), and the
  cache keeps it for a shorter time;
- every failure carries the list (``outcomes``), whatever its type (a timeout included).

The report also holds the company's deadline, so that the fetcher never waits to retry past it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from server.domain import SourceOutcome, SourceState
from server.errors import (
    BlockedError,
    CompanyAnalysisError,
    ExtractionError,
    FetchError,
    HostNotFoundError,
    SourceUnavailableError,
)

MAX_REASON_CHARS = 200
MAX_NAMED = 5  # sources a failure's one-line message names (its ``sources`` list has them all)
# Which answer of a source asked several times tells most: a failure outranks an answer.
_RANK = {
    SourceState.NOT_FOUND: 0,
    SourceState.OK: 1,
    SourceState.SKIPPED: 2,
    SourceState.BLOCKED: 3,
    SourceState.UNAVAILABLE: 4,
}
_NOT_ANSWERED = frozenset({SourceState.UNAVAILABLE, SourceState.BLOCKED, SourceState.SKIPPED})


class SourceReport:
    """The per-source outcomes of one company, in the order the sources were first asked."""

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline  # event-loop time the company's timeout ends, if any
        self._outcomes: dict[str, SourceOutcome] = {}
        self._knowledge: set[str] = set()  # sources on hosts that exist (APIs), not guessed sites

    def record(
        self,
        source: str,
        state: SourceState,
        reason: str = "",
        *,
        transient: bool = False,
        known_host: bool = False,
    ) -> None:
        """One answer of ``source``; of several, the most telling is kept (a failure over an answer)."""
        if known_host:
            self._knowledge.add(source)
        seen = self._outcomes.get(source)
        if seen is not None and _RANK[seen.outcome] >= _RANK[state]:
            return
        self._outcomes[source] = SourceOutcome(source, state, reason[:MAX_REASON_CHARS], transient)

    def record_error(self, source: str, error: FetchError, *, known_host: bool) -> None:
        """A failed call. ``known_host``: the host must exist (a knowledge-source API), so a name that
        does not resolve means the network is down, not that nothing is there."""
        state = error.state
        transient = error.transient
        if known_host and isinstance(error, HostNotFoundError):
            state, transient = SourceState.UNAVAILABLE, True
        self.record(source, state, _reason(error), transient=transient, known_host=known_host)

    @property
    def outcomes(self) -> tuple[SourceOutcome, ...]:
        return tuple(self._outcomes.values())

    def not_answered(self) -> list[SourceOutcome]:
        """Sources that were asked and gave no answer (down, refusing, cooling down)."""
        return [o for o in self._outcomes.values() if o.outcome in _NOT_ANSWERED]

    def unavailable_sources(self) -> list[str]:
        """Sources whose missing answer may come later (down, rate limited, cooling down): what a
        profile lists as ``sources_unavailable``."""
        return [o.source for o in self.not_answered() if o.transient]

    def remaining_seconds(self) -> float | None:
        if self.deadline is None:
            return None
        return self.deadline - asyncio.get_running_loop().time()

    def failure_for_not_found(self, error: CompanyAnalysisError) -> ExtractionError:
        """What "no candidate verified" means given what the sources answered (see the module doc)."""
        silent = self.not_answered()
        if not silent:
            return CompanyAnalysisError(error.message, error.details, self.outcomes)
        names = ", ".join(o.source for o in silent[:MAX_NAMED])
        if len(silent) > MAX_NAMED:
            names += f" and {len(silent) - MAX_NAMED} more"
        cause = silent[0].reason
        if all(o.outcome is SourceState.BLOCKED for o in silent):
            return BlockedError(f"Refused by {names}: {cause}", error.details, self.outcomes)
        knowledge = [self._outcomes[name] for name in self._knowledge]
        offline = knowledge and not any(o.outcome.answered for o in knowledge)
        if offline and not any(o.outcome is SourceState.OK for o in self._outcomes.values()):
            # No directory of the web answered, nor any site: the network, not the company.
            message = f"The web could not be reached: {names} did not answer ({cause})"
        else:
            message = f"Sources could not be reached: {names} ({cause})"
        return SourceUnavailableError(message, error.details, self.outcomes)


def _reason(error: FetchError) -> str:
    return f"{error.message} ({error.details})" if error.details else error.message


_CURRENT: contextvars.ContextVar[SourceReport | None] = contextvars.ContextVar("source_report", default=None)


@contextmanager
def collecting(timeout_seconds: float | None = None) -> Iterator[SourceReport]:
    """A fresh report for the company extracted inside the block (and every task it starts)."""
    deadline = None if timeout_seconds is None else asyncio.get_running_loop().time() + timeout_seconds
    report = SourceReport(deadline)
    token = _CURRENT.set(report)
    try:
        yield report
    finally:
        _CURRENT.reset(token)


def current() -> SourceReport | None:
    """The report of the company being extracted, or None outside an extraction (a tool, a unit test)."""
    return _CURRENT.get()
