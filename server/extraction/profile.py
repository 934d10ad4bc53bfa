"""Merges every source's findings into one profile in the JSON shape of ``company.v1.CompanyProfile``.

For each field the candidate values are grouped by what they mean (case, spacing and number format
aside); a group's confidence combines its independent witnesses (``server.extraction.confidence``: one
best finding per source and way of reading), so agreement raises confidence and a lone weak statement
stays weak. The most confident group wins; ties go to the source of lowest
``precedence`` (each source declares its own: ``server.extraction.sources.registry``).
A winning text in capitals (a register's) is shown as an agreeing source prints it, when one does.
The winner's provenance (source, URL, retrieved at, method, evidence) is recorded with its confidence,
lowered when rival values of an exclusive field contradict it. A list field has one provenance entry per
item (``contacts.phones[1]``) and one for the list (its first item, with the least confidence of any).
The domain and website carry the match confidence: how sure we are that this is the company's site.

``match_confidence`` (``server.extraction.match``) says how sure we are that the domain is the named
company's; the candidates resolution weighed are listed beside it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from server.domain import ExtractionRequest, Profile
from server.extraction.confidence import combined, contested
from server.extraction.match import match_confidence
from server.extraction.modes import ModePlan
from server.extraction.normalize import employee_range_for
from server.extraction.resolve import Resolution
from server.extraction.sectors import sector_for
from server.extraction.sources.base import Finding
from server.extraction.sources.registry import precedence_of

RESOLUTION_SOURCE = "resolution"
SOCIAL_PREFIX = "social_profiles."
MONEY_FIELDS = ("revenue", "net_income", "market_cap", "total_assets", "valuation", "funding_raised")
# List fields and how two items are recognised as the same.
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "contacts.emails": ("address",),
    "contacts.phones": ("number",),
    "contacts.addresses": ("label", "city"),
    "people": ("name", "role"),
    "aliases": (),
    "subsidiaries": (),
    "locations": ("city", "country_code"),
    "financial_data.funding_rounds": ("accession_number",),
}
CONFIDENCE_DIGITS = 3
# Fields whose differing values can all be right (two wordings of one description or industry): their
# groups are not rivals.
NON_EXCLUSIVE_FIELDS = frozenset({"description", "industry"})


def rfc3339(moment: datetime) -> str:
    """``2025-01-15T10:30:00.123456Z``: the form protobuf JSON reads for a Timestamp."""
    return moment.isoformat().replace("+00:00", "Z")


def provenance_of(finding: Finding, confidence: float | None = None) -> dict[str, Any]:
    """A ``FieldProvenance`` dict for a finding."""
    return {
        "source": finding.source,
        "url": finding.url,
        "retrieved_at": rfc3339(finding.retrieved_at),
        "method": finding.method,
        "confidence": round(finding.confidence if confidence is None else confidence, CONFIDENCE_DIGITS),
        **({"evidence": finding.evidence} if finding.evidence else {}),
    }


def value_key(value: Any) -> Any:
    """What a value means, for grouping agreeing findings: text case/spacing and number format aside."""
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip().casefold()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)  # years and head counts agree only when equal
    if isinstance(value, float):
        return float(f"{value:.6g}")  # the same figure rounded differently by two sources
    if isinstance(value, dict):
        if "amount" in value:  # a money figure: same kind, currency, period and ~amount
            return ("money", value.get("currency"), value.get("period"), float(f"{value['amount']:.3g}"))
        if "city" in value or "country_code" in value:  # an address: same city in the same country
            return ("place", value_key(value.get("city", "")), value.get("country_code"))
        return tuple(sorted((k, value_key(v)) for k, v in value.items()))
    return repr(value)


def choose(findings: list[Finding]) -> tuple[Any, Finding, float] | None:
    """The best value of one field: (value, finding to cite, combined confidence)."""
    groups: dict[Any, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[value_key(finding.value)].append(finding)
    scored = []
    for members in groups.values():
        ordered = sorted(members, key=lambda f: (-f.confidence, precedence_of(f.source)))
        scored.append((combined(members), -precedence_of(ordered[0].source), ordered))
    if not scored:
        return None
    confidence, _, ordered = max(scored, key=lambda item: (item[0], item[1]))
    value = ordered[0].value
    if isinstance(value, str) and value.isupper():
        # Registers keep names in capitals ("FJORDLYS TEKNOLOGI AS"): an agreeing source that prints the
        # same name in its own case shows it as the company writes it.
        value = next((f.value for f in ordered if isinstance(f.value, str) and not f.value.isupper()), value)
    if isinstance(value, dict) and "amount" not in value:  # fill parts the best statement left out
        merged = dict(value)
        for other in ordered[1:]:
            for key, part in other.value.items():
                merged.setdefault(key, part)
        value = merged
    return value, ordered[0], min(confidence, 1.0)


def rival_confidences(findings: list[Finding], winner: Finding) -> list[float]:
    """Combined confidences of the groups stating other values than ``winner``'s."""
    groups: dict[Any, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[value_key(finding.value)].append(finding)
    won = value_key(winner.value)
    return [combined(members) for key, members in groups.items() if key != won]


def rival_provenance(findings: list[Finding], winner: Finding) -> list[dict[str, Any]]:
    """What other sources stated against the winner (one best finding per rival value and source), so a
    register that disagrees with a page leaves both in the provenance."""
    won = value_key(winner.value)
    best: dict[tuple[Any, str], Finding] = {}
    for finding in findings:
        key = (value_key(finding.value), finding.source)
        if key[0] != won and finding.source != winner.source:
            if key not in best or finding.confidence > best[key].confidence:
                best[key] = finding
    ordered = sorted(best.values(), key=lambda f: (-f.confidence, precedence_of(f.source)))
    return [{"value": _shown(f.value), **provenance_of(f)} for f in ordered]


def _shown(value: Any) -> str:
    """A rival value as text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _set(profile: Profile, path: str, value: Any) -> None:
    head, _, tail = path.partition(".")
    if tail:
        profile.setdefault(head, {})[tail] = value
    else:
        profile[head] = value


def build_profile(
    request: ExtractionRequest,
    resolution: Resolution,
    findings: list[Finding],
    plan: ModePlan,
    unavailable: Iterable[str] = (),
) -> Profile:
    """The profile for the mode's fields: the best value of each, every value with provenance.

    Fields the mode asks for that no finding states are listed in ``not_found`` (financial facts by
    their key, ``financial_data.funding_raised``); nothing is invented. ``unavailable`` names the
    sources that could not be asked (``sources_unavailable``).
    """
    profile: Profile = {}
    provenance: dict[str, dict[str, Any]] = {}
    home = resolution.home
    identity = Finding(
        "domain",
        resolution.domain,
        RESOLUTION_SOURCE,
        home.url,
        home.retrieved_at,
        f"verified home page via {resolution.origin} ({resolution.matched_on})",
        resolution.score,
        evidence=resolution.matched_name or None,
    )
    for field, value in (("domain", resolution.domain), ("website", f"https://{home.host}/")):
        profile[field] = value
        provenance[field] = provenance_of(identity, _match_confidence(request, resolution, findings))

    by_field: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_field[finding.field].append(finding)

    for field, items in by_field.items():
        if field in LIST_FIELDS:
            continue
        chosen = choose(items)
        if chosen is None:
            continue
        value, cited, confidence = chosen
        if field not in NON_EXCLUSIVE_FIELDS:
            confidence = contested(confidence, rival_confidences(items, cited))
        if field.startswith("financial_data.") and field.split(".", 1)[1] in MONEY_FIELDS:
            profile.setdefault("financial_data", {}).setdefault("figures", []).append(value)
            if field.split(".", 1)[1] != "total_assets":  # no string field for assets in FinancialData
                _set(profile, field, value["display"])
        else:
            _set(profile, field, value)
        provenance[field] = provenance_of(cited, confidence)
        if field not in NON_EXCLUSIVE_FIELDS and (rivals := rival_provenance(items, cited)):
            provenance[field]["rivals"] = rivals

    _derive_employee_range(profile, provenance)
    _derive_sector(profile, provenance)
    _collect_lists(profile, provenance, by_field)
    if "linkedin" in profile.get("social_profiles", {}):
        profile["linkedin_url"] = profile["social_profiles"]["linkedin"]
        provenance["linkedin_url"] = provenance[f"{SOCIAL_PREFIX}linkedin"]
    kept = _limit_to_plan(profile, provenance, plan, resolution, request, findings)
    if unavailable:
        kept["sources_unavailable"] = sorted(set(unavailable))
    return kept


def _derive_employee_range(profile: Profile, provenance: dict[str, dict[str, Any]]) -> None:
    """The range follows the chosen exact count, so the two never disagree, unless a better-sourced
    statement of the range (a register's band) puts the count in another bucket: then the range stays,
    the count goes, and the count's statement is among the range's ``rivals``."""
    exact = profile.get("employee_count_exact")
    if not isinstance(exact, int):
        return
    bucket = employee_range_for(exact)
    stated = profile.get("employee_count")
    counted = provenance["employee_count_exact"]
    if stated is None:
        profile["employee_count"] = bucket
        provenance["employee_count"] = counted
        return
    banded = provenance["employee_count"]
    if stated == bucket:  # agreeing: the better-sourced statement is cited
        if counted["confidence"] > banded["confidence"]:
            provenance["employee_count"] = counted
        return
    if counted["confidence"] > banded["confidence"]:
        profile["employee_count"] = bucket
        provenance["employee_count"] = _with_rival(counted, banded, stated)
    else:
        del profile["employee_count_exact"]
        provenance["employee_count"] = _with_rival(banded, counted, exact)
        del provenance["employee_count_exact"]


def _derive_sector(profile: Profile, provenance: dict[str, dict[str, Any]]) -> None:
    """A sector stated by an industry code (``server.extraction.industry_codes``) outranks one read from
    the industry label's wording; when the two differ the label's reading is among the sector's rivals."""
    industry = profile.get("industry")
    guessed = sector_for(industry) if isinstance(industry, str) else None
    coded = profile.get("sector")
    if coded is None:
        if guessed:
            profile["sector"] = guessed
            provenance["sector"] = {**provenance["industry"], "method": "sector list mapping of the industry"}
        return
    if guessed and guessed != coded:
        rival = {**provenance["industry"], "method": f"sector list mapping of the industry {industry!r}"}
        provenance["sector"] = _with_rival(provenance["sector"], rival, guessed)


def _with_rival(kept: dict[str, Any], rival: dict[str, Any], value: Any) -> dict[str, Any]:
    """``kept``'s provenance with the value a less-sourced statement gave instead among its ``rivals``,
    and its confidence lowered by that contradiction as an exclusive field's is."""
    beaten = {"value": _shown(value), **{key: part for key, part in rival.items() if key != "rivals"}}
    confidence = round(contested(kept["confidence"], [rival["confidence"]]), CONFIDENCE_DIGITS)
    return {**kept, "confidence": confidence, "rivals": [*kept.get("rivals", []), beaten]}


def _collect_lists(
    profile: Profile, provenance: dict[str, dict[str, Any]], by_field: dict[str, list[Finding]]
) -> None:
    for field, keys in LIST_FIELDS.items():
        groups: dict[Any, list[Finding]] = {}
        for finding in sorted(
            by_field.get(field, []), key=lambda f: (-f.confidence, precedence_of(f.source))
        ):
            value = finding.value
            identity = tuple(value_key(value.get(key)) for key in keys) if keys else value_key(value)
            groups.setdefault(identity, []).append(finding)
        if not groups:
            continue
        _set(profile, field, [members[0].value for members in groups.values()])
        confidences = [combined(members) for members in groups.values()]
        for index, (members, confidence) in enumerate(zip(groups.values(), confidences, strict=True)):
            provenance[f"{field}[{index}]"] = provenance_of(members[0], confidence)
        provenance[field] = provenance_of(next(iter(groups.values()))[0], min(confidences))


def _match_confidence(request: ExtractionRequest, resolution: Resolution, findings: list[Finding]) -> float:
    """``server.extraction.match.match_confidence`` of this resolution: knowledge sources that found
    anything recognised the company on their own."""
    return match_confidence(
        resolution.score,
        resolution.origin,
        {finding.source for finding in findings if finding.source not in ("website", RESOLUTION_SOURCE)},
        other_country=bool(resolution.site_country and resolution.site_country != request.country.upper()),
    )


def _top_field(path: str) -> str:
    """``contacts.phones[1]`` -> ``contacts``; ``people[0]`` -> ``people``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _limit_to_plan(
    profile: Profile,
    provenance: dict[str, dict[str, Any]],
    plan: ModePlan,
    resolution: Resolution,
    request: ExtractionRequest,
    findings: list[Finding],
) -> Profile:
    wanted = set(plan.fields)
    kept = {field: value for field, value in profile.items() if field in wanted}
    kept_provenance = {path: where for path, where in provenance.items() if _top_field(path) in wanted}
    kept["confidence"] = resolution.score
    kept["match_confidence"] = _match_confidence(request, resolution, findings)
    kept["match_candidates"] = [candidate.as_dict() for candidate in resolution.candidates]
    kept["provenance"] = kept_provenance
    kept["not_found"] = [field for field in plan.fields if field not in kept]
    financial = kept.get("financial_data", {})
    kinds = {figure.get("kind") for figure in financial.get("figures", [])}
    kept["not_found"] += [
        f"financial_data.{key}" for key in plan.financial if key not in financial and key not in kinds
    ]
    kept["resolution_notes"] = list(resolution.notes)
    return kept
