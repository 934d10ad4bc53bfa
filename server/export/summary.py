"""The results summary: industries, company sizes and countries counted over successful companies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.domain import CompanyOutcome, CompanyState, Profile, ResultsSummary

UNKNOWN = "Unknown"
"""Key under which a successful company is counted when the summarised value was not found."""

SIZE_SMALL = "1-50"
SIZE_MEDIUM = "51-200"
SIZE_LARGE = "201-1000"
SIZE_ENTERPRISE = "1000+"
SIZE_BUCKETS = (SIZE_SMALL, SIZE_MEDIUM, SIZE_LARGE, SIZE_ENTERPRISE)
"""The REST contract's ``company_sizes`` keys, smallest first."""

# The profile's employee ranges (profile.proto, employee_count) folded into the contract's coarser buckets.
EMPLOYEE_RANGE_TO_SIZE: dict[str, str] = {
    "1-10": SIZE_SMALL,
    "11-50": SIZE_SMALL,
    "51-200": SIZE_MEDIUM,
    "201-500": SIZE_LARGE,
    "501-1000": SIZE_LARGE,
    "1001-5000": SIZE_ENTERPRISE,
    "5001-10000": SIZE_ENTERPRISE,
    "10001+": SIZE_ENTERPRISE,
}

# Upper bound (inclusive) of each bucket, for exact employee counts.
_SIZE_UPPER_BOUNDS = ((50, SIZE_SMALL), (200, SIZE_MEDIUM), (1000, SIZE_LARGE))


def size_bucket(profile: Profile) -> str | None:
    """The contract's size bucket for a profile, or None when its size is unknown.

    The range (``employee_count``) wins over ``employee_count_exact`` because the extractor derives the
    range from the best source; the exact count is used only when no recognised range is present.
    """
    employee_range = _text(profile.get("employee_count"))
    if employee_range is not None:
        bucket = EMPLOYEE_RANGE_TO_SIZE.get(employee_range.replace(" ", ""))
        if bucket is not None:
            return bucket
    exact = profile.get("employee_count_exact")
    # bool is an int subclass; a True here would be a bug upstream, not a head count.
    if isinstance(exact, int) and not isinstance(exact, bool) and exact > 0:
        for upper, bucket in _SIZE_UPPER_BOUNDS:
            if exact <= upper:
                return bucket
        return SIZE_ENTERPRISE
    return None


def summarize(outcomes: Iterable[CompanyOutcome]) -> ResultsSummary:
    """Count industries, company sizes and countries over the successful outcomes.

    Only outcomes in state ``success`` with a profile are counted; failed and cancelled companies
    are left out entirely, so every map sums to the number of successful companies.

    Unknown values are counted under ``"Unknown"`` rather than dropped, so that the totals stay
    consistent with ``successful_extractions`` and a reader sees how much is missing:

    - ``industries``: the profile's ``sector``, else its ``industry``, else ``"Unknown"``.
    - ``company_sizes``: the bucket of ``employee_count`` (range), else of ``employee_count_exact``,
      else ``"Unknown"``. An unrecognised range string with no exact count is ``"Unknown"``.
    - ``countries``: ``headquarters.country``, else ``"Unknown"``.

    Keys are ordered by descending count, then alphabetically, except ``company_sizes`` which keeps
    the contract's bucket order (smallest first, ``"Unknown"`` last) and lists only buckets seen.
    """
    industries: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.state is not CompanyState.SUCCESS or outcome.profile is None:
            continue
        profile = outcome.profile
        industries[_text(profile.get("sector")) or _text(profile.get("industry")) or UNKNOWN] += 1
        sizes[size_bucket(profile) or UNKNOWN] += 1
        headquarters = profile.get("headquarters")
        country = _text(headquarters.get("country")) if isinstance(headquarters, dict) else None
        countries[country or UNKNOWN] += 1
    size_order = (*SIZE_BUCKETS, UNKNOWN)
    return ResultsSummary(
        industries=_by_count(industries),
        company_sizes={bucket: sizes[bucket] for bucket in size_order if sizes[bucket]},
        countries=_by_count(countries),
    )


def count_values(outcomes: Iterable[CompanyOutcome], field: str) -> dict[str, int]:
    """How many of the successful ``outcomes`` have each value of a text profile field (most first);
    those without one count as ``Unknown``."""
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.state is CompanyState.SUCCESS and outcome.profile is not None:
            counts[_text(outcome.profile.get(field)) or UNKNOWN] += 1
    return _by_count(counts)


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _text(value: Any) -> str | None:
    """A stripped non-empty string, or None for anything else (absent, blank, wrong type)."""
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None
