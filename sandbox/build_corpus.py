"""Generates ``sandbox/corpus`` (sites, metadata, truth.json, demo batch) from ``sandbox.corpus_facts``.

Run ``python -m sandbox.build_corpus`` after editing the facts or templates; the output is committed so
tests and demos never depend on running it. ``truth.json`` records only what the sites actually state.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import phonenumbers
import pycountry
from cleanco import basename

from sandbox.corpus_cases import CASES
from sandbox.corpus_domain_cases import CASES as DOMAIN_CASES
from sandbox.corpus_domain_cases import EDITION_OF
from sandbox.corpus_facts import COMPANIES as AUTHORED
from sandbox.corpus_facts import PARKED_DOMAINS, UNKNOWN_COMPANIES, CompanyFacts
from sandbox.corpus_format import INDEX_FILE, META_FILE, SITES_DIR
from sandbox.corpus_identity import IDENTITY_CASES
from sandbox.knowledge_records import build_records, request_name
from sandbox.knowledge_registers import HOST_META
from sandbox.knowledge_truth import apply_knowledge, employee_bucket
from sandbox.site_special import MANAGING_DIRECTOR_ROLE
from sandbox.site_templates import render_parked, render_site, social_url

DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
TRUTH_FILE = "truth.json"
DEMO_BATCH_FILE = "demo_batch.json"
GENERATED_MARK = ".generated"  # only folders carrying it are wiped on regeneration

EMAIL_TYPES = {
    "sales": "sales",
    "vertrieb": "sales",
    "wholesale": "sales",
    "distribution": "sales",
    "orders": "sales",
    "bestellung": "sales",
    "support": "support",
    "patients": "support",
    "press": "press",
    "presse": "press",
    "careers": "careers",
    "jobs": "careers",
    "investors": "investors",
}
COMPANIES = [*AUTHORED, *CASES, *DOMAIN_CASES, *IDENTITY_CASES]
# Behaviours the templates act on; the rest are the sandbox's ``_meta.json`` keys.
TEMPLATE_BEHAVIOURS = (
    "domain_hint", "obfuscated_emails", "shell", "impressum", "robots_disallow", "about_moved",
    "search_only", "wikidata_only",
)  # fmt: skip


def expected_profile(facts: CompanyFacts) -> dict[str, Any]:
    """What a correct extractor reads from this company's site (only facts the site states)."""
    country = pycountry.countries.get(alpha_2=facts["country"])
    headquarters: dict[str, str] = {
        "city": facts["city"],
        "country": country.name if country else facts["country"],
        "country_code": facts["country"],
        "street_address": facts["street"],
        "postal_code": facts["postal"],
    }
    # A printed address outside the US names no state; structured addresses carry the region.
    if facts["region"] and (facts["markup"] != "plain" or facts["country"] == "US"):
        code = f"{facts['country']}-{facts['region']}"
        subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        headquarters["state"] = subdivision.name
        headquarters["state_code"] = subdivision.code
    profile: dict[str, Any] = {
        "company_name": facts["brand"],
        "domain": facts["domain"],
        "website": f"https://{facts['domain']}/",
        "description": f"{facts['tagline']}.",
        "headquarters": headquarters,
        "founded_year": facts["founded"],
        "social_profiles": {network: social_url(network, facts["domain"]) for network in facts["social"]},
        "contacts": {
            "emails": [
                {"address": f"{local}@{facts['domain']}", "type": EMAIL_TYPES.get(local, "general")}
                for local in facts["emails"]
            ],
            "phones": [
                {"number": _e164(display, facts["country"]), "type": kind}
                for kind, display in facts["phones"]
            ],
        },
    }
    if "linkedin" in facts["social"]:
        profile["linkedin_url"] = social_url("linkedin", facts["domain"])
    if facts["markup"] != "plain" and facts["industry"]:
        profile["industry"] = facts["industry"]
    if facts["employees"] and facts["markup"] != "plain":
        profile["employee_count"] = employee_bucket(facts["employees"])
        profile["employee_count_exact"] = facts["employees"]
    if facts["markup"] == "jsonld" or (facts["style"] == "a" and _has_legal_form(facts["name"])):
        profile["legal_name"] = facts["name"]  # JSON-LD legalName, or a copyright line "© ... Acme GmbH."
    _apply_behaviour(profile, facts)
    apply_knowledge(profile, facts)
    return profile


def _apply_behaviour(profile: dict[str, Any], facts: CompanyFacts) -> None:
    """What a site's hard case removes from (or adds to) what a reader can get from it."""
    behaviour = facts.get("behaviour", {})
    if behaviour.get("shell"):  # nothing but the name is on the page
        for key in list(profile):
            if key not in ("company_name", "domain", "website"):
                del profile[key]
    if "/about/" in behaviour.get("robots_disallow", []) and facts["markup"] != "jsonld":
        for key in ("industry", "founded_year", "employee_count", "employee_count_exact"):
            profile.pop(key, None)
    if EDITION_OF in behaviour:  # the site is a country edition: the company's domain is the brand's own
        profile["domain"] = behaviour[EDITION_OF]
    if "impressum" in behaviour:
        profile["legal_name"] = facts["name"]
        profile["people"] = [
            {"name": behaviour["impressum"]["managing_director"], "role": MANAGING_DIRECTOR_ROLE}
        ]


def _has_legal_form(name: str) -> bool:
    return bool(basename(name) != name.rstrip(".").strip())


def _e164(display: str, country: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(display, country), phonenumbers.PhoneNumberFormat.E164
    )


def truth_entry(facts: CompanyFacts) -> dict[str, Any]:
    """One company's record in truth.json."""
    behaviour = facts.get("behaviour", {})
    failing = "status" in behaviour or "failure" in behaviour
    entry: dict[str, Any] = {
        "name": request_name(facts),
        "country": facts["country"],
        "domain": behaviour.get(EDITION_OF, facts["domain"]),
        "markup": facts["markup"],
        "language": facts["lang"],
        "hard_case": sorted(behaviour) or None,
        "expected_outcome": "failed" if failing else "success",
    }
    if "domain_hint" in behaviour:
        entry["domain_hint"] = behaviour["domain_hint"]
    if "old_domain" in behaviour:
        entry["old_domain"] = behaviour["old_domain"]
    if failing:
        # A site that answers 5xx, resets or never answers says nothing of the company (issue 12).
        entry["expected_error"] = "SourceUnavailableError"
    else:
        entry["profile"] = expected_profile(facts)
    return entry


def _write_site(sites_dir: Path, hostname: str, pages: dict[str, str], meta: dict[str, Any] | None) -> None:
    root = sites_dir / hostname
    for path, html in pages.items():
        target = root / path.strip("/") / INDEX_FILE if path.endswith("/") else root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
    root.mkdir(parents=True, exist_ok=True)
    (root / GENERATED_MARK).write_text("written by sandbox.build_corpus\n", "utf-8")
    if meta:
        (root / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")


def _write_files(root: Path, bodies: dict[str, bytes]) -> None:
    for relative, body in bodies.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def build(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> None:
    """(Re)write every generated site, truth.json and demo_batch.json under ``corpus_dir``."""
    sites_dir = corpus_dir / SITES_DIR
    if sites_dir.exists():
        for site in sites_dir.iterdir():
            if (site / GENERATED_MARK).exists():
                shutil.rmtree(site)
    for facts in COMPANIES:
        behaviour = dict(facts.get("behaviour", {}))
        old_domain = behaviour.pop("old_domain", None) or behaviour.pop(EDITION_OF, None)
        if "about_moved" in behaviour:
            old_about = "/about/"
            behaviour["path_redirects"] = {
                old_about: behaviour["about_moved"],
                old_about.rstrip("/"): behaviour["about_moved"],
            }
        for key in TEMPLATE_BEHAVIOURS:
            behaviour.pop(key, None)
        _write_site(sites_dir, facts["domain"], render_site(facts), behaviour or None)
        if old_domain:
            _write_site(sites_dir, old_domain, {}, {"redirect_to": f"https://{facts['domain']}"})
    for domain in PARKED_DOMAINS:
        _write_site(sites_dir, domain, {"/": render_parked(domain)}, None)
    files, routes = build_records(COMPANIES)
    for host, bodies in files.items():
        _write_files(sites_dir / host, bodies)
        _write_site(sites_dir, host, {}, {**HOST_META.get(host, {}), "routes": routes[host]})
    truth = {
        "about": "Ground truth of the sandbox corpus: what a correct extractor reads from each site.",
        "companies": [truth_entry(facts) for facts in COMPANIES],
        "unknown_companies": UNKNOWN_COMPANIES,
        "parked_domains": PARKED_DOMAINS,
    }
    (corpus_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", "utf-8")
    hints = {
        f["name"]: f["behaviour"]["domain_hint"] for f in COMPANIES if "domain_hint" in f.get("behaviour", {})
    }
    demo = {
        "company_names": list(dict.fromkeys(request_name(facts) for facts in COMPANIES)) + UNKNOWN_COMPANIES,
        "domain_hints": hints,
    }
    (corpus_dir / DEMO_BATCH_FILE).write_text(json.dumps(demo, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    build()
