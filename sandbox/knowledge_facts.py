"""What the knowledge services know about corpus companies (input of ``sandbox.knowledge_records``).

Keyed by company domain. ``wikidata`` becomes entities in ``wbsearchentities``/``wbgetentities``
answers (and a Wikipedia summary when ``wikipedia`` is set; ``subsidiaries`` are label dicts by
language, ``former_subsidiaries`` (labels, end date) pairs; ``other_headquarters`` are further current
P159 cities, ``former_headquarters`` (city, end date) pairs listed before the current ones); ``sec``
becomes ``company_tickers.json`` rows, ``submissions`` and ``companyfacts``; ``gleif`` an LEI record;
``search`` DuckDuckGo result pages; ``brreg``, ``recherche`` and ``companies_house`` register entries;
``formd`` a Form D filer's full-text search hits, submissions and notices (``persons``: first name, last
name, relationships, clarification; ``filings``: ``total`` a number or "Indefinite", ``amends`` the
accession number an amendment amends).
The values agree with what the sites state: where a service adds a fact the site lacks, truth.json
expects it. ``EXPECTED_SECTORS`` is the documented sector of every industry label the corpus uses.
"""

from __future__ import annotations

from typing import Any

KNOWLEDGE: dict[str, dict[str, Any]] = {
    "acme-robotics.example": {
        "wikidata": {
            "id": "Q130000001",
            "label": "Acme Robotics",
            "aliases": ["Acme Robotics Inc."],
            "description": "American manufacturer of collaborative robots",
            "industry": "Industrial Robotics",
            "employees": [(310, "2023-12-31"), (340, "2024-12-31")],
            "inception": 2009,
            "founders": ["Maya Okonkwo", "Daniel Reyes"],
            "ceo": "Maya Okonkwo",
            "wikipedia": "Acme Robotics",
        },
        "wikipedia_extract": (
            "Acme Robotics Inc. is an American manufacturer of collaborative industrial robots "
            "based in Pittsburgh, Pennsylvania."
        ),
        "search": ["linkedin", "crunchbase", "site"],
    },
    "obsidiandynamics.example": {
        "wikidata": {
            "id": "Q130000002",
            "label": "Obsidian Dynamics",
            "aliases": ["Obsidian Dynamics Corp.", "OBSD"],
            "description": "American semiconductor company",
            "industry": "Semiconductors",
            "employees": [(7900, "2023-12-31"), (8200, "2024-12-31")],
            "inception": 1996,
            "revenue": (2_410_000_000, "USD", "2024"),
            "market_cap": (18_600_000_000, "USD", "2024-12-31"),
            "exchange": ("Q82059", "NASDAQ"),
            "ticker": "OBSD",
            "founders": ["Ruth Calder"],
            "ceo": "Victor Lindqvist",
            "lei": "5493001KJTIIGC8Y1R12",
            "wikipedia": "Obsidian Dynamics",
            "subsidiaries": [{"en": "Basalt Microdevices"}, {"en": "Obsidian Dynamics Japan"}],
            # Sold in 2019: its P355 statement carries an end time, so it is history, not a subsidiary.
            "former_subsidiaries": [({"en": "Flint Photonics"}, "2019-06-30")],
        },
        "wikipedia_extract": "Obsidian Dynamics Corp. is an American fabless semiconductor company.",
        "sec": {
            "cik": 1799001,
            "title": "OBSIDIAN DYNAMICS CORP.",
            "sic": "3674",
            "sic_description": "Semiconductors & Related Devices",
            "exchange": "Nasdaq",
            "fiscal_year_end": "1231",
            "phone": "408-555-0100",
            "revenue_concept": "RevenueFromContractWithCustomerExcludingAssessedTax",
            "revenue": {2023: 2_120_000_000, 2024: 2_410_000_000},
            "net_income": {2023: 251_000_000, 2024: 310_000_000},
            "assets": {2023: 4_400_000_000, 2024: 4_900_000_000},
            "shares": 152_300_000,
            "disclosure_concepts": 145,  # companyfacts larger than the 2 MB page cap
        },
        "gleif": {
            "lei": "5493001KJTIIGC8Y1R12",
            "legal_city": "Wilmington",
            "legal_region": "US-DE",
            "legal_street": "251 Little Falls Drive",
            "legal_postal": "19808",
        },
    },
    "kestrel-aerospace.example": {
        "wikidata": {
            "id": "Q130000003",
            "label": "Kestrel Aerospace",
            "aliases": ["Kestrel Aerospace GmbH"],
            "description": "German aerospace supplier",
            "industry": "Luft- und Raumfahrt",
            "employees": [(1450, "2024-12-31")],
            "inception": 1998,
            "parent": "Hanseatic Aero Holding",
            "lei": "391200KESTRELAERO0042",
            "subsidiaries": [
                {"en": "Kestrel Composites Stade", "de": "Kestrel Faserverbund Stade"},
                {"en": "Kestrel Aerospace Services"},
            ],
        },
        "gleif": {
            "lei": "391200KESTRELAERO0042",
            "legal_city": "Bremen",
            "legal_region": "DE-HB",
            "legal_street": "Airbus-Allee 9",
            "legal_postal": "28199",
        },
    },
    "northwind-freight.example": {
        "wikidata": {
            "id": "Q130000004",
            "label": "Northwind Freight",
            "aliases": [],
            "description": "Canadian trucking company",
            "industry": "Logistics",
            "employees": [(2300, "2024-06-30")],
            "inception": 1989,
        },
    },
    "umbragames.test": {
        "wikidata": {
            "id": "Q130000005",
            "label": "Umbra Games",
            "aliases": ["Umbra Games Studio AB"],
            "description": "Swedish video game developer",
            "industry": "Video Games",
            "employees": [(70, "2024-12-31")],
            "inception": 2017,
            "wikipedia": "Umbra Games",
        },
        "wikipedia_extract": (
            "Umbra Games Studio AB is a Swedish independent video game developer based in Stockholm."
        ),
    },
    "everlight-solar.example": {
        "gleif": {
            "lei": "213800EVERLIGHTSOL77",
            "legal_city": "Bristol",
            "legal_region": None,
            "legal_street": "12 Temple Gate",
            "legal_postal": "BS1 6PL",
            "search": True,
        },
    },
    "quillandledger.example": {
        "wikidata": {
            "id": "Q130000006",
            "label": "Quill & Ledger",
            "aliases": ["Quill & Ledger Accounting Ltd"],
            "description": "Scottish accounting firm",
            "industry": "Accounting",
            "employees": [(25, "2024-03-31")],
            "inception": 2009,
            "wikipedia": "Quill & Ledger",
        },
        "wikipedia_extract": "Quill & Ledger is an accounting firm in Edinburgh serving small businesses.",
    },
    "hvm-group.example": {
        "wikidata": {
            "id": "Q130000007",
            "label": "Halvorsen Maritime",
            "aliases": ["Halvorsen Maritime AS", "HVM Group"],
            "description": "Norwegian offshore shipping company",
            "industry": "Shipping",
            "employees": [(640, "2024-12-31")],
            "inception": 1921,
            # Two current head offices (P159): Bergen (the site's) and Aberdeen; Stavanger's ended in 1998.
            "other_headquarters": [{"city": "Aberdeen", "country": "GB"}],
            "former_headquarters": [({"city": "Stavanger", "country": "NO"}, "1998")],
        },
    },
    "meridianfoods.example": {
        "wikidata": {
            "id": "Q130000008",
            "label": "Meridian Foods",
            "aliases": ["Meridian Foods Inc."],
            "description": "American frozen food company",
            "industry": "Food Processing",
            "employees": [(1900, "2024-12-31")],
            "inception": 1971,
        },
        "search": ["site"],
    },
    "meridianfoods.test": {
        "wikidata": {
            "id": "Q130000009",
            "label": "Meridian Foods",
            "aliases": ["Meridian Foods Ltd"],
            "description": "British organic produce company",
            "industry": "Organic Produce",
            "employees": [(64, "2024-12-31")],
            "inception": 2002,
        },
        "search": ["site"],
    },
    # A US private company: no listing, no Wikidata item; three Form D notices, the second amending the
    # first (its figures replace the first's), the third a new offering of indefinite size.
    "halyard-therapeutics.example": {
        "formd": {
            "cik": 1880001,
            "file_number": "021-401122",
            "industry_group": "Biotechnology",
            "persons": [
                ("Priya", "Raman", ["Executive Officer", "Director"], "Chief Executive Officer"),
                ("Tomas", "Ekberg", ["Executive Officer"], "Chief Financial Officer"),
                ("Lena", "Hoffmann", ["Director"], None),
            ],
            "filings": [
                {
                    "accession": "0001880001-21-000001",
                    "filed": "2021-03-15",
                    "first_sale": "2021-03-01",
                    "total": 12_000_000,
                    "sold": 8_500_000,
                },
                {
                    "accession": "0001880001-22-000002",
                    "filed": "2022-02-10",
                    "first_sale": "2021-03-01",
                    "total": 12_000_000,
                    "sold": 12_000_000,
                    "amends": "0001880001-21-000001",
                    "investors": 19,
                },
                {
                    "accession": "0001880001-23-000003",
                    "filed": "2023-06-20",
                    "first_sale": "2023-06-05",
                    "total": "Indefinite",
                    "sold": 35_250_000,
                    "investors": 31,
                },
            ],
        },
        "search": ["linkedin", "site"],
    },
    "ursaminor-labs.example": {"search": ["linkedin", "site"]},
    "rosenthal-praezision.example": {"search": ["linkedin", "site"]},
    "fernhillvets.test": {"search": ["facebook", "site"]},
    # Register entries (``sandbox.knowledge_registers``): the company's, and a namesake the match refuses.
    "fjordlys.example": {
        "brreg": {
            "orgnr": "924603712",
            "form": ("AS", "Aksjeselskap"),
            # NACE Rev. 2 62.01's title: the profile's industry
            "industry": "Computer programming activities",
            "nace_class": "62.01",  # SN2007's 62.010 is NACE class 62.01
            "nace": [
                ("62.010", "Programmeringstjenester"),
                ("72.190", "Annen forskning og utviklingsarbeid innen naturvitenskap og teknikk"),
            ],
            "employees": 37,
            "founded": "2014-05-06",
            "registered": "2014-05-20",
            "officers": [
                ("DAGL", "Daglig leder", "Ingrid", "Solberg"),
                ("LEDE", "Styrets leder", "Hans Petter", "Eriksen"),
            ],
            # A holding of the same name elsewhere, without a website: tied on the name, refused by the site.
            "namesake": {
                "orgnr": "917728100",
                "name": "FJORDLYS TEKNOLOGI HOLDING AS",
                "postal": "0150",
                "town": "OSLO",
            },
        },
    },
    "novalis-robotique.example": {
        "recherche": {
            "siren": "812345676",
            "nature_juridique": "5710",
            "naf": "28.99B",
            "industry": "Manufacture of other special-purpose machinery n.e.c.",  # NAF 28.99B's English title
            "tranche": "12",
            "created": "2011-09-01",
            "officers": [("Président", "Claire", "LEMAIRE"), ("Directeur général", "Yann", "LE GOFF")],
            "street": ("12", "QUAI", "DE LA FOSSE"),
            "namesake": {"siren": "852345677", "postal": "13002", "town": "MARSEILLE"},
        },
    },
    "brackenridge-tooling.example": {
        "companies_house": {
            "number": "06543210",
            "sic": ["25730", "28410"],
            "industry": "Manufacture of tools",  # UK SIC 2007 25730's title
            "created": "2008-03-14",
            "officers": [
                ("PATEL, Anita", "director", None),
                ("MORGAN, Gareth Lloyd", "director", None),
                ("HOLT, Simon", "director", "2016-07-31"),
            ],
            # Dissolved in 2012 in Leeds: same name, refused by the registered office the site does not print.
            "namesake": {
                "number": "05123456",
                "postal": "LS1 4AP",
                "town": "Leeds",
                "dissolved": "2012-11-20",
            },
        },
    },
}

# Entities of the "same name" queries: searching one name lists every item labelled so.
COUNTRY_ITEMS = {"US": "Q30", "GB": "Q145", "DE": "Q183", "FR": "Q142", "CA": "Q16", "SE": "Q34", "NO": "Q20"}
EXPECTED_SECTORS = {
    "Industrial Robotics": "Technology",
    "Data Analytics": "Technology",
    "Architecture": "Professional Services",
    "Renewable Energy": "Energy",
    "Veterinary Services": "Health Care",
    "Investment Management": "Financials",
    "Cybersecurity": "Technology",
    "Luft- und Raumfahrt": "Industrials",
    "Energy Storage": "Energy",
    "Management Consulting": "Professional Services",
    "Logistics": "Industrials",
    "Healthcare": "Health Care",
    "Software": "Technology",
    "Bäckerei": "Consumer Staples",
    "Marine Services": "Industrials",
    "Video Games": "Communication Services",
    "Trucking": "Industrials",
    "Scientific Instruments": "Technology",
    "Biotechnology": "Health Care",
    "IT Services": "Technology",
    "Manufacturing": "Industrials",
    "Semiconductors": "Technology",
    "Food Processing": "Consumer Staples",
    "Organic Produce": "Consumer Staples",
    "Outdoor Retail": "Consumer Discretionary",
    "Maschinenbau": "Industrials",
    "Legal Services": "Professional Services",
    "Agricultural Robotics": "Technology",
    "Shipping": "Industrials",
    "Business Intelligence Software": "Technology",
    "Audio Equipment": "Technology",
    "Cosmétiques": "Consumer Staples",
    "Accounting": "Professional Services",
    "Computer programming activities": "Technology",
    "Manufacture of other special-purpose machinery n.e.c.": "Industrials",
    "Manufacture of tools": "Industrials",
}
