"""What one probe reports: how many hostile cases it tried, how many held, and examples of the rest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_EXAMPLES = 5
"""Failures quoted per row; the count says how many there were in all."""


@dataclass
class ProbeRow:
    """One line of the probe table: a kind of hostile input and what became of it."""

    name: str
    tried: int = 0
    held: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.tried - self.held

    def record(self, held: bool, example: str = "") -> None:
        """Count one case; a failure keeps its description while fewer than ``MAX_EXAMPLES`` are kept."""
        self.tried += 1
        if held:
            self.held += 1
        elif len(self.examples) < MAX_EXAMPLES:
            self.examples.append(example)


Probe = Callable[[bool], Awaitable[list[ProbeRow]]]
"""A probe module's ``run(quick)``: ``quick`` shrinks the counts for a smoke run."""


def render(rows: list[ProbeRow]) -> str:
    """The rows as a text table, failures' examples under their row."""
    lines = [f"{'probe':<48}{'tried':>8}{'held':>8}{'failed':>8}"]
    for row in rows:
        lines.append(f"{row.name:<48}{row.tried:>8}{row.held:>8}{row.failed:>8}")
        lines.extend(f"    {example}" for example in row.examples)
    return "\n".join(lines)
