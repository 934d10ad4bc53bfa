"""The fictional companies the sandbox corpus is generated from (input of ``sandbox.build_corpus``).

These are the authoring facts. What a scorer should expect is ``sandbox/corpus/truth.json``, which the
generator derives from these facts *and* from what each site template actually states: a fact a site
never shows is not expected.

``markup`` picks how the site states its facts: "jsonld" (schema.org JSON-LD), "microdata" (schema.org
microdata + OpenGraph) or "plain" (OpenGraph at most; everything else in prose and ``<address>``).
``style`` picks one of the visual layouts, ``lang`` the page language. ``behaviour`` marks hard cases.
"""

from __future__ import annotations

from typing import Any

CompanyFacts = dict[str, Any]

COMPANIES: list[CompanyFacts] = [
    {
        "name": "Acme Robotics Inc.", "brand": "Acme Robotics", "domain": "acme-robotics.example",
        "country": "US", "city": "Pittsburgh", "region": "PA", "street": "4100 Allegheny River Blvd",
        "postal": "15201", "industry": "Industrial Robotics", "founded": 2009, "employees": 340,
        "tagline": "Collaborative robots for small and mid-size factories",
        "phones": [("general", "+1 412-555-0142"), ("sales", "+1 412-555-0143")],
        "emails": ["info", "sales", "press"], "social": ["linkedin", "twitter", "youtube"],
        "markup": "jsonld", "style": "a", "lang": "en",
    },
    {
        "name": "Bluefin Analytics LLC", "brand": "Bluefin Analytics", "domain": "bluefin-analytics.example",
        "country": "US", "city": "Boston", "region": "MA", "street": "77 Summer Street, Floor 6",
        "postal": "02110", "industry": "Data Analytics", "founded": 2015, "employees": 85,
        "tagline": "Forecasting models for retail demand planning",
        "phones": [("general", "+1 617-555-0110")], "emails": ["hello", "support", "careers"],
        "social": ["linkedin", "github", "twitter"], "markup": "jsonld", "style": "b", "lang": "en",
    },
    {
        "name": "Cedar & Stone Architects", "brand": "Cedar & Stone Architects", "domain": "cedarandstone.test",
        "country": "US", "city": "Portland", "region": "OR", "street": "1220 SW Morrison St",
        "postal": "97205", "industry": "Architecture", "founded": 1994, "employees": 42,
        "tagline": "Timber-first architecture for schools and libraries",
        "phones": [("general", "+1 503-555-0187")], "emails": ["studio", "press"],
        "social": ["linkedin", "instagram"], "markup": "microdata", "style": "c", "lang": "en",
    },
    {
        "name": "Driftwood Coffee Roasters", "brand": "Driftwood Coffee Roasters",
        "domain": "driftwoodcoffee.example", "country": "US", "city": "Santa Cruz", "region": "CA",
        "street": "310 Seabright Ave", "postal": "95062", "industry": None, "founded": 2011,
        "employees": None, "tagline": "Small-batch coffee roasted by the ocean",
        "phones": [("general", "(831) 555-0199")], "emails": ["hello", "wholesale"],
        "social": ["instagram", "facebook"], "markup": "plain", "style": "a", "lang": "en",
    },
    {
        "name": "Everlight Solar Ltd", "brand": "Everlight Solar", "domain": "everlight-solar.example",
        "country": "GB", "city": "Bristol", "region": None, "street": "12 Temple Gate", "postal": "BS1 6PL",
        "industry": "Renewable Energy", "founded": 2012, "employees": 210,
        "tagline": "Rooftop solar and battery storage for UK businesses",
        "phones": [("general", "+44 117 496 0321"), ("support", "+44 117 496 0322")],
        "emails": ["info", "support"], "social": ["linkedin", "twitter", "facebook"],
        "markup": "jsonld", "style": "c", "lang": "en",
    },
    {
        "name": "Fernhill Veterinary Group", "brand": "Fernhill Veterinary Group", "domain": "fernhillvets.test",
        "country": "GB", "city": "Leeds", "region": None, "street": "88 Otley Road", "postal": "LS6 2AL",
        "industry": "Veterinary Services", "founded": 2003, "employees": 95,
        "tagline": "Companion animal care across West Yorkshire",
        "phones": [("general", "+44 113 496 0555")], "emails": ["reception", "careers"],
        "social": ["facebook", "instagram"], "markup": "microdata", "style": "a", "lang": "en",
    },
    {
        "name": "Granite Peak Capital", "brand": "Granite Peak Capital", "domain": "granitepeakcapital.example",
        "country": "US", "city": "Denver", "region": "CO", "street": "1700 Lincoln St, Suite 2400",
        "postal": "80203", "industry": "Investment Management", "founded": 2007, "employees": 60,
        "tagline": "Long-horizon capital for mountain-west businesses",
        "phones": [("general", "+1 303-555-0120")], "emails": ["info", "investors"],
        "social": ["linkedin"], "markup": "jsonld", "style": "b", "lang": "en",
    },
    {
        "name": "Harbor Point Dental", "brand": "Harbor Point Dental", "domain": "harborpointdental.test",
        "country": "US", "city": "Charleston", "region": "SC", "street": "45 Wentworth St",
        "postal": "29401", "industry": None, "founded": 2016, "employees": None,
        "tagline": "Family and cosmetic dentistry downtown",
        "phones": [("general", "(843) 555-0161")], "emails": ["frontdesk"],
        "social": ["facebook"], "markup": "plain", "style": "b", "lang": "en",
    },
    {
        "name": "Ironclad Security Systems Corp.", "brand": "Ironclad Security", "domain": "ironclad-security.example",
        "country": "US", "city": "Austin", "region": "TX", "street": "500 W 2nd St", "postal": "78701",
        "industry": "Cybersecurity", "founded": 2013, "employees": 780,
        "tagline": "Managed detection and response for mid-market companies",
        "phones": [("general", "+1 512-555-0100"), ("sales", "+1 512-555-0101"), ("support", "+1 512-555-0102")],
        "emails": ["info", "sales", "support", "press"], "social": ["linkedin", "twitter", "github", "youtube"],
        "markup": "jsonld", "style": "a", "lang": "en",
    },
    {
        "name": "Juniper Lane Bakery", "brand": "Juniper Lane Bakery", "domain": "juniperlanebakery.example",
        "country": "US", "city": "Madison", "region": "WI", "street": "212 State St", "postal": "53703",
        "industry": None, "founded": 2019, "employees": None, "tagline": "Sourdough, pastries and wedding cakes",
        "phones": [("general", "(608) 555-0134")], "emails": ["orders"], "social": ["instagram"],
        "markup": "plain", "style": "c", "lang": "en",
    },
    {
        "name": "Kestrel Aerospace GmbH", "brand": "Kestrel Aerospace", "domain": "kestrel-aerospace.example",
        "country": "DE", "city": "Bremen", "region": "HB", "street": "Airbus-Allee 9", "postal": "28199",
        "industry": "Luft- und Raumfahrt", "founded": 1998, "employees": 1450,
        "tagline": "Strukturbauteile aus Faserverbund für die Luftfahrt",
        "phones": [("general", "+49 421 5550 1234"), ("sales", "+49 421 5550 1200")],
        "emails": ["info", "vertrieb", "presse"], "social": ["linkedin", "youtube"],
        "markup": "jsonld", "style": "b", "lang": "de",
    },
    {
        "name": "Lumen Grid Energy", "brand": "LumenGrid", "domain": "lumengrid.example",
        "country": "US", "city": "Phoenix", "region": "AZ", "street": "2 N Central Ave", "postal": "85004",
        "industry": "Energy Storage", "founded": 2018, "employees": 130,
        "tagline": "Grid-scale battery storage, operated as a service",
        "phones": [("general", "+1 602-555-0175")], "emails": ["info", "press"],
        "social": ["linkedin", "twitter"], "markup": "jsonld", "style": "c", "lang": "en",
        "behaviour": {"old_domain": "lumen-grid-energy.example"},
    },
    {
        "name": "Marrowby & Finch Advisory LLP", "brand": "Marrowby & Finch", "domain": "mfadvisory.test",
        "country": "GB", "city": "London", "region": None, "street": "30 St Mary Axe", "postal": "EC3A 8BF",
        "industry": "Management Consulting", "founded": 2001, "employees": 160,
        "tagline": "Operational due diligence for private equity",
        "phones": [("general", "+44 20 7946 0321")], "emails": ["enquiries", "careers"],
        "social": ["linkedin"], "markup": "microdata", "style": "b", "lang": "en",
    },
    {
        "name": "Northwind Freight Co.", "brand": "Northwind Freight", "domain": "northwind-freight.example",
        "country": "CA", "city": "Toronto", "region": "ON", "street": "100 Queens Quay E", "postal": "M5E 1V3",
        "industry": "Logistics", "founded": 1989, "employees": 2300,
        "tagline": "Cross-border trucking and intermodal freight",
        "phones": [("general", "+1 416-555-0177"), ("sales", "+1 416-555-0178")],
        "emails": ["info", "sales", "careers"], "social": ["linkedin", "facebook", "twitter"],
        "markup": "jsonld", "style": "a", "lang": "en",
    },
    {
        "name": "Orchid Health Clinics", "brand": "Orchid Health", "domain": "orchidhealth.example",
        "country": "US", "city": "Miami", "region": "FL", "street": "1450 Brickell Ave", "postal": "33131",
        "industry": "Healthcare", "founded": 2010, "employees": 520,
        "tagline": "Primary care clinics open seven days a week",
        "phones": [("general", "+1 305-555-0190")], "emails": ["patients", "press"],
        "social": ["facebook", "instagram", "linkedin"], "markup": "microdata", "style": "a", "lang": "en",
    },
    {
        "name": "Pinecrest Software Inc.", "brand": "Pinecrest Software", "domain": "pinecrestsoftware.example",
        "country": "US", "city": "Raleigh", "region": "NC", "street": "421 Fayetteville St", "postal": "27601",
        "industry": "Software", "founded": 2014, "employees": 48,
        "tagline": "Scheduling software for field service teams",
        "phones": [("general", "+1 919-555-0155")], "emails": ["hello", "support"],
        "social": ["linkedin", "github", "twitter"], "markup": "jsonld", "style": "c", "lang": "en",
    },
    {
        "name": "Quarry Hill Brewing Company", "brand": "Quarry Hill Brewing", "domain": "quarryhillbrewing.test",
        "country": "US", "city": "Burlington", "region": "VT", "street": "9 Pine St", "postal": "05401",
        "industry": None, "founded": 2008, "employees": None, "tagline": "Farmhouse ales from Vermont",
        "phones": [("general", "(802) 555-0148")], "emails": ["taproom", "distribution"],
        "social": ["instagram", "facebook"], "markup": "plain", "style": "a", "lang": "en",
    },
    {
        "name": "Atelier Lumière SARL", "brand": "Atelier Lumière", "domain": "atelier-lumiere.example",
        "country": "FR", "city": "Lyon", "region": None, "street": "14 rue Mercière", "postal": "69002",
        "industry": None, "founded": 2005, "employees": None,
        "tagline": "Conception lumière pour musées et théâtres",
        "phones": [("general", "04 72 55 01 23")], "emails": ["contact"], "social": ["instagram"],
        "markup": "plain", "style": "b", "lang": "fr",
    },
    {
        "name": "Bäckerei Sonnenschein GmbH", "brand": "Bäckerei Sonnenschein",
        "domain": "baeckerei-sonnenschein.example", "country": "DE", "city": "München", "region": "BY",
        "street": "Leopoldstraße 31", "postal": "80802", "industry": "Bäckerei", "founded": 1962,
        "employees": 45, "tagline": "Handwerksbäckerei in Schwabing",
        "phones": [("general", "+49 89 5550 3311")], "emails": ["info", "bestellung"],
        "social": ["facebook", "instagram"], "markup": "microdata", "style": "c", "lang": "de",
    },
    {
        "name": "Tidewater Marine Services", "brand": "Tidewater Marine", "domain": "tidewatermarine.example",
        "country": "US", "city": "Norfolk", "region": "VA", "street": "1 Waterside Dr", "postal": "23510",
        "industry": "Marine Services", "founded": 1976, "employees": 610,
        "tagline": "Ship repair, towing and harbor services",
        "phones": [("general", "+1 757-555-0133"), ("support", "+1 757-555-0134")],
        "emails": ["dispatch", "careers"], "social": ["linkedin", "facebook"],
        "markup": "microdata", "style": "b", "lang": "en",
    },
    {
        "name": "Umbra Games Studio AB", "brand": "Umbra Games", "domain": "umbragames.test",
        "country": "SE", "city": "Stockholm", "region": None, "street": "Götgatan 22", "postal": "118 46",
        "industry": "Video Games", "founded": 2017, "employees": 70,
        "tagline": "Atmospheric indie games for PC and console",
        "phones": [("general", "+46 8 555 012 34")], "emails": ["hello", "press", "jobs"],
        "social": ["twitter", "youtube", "instagram", "linkedin"], "markup": "jsonld", "style": "a", "lang": "en",
    },
    {
        "name": "Verdant Farms Cooperative", "brand": "Verdant Farms", "domain": "verdantfarms.example",
        "country": "US", "city": "Fresno", "region": "CA", "street": "2700 E Shields Ave", "postal": "93726",
        "industry": None, "founded": 1952, "employees": None,
        "tagline": "Grower-owned almonds and stone fruit since 1952",
        "phones": [("general", "(559) 555-0112")], "emails": ["members", "sales"],
        "social": ["facebook"], "markup": "plain", "style": "c", "lang": "en",
    },
    {
        "name": "Tortoise Freight Lines", "brand": "Tortoise Freight", "domain": "tortoise-freight.example",
        "country": "US", "city": "Omaha", "region": "NE", "street": "1200 Douglas St", "postal": "68102",
        "industry": "Trucking", "founded": 1983, "employees": 260,
        "tagline": "Less-than-truckload freight across the Midwest",
        "phones": [("general", "+1 402-555-0166")], "emails": ["dispatch"], "social": ["linkedin"],
        "markup": "jsonld", "style": "b", "lang": "en",
        "behaviour": {"latency_seconds": 2.5},
    },
    {
        "name": "Brightwater Instruments", "brand": "Brightwater Instruments",
        "domain": "brightwater-instruments.example", "country": "US", "city": "Boulder", "region": "CO",
        "street": "3100 Pearl St", "postal": "80301", "industry": "Scientific Instruments", "founded": 1999,
        "employees": 120, "tagline": "Spectrometers for field geology", "phones": [("general", "+1 303-555-0188")],
        "emails": ["info"], "social": ["linkedin"], "markup": "jsonld", "style": "a", "lang": "en",
        "behaviour": {"status": 500},
    },
    {
        "name": "Stalled Systems Inc.", "brand": "Stalled Systems", "domain": "stalled-systems.example",
        "country": "US", "city": "Tulsa", "region": "OK", "street": "1 W 3rd St", "postal": "74103",
        "industry": "IT Services", "founded": 2004, "employees": 55, "tagline": "IT support that never sleeps",
        "phones": [("general", "+1 918-555-0123")], "emails": ["info"], "social": ["linkedin"],
        "markup": "jsonld", "style": "c", "lang": "en", "behaviour": {"failure": "timeout"},
    },
    {
        "name": "Flakey Widgets Ltd", "brand": "Flakey Widgets", "domain": "flakey-widgets.example",
        "country": "GB", "city": "Manchester", "region": None, "street": "1 Spinningfields", "postal": "M3 3AP",
        "industry": "Manufacturing", "founded": 2010, "employees": 30, "tagline": "Widgets, mostly working",
        "phones": [("general", "+44 161 496 0101")], "emails": ["info"], "social": ["twitter"],
        "markup": "jsonld", "style": "a", "lang": "en", "behaviour": {"failure": "reset"},
    },
]

# Names a batch may ask for that have no site at all.
UNKNOWN_COMPANIES = ["Zephyr Quantum Holdings"]

# Hosts that exist but belong to nobody in COMPANIES: traps for resolution.
PARKED_DOMAINS = ["harborpoint.example"]
