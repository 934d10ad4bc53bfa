"""Merges source findings into one profile dict in the JSON shape of ``company.v1.CompanyProfile``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.domain import ExtractionRequest, Profile
from server.extraction.modes import ModePlan
from server.extraction.resolve import Resolution
from server.extraction.sources.base import Finding

LIST_FIELDS = {"contacts.emails": "address", "contacts.phones": "number"}  # field -> identity key
SOCIAL_PREFIX = "social_profiles."
RESOLUTION_SOURCE = "resolution"


def rfc3339(moment: datetime) -> str:
    """``2025-01-15T10:30:00.123456Z``: the form protobuf JSON reads for a Timestamp."""
    return moment.isoformat().replace("+00:00", "Z")


def _provenance(finding: Finding) -> dict[str, Any]:
    return {
        "source": finding.source,
        "url": finding.url,
        "retrieved_at": rfc3339(finding.retrieved_at),
        "method": finding.method,
        "confidence": finding.confidence,
    }


def build_profile(
    request: ExtractionRequest, resolution: Resolution, findings: list[Finding], plan: ModePlan
) -> Profile:
    """The profile for the mode's fields: the most trusted value of each, every value with provenance.

    Fields the mode asks for that no finding states are listed in ``not_found``; nothing is invented.
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
        f"verified home page ({resolution.matched_on})",
        resolution.score,
    )
    for field, value in (("domain", resolution.domain), ("website", f"https://{home.host}/")):
        profile[field] = value
        provenance[field] = _provenance(identity)

    best: dict[str, Finding] = {}
    for finding in findings:
        if finding.field in LIST_FIELDS or finding.field.startswith(SOCIAL_PREFIX):
            continue
        current = best.get(finding.field)
        if current is None or finding.confidence > current.confidence:
            best[finding.field] = finding
    for field, finding in best.items():
        if field == "contacts.contact_page":
            profile.setdefault("contacts", {})["contact_page"] = finding.value
        else:
            profile[field] = finding.value
        provenance[field] = _provenance(finding)

    for field, key in LIST_FIELDS.items():
        items: dict[str, dict[str, Any]] = {}
        for finding in (f for f in findings if f.field == field):
            items.setdefault(finding.value[key], finding.value)
            provenance.setdefault(field, _provenance(finding))
        if items:
            profile.setdefault("contacts", {})[field.split(".", 1)[1]] = list(items.values())

    socials: dict[str, str] = {}
    for finding in sorted(
        (f for f in findings if f.field.startswith(SOCIAL_PREFIX)), key=lambda f: -f.confidence
    ):
        network = finding.field.removeprefix(SOCIAL_PREFIX)
        if network not in socials:
            socials[network] = finding.value
            provenance[finding.field] = _provenance(finding)
    if socials:
        profile["social_profiles"] = socials
    if "linkedin" in socials:
        profile["linkedin_url"] = socials["linkedin"]
        provenance["linkedin_url"] = provenance[f"{SOCIAL_PREFIX}linkedin"]

    return _limit_to_plan(profile, provenance, plan, resolution)


def _limit_to_plan(
    profile: Profile, provenance: dict[str, dict[str, Any]], plan: ModePlan, resolution: Resolution
) -> Profile:
    wanted = set(plan.fields)
    kept = {field: value for field, value in profile.items() if field in wanted}
    kept_provenance = {path: where for path, where in provenance.items() if path.split(".", 1)[0] in wanted}
    kept["confidence"] = resolution.score
    kept["provenance"] = kept_provenance
    kept["not_found"] = [field for field in plan.fields if field not in kept]
    kept["resolution_notes"] = list(resolution.notes)
    return kept
