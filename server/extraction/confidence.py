"""How sure the merged profile is of each value: agreeing independent signals raise it, rivals lower it.

A finding's own confidence says how far its way of reading is trusted (``sources.website.CONFIDENCE``,
each knowledge source's constant). Findings that state the same value are witnesses; two of them are
independent when they differ in source or in the way they read (JSON-LD and the copyright line of one
site are two signals, the same footer link on five pages is one). Independent witnesses combine as
``1 - prod(1 - c)``.

A field has one true value, so groups stating different values are rival hypotheses: the winner's
confidence is the chance that it alone is right given that at most one is, ``c_w prod(1 - c_r)`` over
``prod(1 - c_i) + sum_i c_i prod_{j != i}(1 - c_j)``. An uncontested value keeps its combined confidence;
a value a strong rival contradicts falls well below it. ``make eval`` prints how this calibrates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from server.extraction.sources.base import Finding

CERTAINTY_CAP = 0.999  # no group is certain: keeps two "certain" rivals from dividing by zero


def witness_of(finding: Finding) -> tuple[str, str]:
    """What makes a finding an independent signal: its source and the family of its method (the method's
    first word: "json-ld", "opengraph", "copyright", "submissions", "wikidata", ...)."""
    method = finding.method.split(" ", 1)[0] if finding.method else ""
    return finding.source, method


def combined(members: Iterable[Finding]) -> float:
    """Confidence of one value from the findings that state it: one best finding per witness."""
    best: dict[tuple[str, str], float] = {}
    for finding in members:
        key = witness_of(finding)
        best[key] = max(best.get(key, 0.0), finding.confidence)
    doubt = 1.0
    for confidence in best.values():
        doubt *= 1.0 - confidence
    return min(1.0 - doubt, 1.0)


def contested(winner: float, rivals: Sequence[float]) -> float:
    """The winner's confidence once rival values of the same field are weighed (see the module doc)."""
    if not rivals:
        return winner
    groups = [min(winner, CERTAINTY_CAP), *(min(rival, CERTAINTY_CAP) for rival in rivals)]
    none_true = 1.0
    for confidence in groups:
        none_true *= 1.0 - confidence
    only = [confidence * none_true / (1.0 - confidence) for confidence in groups]
    at_most_one = none_true + sum(only)
    return only[0] / at_most_one if at_most_one > 0 else 0.0
