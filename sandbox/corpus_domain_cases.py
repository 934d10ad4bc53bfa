"""Corpus companies for domain resolution from the name and names in other scripts (``sandbox.build_corpus``).

Same shape as ``sandbox.corpus_facts.COMPANIES``. Each case exercises one resolution mechanism on the
authored corpus's TLDs (``.example``, ``.test``):

- a name that is itself a domain ("Tally.example"), tried as written before anything derived;
- "Kanzlei Brandauer" at ``brandauer.example``: a generic leading word dropped as a second try;
- "Zarya" whose site calls itself "Заря" only: names matched across scripts;
- ``halvardoptics.example`` redirecting to its country edition ``halvardoptics.test``
  (``behaviour["edition_of"]``: the site lives at ``domain``; the company's domain stays the one
  asked for, because the redirect keeps the brand's second-level label).

A ``.org`` case needs a TLD the sandbox does not serve: ``tests/extraction/test_name_domains.py``
covers it (and ``www.``-only sites) over a throwaway corpus with the production TLD list.
"""

from __future__ import annotations

from sandbox.corpus_facts import CompanyFacts

EDITION_OF = "edition_of"

CASES: list[CompanyFacts] = [
    {
        "name": "Tally.example",
        "brand": "Tally.example",
        "domain": "tally.example",
        "country": "US",
        "city": "Portland",
        "region": "OR",
        "street": "800 SW Jefferson St",
        "postal": "97201",
        "industry": "Software",
        "founded": 2017,
        "employees": 22,
        "tagline": "Forms and surveys without code",
        "phones": [("general", "+1 503-555-0134")],
        "emails": ["hello", "support"],
        "social": ["twitter"],
        "markup": "jsonld",
        "style": "a",
        "lang": "en",
    },
    {
        "name": "Kanzlei Brandauer",
        "brand": "Kanzlei Brandauer",
        "domain": "brandauer.example",
        "country": "DE",
        "city": "Leipzig",
        "region": "SN",
        "street": "Katharinenstraße 12",
        "postal": "04109",
        "industry": None,
        "founded": 1994,
        "employees": None,
        "tagline": "Arbeitsrecht und Mietrecht für Privatpersonen",
        "phones": [("general", "+49 341 5550 120")],
        "emails": ["kanzlei"],
        "social": [],
        "markup": "plain",
        "style": "b",
        "lang": "de",
    },
    {
        "name": "Заря",
        "brand": "Заря",
        "domain": "zarya.example",
        "country": "US",
        "city": "Seattle",
        "region": "WA",
        "street": "1201 3rd Ave",
        "postal": "98101",
        "industry": "Data Analytics",
        "founded": 2016,
        "employees": 75,
        "tagline": "Daily satellite images of every farm field",
        "phones": [("general", "+1 206-555-0187")],
        "emails": ["info"],
        "social": ["linkedin"],
        "markup": "microdata",
        "style": "c",
        "lang": "en",
        "request_name": "Zarya",
    },
    {
        "name": "Halvard Optics GmbH",
        "brand": "Halvard Optics",
        "domain": "halvardoptics.test",
        "country": "DE",
        "city": "Jena",
        "region": "TH",
        "street": "Carl-Zeiss-Platz 3",
        "postal": "07743",
        "industry": "Scientific Instruments",
        "founded": 1998,
        "employees": 410,
        "tagline": "Objektive und Messoptik für die Industrie",
        "phones": [("general", "+49 3641 5550 300")],
        "emails": ["info", "vertrieb"],
        "social": ["linkedin", "xing"],
        "markup": "jsonld",
        "style": "a",
        "lang": "de",
        "request_name": "Halvard Optics",
        "behaviour": {EDITION_OF: "halvardoptics.example"},
    },
]
