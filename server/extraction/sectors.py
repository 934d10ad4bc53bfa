"""The sector list the results summary counts by, and the mapping of fine industry labels onto it.

Sectors (GICS-like, plus two the corpus of small companies needs):

Technology, Communication Services, Health Care, Financials, Industrials, Energy, Utilities,
Materials, Consumer Discretionary, Consumer Staples, Real Estate, Professional Services.

An industry keeps its fine label (``industry``: "Industrial Robotics", "Bäckerei", "Electronic
Computers"); ``sector`` is the first sector whose keywords occur in it (English, German, French), or
absent when none does: an unknown label is never forced into a sector. A stated industry code (NACE,
NAF, UK SIC, US SIC, NAICS) is placed by ``server.extraction.industry_codes`` instead, through the
mapping data in ``data/industry_codes/sectors_*.csv``; that sector outranks this keyword reading.
"""

from __future__ import annotations

import unicodedata

SECTOR_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Health Care", ("health", "medical", "clinic", "hospital", "pharma", "biotech", "dental", "veterin",
                     "gesundheit", "santé", "care services")),
    ("Financials", ("bank", "financ", "investment", "capital", "insurance", "asset management", "fintech",
                    "versicherung", "banque")),
    ("Energy", ("oil", "gas", "petroleum", "solar", "renewable", "energy", "wind power", "energie",
                "énergie")),
    ("Utilities", ("utility", "utilities", "electric power", "water supply")),
    ("Technology", ("software", "computer", "semiconductor", "data", "analytics", "cyber", "security",
                    "information technology", "it services", "cloud", "robot", "electronic", "instrument",
                    "internet", "saas", "audio")),
    ("Communication Services", ("video game", "games", "media", "telecom", "publishing", "broadcast",
                                "entertainment", "advertising")),
    ("Industrials", ("aerospace", "luft- und raumfahrt", "aéronautique", "logistic", "freight", "trucking",
                     "transport", "shipping", "marine", "machinery", "manufactur", "construction",
                     "engineering", "defense", "airline", "rail", "maschinenbau",
                     "machine tool")),
    ("Materials", ("chemical", "mining", "steel", "metal", "paper", "packaging")),
    ("Consumer Staples", ("food", "bakery", "bäckerei", "boulangerie", "beverage", "brew", "coffee",
                          "agricultur", "farm", "grocery", "tobacco", "household", "produce",
                          "cosmet", "cosmét")),
    ("Consumer Discretionary", ("retail", "apparel", "fashion", "restaurant", "hotel", "hospitality",
                                "automotive", "leisure", "travel", "e-commerce", "furniture")),
    ("Real Estate", ("real estate", "property", "reit", "immobilien")),
    ("Professional Services", ("consult", "architect", "legal", "law firm", "accounting", "advisory",
                               "design", "lighting design", "staffing", "marketing services")),
)  # fmt: skip
SECTORS = tuple(sector for sector, _ in SECTOR_KEYWORDS)


def sector_for(industry: str) -> str | None:
    """The documented sector of a fine industry label, or None when no keyword matches."""
    text = unicodedata.normalize("NFC", industry).casefold()
    for sector, keywords in SECTOR_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return sector
    return None
