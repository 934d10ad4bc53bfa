"""Other offices some corpus sites state in their JSON-LD, and the ``locations`` truth.json expects.

The site templates (``sandbox.site_templates``) render one headquarters address per company and have no
input for further places, so this step edits the generated corpus after ``sandbox.build_corpus``: it
adds ``location`` / ``department`` entries (and extra ``address`` entries) to the Organization record of
each listed site's home page and writes the matching ``locations`` into truth.json. It is idempotent;
run it after every regeneration::

    python -m sandbox.build_corpus && python -m sandbox.corpus_offices

Each office names the schema.org property that states it. One entry per site repeats the headquarters
(flagged ``headquarters``): a correct reader does not report it as another location.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pycountry

from sandbox.corpus_format import INDEX_FILE, SITES_DIR

DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
TRUTH_FILE = "truth.json"
JSON_LD_RE = re.compile(r'(<script type="application/ld\+json">\n)(.*?)(\n</script>)', re.DOTALL)
PLACE_PROPERTIES = ("location", "department")

Office = dict[str, Any]

OFFICES: dict[str, list[Office]] = {
    "acme-robotics.example": [
        {"property": "location", "name": "Acme Robotics Detroit office", "street": "1500 Woodward Ave",
         "city": "Detroit", "region": "MI", "postal": "48226", "country": "US", "label": "office"},
        {"property": "location", "name": "Acme Robotics Headquarters", "street": "4100 Allegheny River Blvd",
         "city": "Pittsburgh", "region": "PA", "postal": "15201", "country": "US", "headquarters": True},
    ],
    "obsidiandynamics.example": [
        {"property": "location", "name": "Registered office", "street": "251 Little Falls Drive",
         "city": "Wilmington", "region": "DE", "postal": "19808", "country": "US", "label": "registered"},
        {"property": "department", "name": "Obsidian Dynamics Design Center Austin",
         "street": "11501 Alterra Pkwy", "city": "Austin", "region": "TX", "postal": "78758", "country": "US",
         "label": "office"},
    ],
    "rosenthal-praezision.example": [
        {"property": "address", "name": "Werk Reutlingen", "street": "Rommelsbacher Straße 40",
         "city": "Reutlingen", "region": "BW", "postal": "72760", "country": "DE", "label": "plant"},
        {"property": "department", "name": "Rosenthal Präzisionstechnik Vertrieb Nord",
         "street": "Podbielskistraße 33", "city": "Hannover", "region": "NI", "postal": "30163",
         "country": "DE", "label": "office"},
    ],
}  # fmt: skip


def postal_address(office: Office) -> dict[str, str]:
    """The schema.org PostalAddress of an office, as the templates write the headquarters'."""
    return {
        "@type": "PostalAddress",
        "streetAddress": office["street"],
        "addressLocality": office["city"],
        "postalCode": office["postal"],
        "addressCountry": office["country"],
        "addressRegion": office["region"],
    }


def with_offices(organization: dict[str, Any], offices: list[Office]) -> dict[str, Any]:
    """The Organization record stating ``offices``; the record's own headquarters address stays first."""
    record = dict(organization)
    address = record.get("address")
    headquarters = address[0] if isinstance(address, list) else address  # a second run finds a list
    extra = [{**postal_address(o), "name": o["name"]} for o in offices if o["property"] == "address"]
    record["address"] = [headquarters, *extra] if extra else headquarters
    for prop in PLACE_PROPERTIES:
        entries = [_place(office) for office in offices if office["property"] == prop]
        if entries:
            record[prop] = entries
        else:
            record.pop(prop, None)
    return record


def _place(office: Office) -> dict[str, Any]:
    kind = "Place" if office["property"] == "location" else "Organization"
    return {"@type": kind, "name": office["name"], "address": postal_address(office)}


def expected_locations(offices: list[Office]) -> list[dict[str, str]]:
    """The ``locations`` a correct reader reports: every office but the headquarters, in page order."""
    found = []
    for office in offices:
        if office.get("headquarters"):
            continue
        country = pycountry.countries.get(alpha_2=office["country"])
        subdivision = pycountry.subdivisions.get(code=f"{office['country']}-{office['region']}")  # type: ignore[no-untyped-call]
        found.append(
            {
                "street_address": office["street"],
                "city": office["city"],
                "state": subdivision.name,
                "postal_code": office["postal"],
                "country": country.name if country else office["country"],
                "country_code": office["country"],
                "label": office["label"],
            }
        )
    return found


def apply(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> None:
    """Add the offices to the generated home pages and their ``locations`` to truth.json."""
    truth_path = corpus_dir / TRUTH_FILE
    truth = json.loads(truth_path.read_text("utf-8"))
    companies = {company["domain"]: company for company in truth["companies"]}
    for domain, offices in OFFICES.items():
        page = corpus_dir / SITES_DIR / domain / INDEX_FILE
        html = page.read_text("utf-8")
        match = JSON_LD_RE.search(html)
        if match is None:
            raise ValueError(f"{page} has no JSON-LD block to state offices in")
        record = with_offices(json.loads(match[2]), offices)
        block = json.dumps(record, indent=2, ensure_ascii=False)
        page.write_text(html[: match.start(2)] + block + html[match.end(2) :], "utf-8")
        companies[domain]["profile"]["locations"] = expected_locations(offices)
    truth_path.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    apply(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS_DIR)
