"""Corpus sites for company facts stated among statements about others, and the truth they give.

The generated sites (``sandbox.build_corpus``) state every fact in the company's own voice. Real sites
do not: a blog post says "Pedal Union was founded in 2005", a meeting room has "room for 12 people", a
partner's address sits beside the company's, and a site's root may forward to an article. These hand-
written sites hold those cases, each beside the company's own statement where it has one:

- ``harlow-cycles.example`` (GB): ``/`` forwards to a blog post (dated path, ``<article>``, published
  time) whose body names a partner's founding year, head count and address and a room's capacity; only
  the footer's address is the company's. No description (the post's summary is not one), no founding
  year, no head count.
- ``brandt-partner.example`` (DE): the about page says a partner foundation "wurde 1950 gegründet" before
  "Die Brandt & Partner GmbH wurde 1998 in Köln gegründet. Heute beschäftigen wir 45 Mitarbeiter", and
  "Platz für 12 Personen"; the contact page prints the address in a sentence inside ``<address>``.
- ``ridgeline-analytics.example`` (US): the about page says "In 2005 the state founded ...", "room for 5
  people", a partner's address, then "Ridgeline Analytics, 1600 Champa St, Denver, CO 80202" in prose and
  "Ridgeline Analytics was founded in 2011"; the footer credits its web agency, with the agency's address.
- ``sharma-textiles.example`` (IN): "was founded in 1988" under the logo (its alt text is the subject),
  then a cooperative's founding; the footer prints the address with state and PIN code.
- ``harlow-cycles.example`` states its founding date only in JSON-LD wrapped in ``<![CDATA[ ]]>``.
- ``qinghe.example`` (CN): pages served in GB2312 whose footer glues the brand to the legal entity
  ("Copyright © 2012-2024 QINGHE 杭州青禾数据科技有限公司" and an ICP number): the entity is the legal
  name, the brand before it the company name, never the whole line.
- ``lindenhof-verlag.example`` (DE): ``/`` forwards to a book's product page whose body prints an event
  venue's number unlabelled ("Karten: 0621 4180 230") beside the publisher's "Tel. 06221 64 80 0" in the
  footer; only the labelled line is the company's.

Run after the generator and the offices step (idempotent)::

    python -m sandbox.build_corpus && python -m sandbox.corpus_offices && python -m sandbox.corpus_site_facts
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path
from typing import Any

from sandbox.corpus_format import INDEX_FILE, META_FILE, SITES_DIR

DEFAULT_CORPUS_DIR = Path(__file__).parent / "corpus"
TRUTH_FILE = "truth.json"
GENERATED_MARK = ".generated"
HARLOW_POST = "/blog/2024/05/riding-with-pedal-union/"
NAV = {
    "en": '<li><a href="/">Home</a></li><li><a href="/about/">About</a></li>'
    '<li><a href="/contact/">Contact</a></li>',
    "de": '<li><a href="/">Start</a></li><li><a href="/ueber-uns/">Über uns</a></li>'
    '<li><a href="/kontakt/">Kontakt</a></li>',
    "zh": '<li><a href="/">首页</a></li><li><a href="/about/">关于我们</a></li>',
}


def _page(
    lang: str, title: str, brand: str, description: str, body: str, head: str = "", charset: str = "utf-8"
) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="{charset}">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<meta property="og:site_name" content="{escape(brand)}">
{head}
</head>
<body>
<header><a class="logo" href="/">{escape(brand)}</a>
<nav><ul>{NAV[lang]}</ul></nav>
</header>
{body}
</body>
</html>
"""


def harlow_pages() -> dict[str, str]:
    """A blog post as the landing page; the footer holds the company's address."""
    post = """<main>
<article class="post">
<h1>Riding with Pedal Union</h1>
<p class="byline">By Sam Okafor · <time datetime="2024-05-14">14 May 2024</time></p>
<p>This spring we spent a weekend with our friends at Pedal Union, the touring club from the next town.
Pedal Union was founded in 2005 by a group of commuters who were tired of riding alone. Today the club
employs 30 people in its workshop and shop, and its members ride more than a million miles a year.</p>
<p>Their clubhouse has room for 12 people, so we met at the station instead. If you want to join them,
visit Pedal Union at 12 Station Road, Bishop's Stortford CM23 3BL on any Saturday morning.</p>
<p>In 2005 the county council founded a cycling trust as well; it still funds the lanes we rode. Our
route took us through three villages and along the river, and we stopped twice for coffee and cake.
The group of 4,378 people who follow our rides online voted for the route, and next month's ride will
follow the old railway line north. Bring lights, a spare tube and a good appetite.</p>
</article>
</main>
<footer class="site-footer"><p>Harlow Cycles Ltd, 5 Market Street, Harlow CM20 1AA, United Kingdom</p>
<p><a href="/contact/">Contact</a></p></footer>"""
    head = (
        '<meta property="article:published_time" content="2024-05-14T09:00:00Z">\n'
        '<script type="application/ld+json">\n<![CDATA[\n{"@context": "https://schema.org",'
        ' "@type": "Organization", "name": "Harlow Cycles", "foundingDate": "1978"}\n]]>\n</script>'
    )
    summary = "A weekend ride with the Pedal Union touring club, and where to find them."
    return {
        HARLOW_POST: _page(
            "en", "Riding with Pedal Union | Harlow Cycles", "Harlow Cycles", summary, post, head
        )
    }


def brandt_pages() -> dict[str, str]:
    """A German site: about page with a partner's founding year beside the firm's, contact in prose."""
    brand = "Brandt & Partner"
    home = _page(
        "de",
        f"{brand} | Steuerberatung für den Mittelstand",
        brand,
        "Steuerberatung und Wirtschaftsprüfung für den Mittelstand im Rheinland.",
        """<main><section class="hero"><h1>Brandt &amp; Partner</h1>
<p>Steuerberatung und Wirtschaftsprüfung für den Mittelstand im Rheinland.</p>
<a href="/ueber-uns/">Über uns</a> <a href="/kontakt/">Kontakt</a></section></main>""",
    )
    about = _page(
        "de",
        f"Über uns | {brand}",
        brand,
        "Wer wir sind: Steuerberater im Rheinland.",
        """<main><h1>Über uns</h1>
<p>Unser langjähriger Partner, die Rheinland Stiftung, wurde 1950 gegründet.</p>
<p>Die Brandt &amp; Partner GmbH wurde 1998 in Köln gegründet. Heute beschäftigen wir 45 Mitarbeiter.</p>
<p>Unser Besprechungsraum bietet Platz für 12 Personen.</p></main>""",
    )
    contact = _page(
        "de",
        f"Kontakt | {brand}",
        brand,
        "So erreichen Sie uns.",
        """<main><h1>Kontakt</h1>
<address>Sie finden uns in der Hohe Straße 12, 50667 Köln, Deutschland, direkt am Dom.</address></main>""",
    )
    return {"/": home, "/ueber-uns/": about, "/kontakt/": contact}


def ridgeline_pages() -> dict[str, str]:
    """A US site: about page with statements about others before the company's own."""
    brand = "Ridgeline Analytics"
    home = _page(
        "en",
        f"{brand} | Forecasting for water utilities",
        brand,
        "Demand forecasting and leak detection for water utilities.",
        """<main><h1>Ridgeline Analytics</h1><p>Demand forecasting and leak detection for water utilities.</p>
<a href="/about/">About us</a> <a href="/contact/">Contact</a></main>""",
    )
    about = _page(
        "en",
        f"About us | {brand}",
        brand,
        "Who we are.",
        """<main><h1>About us</h1>
<p>In 2005 the state founded a water data office, and its open data made our work possible.</p>
<p>Our Denver office has room for 5 people; most of us work remotely.</p>
<p>Our partner Summit Labs is at 200 Park Ave, San Jose, CA 95113.</p>
<p>Ridgeline Analytics, 1600 Champa St, Denver, CO 80202.</p>
<p>Ridgeline Analytics was founded in 2011 by two hydrologists.</p></main>
<footer><p>Website by Pixel Yard LLC, 3001 Brighton Blvd, Denver, CO 80216</p></footer>""",
    )
    contact = _page("en", f"Contact | {brand}", brand, "Write to us.", "<main><h1>Contact</h1></main>")
    return {"/": home, "/about/": about, "/contact/": contact}


def sharma_pages() -> dict[str, str]:
    """An Indian site: the founding sentence's subject is the logo above it; the footer's address has a
    state and a PIN code."""
    brand = "Sharma Textiles"
    footer = """<footer class="site-footer"><p>Sharma Textiles Pvt. Ltd., 14 Linking Road, Bandra West,
Mumbai, Maharashtra 400050, India</p></footer>"""
    home = _page(
        "en",
        f"{brand} | Handloom cotton and silk since three generations",
        brand,
        "Handloom cotton and silk fabrics from Mumbai for designers and retailers.",
        f"""<main><h1>Sharma Textiles</h1><p>Handloom cotton and silk fabrics.</p>
<a href="/about/">About us</a></main>{footer}""",
    )
    about = _page(
        "en",
        f"About us | {brand}",
        brand,
        "Our story.",
        f"""<main><div class="brand"><img src="/logo.png" alt="Sharma Textiles"></div>
<h3>was founded in 1988 by Ravi Sharma in a single room in Bandra.</h3>
<p>Our weavers' cooperative in Varanasi was founded in 1952.</p></main>{footer}""",
    )
    return {"/": home, "/about/": about}


def qinghe_pages() -> dict[str, str]:
    """A Chinese site whose copyright line glues the brand to its legal entity (served in GB2312)."""
    footer = """<footer><p class="company">Copyright &copy; 2012-2024 QINGHE 杭州青禾数据科技有限公司
<a href="https://beian.miit.gov.cn/">浙ICP备12034567号</a></p></footer>"""
    home = _page(
        "zh",
        "青禾北美站",
        "",
        "青禾为农业合作社提供土壤与气象数据服务。",
        f"""<main><h1>土壤与气象数据</h1><p>青禾为农业合作社提供土壤与气象数据服务。</p>
<a href="/about/">关于我们</a></main>{footer}""",
        charset="gb2312",
    )
    about = _page(
        "zh", "加入我们", "", "团队与岗位。", f"<main><h1>团队</h1></main>{footer}", charset="gb2312"
    )
    return {"/": home, "/about/": about}


LINDENHOF_BOOK = "/buecher/produktdetails/4711-gaerten_im_wandel.html"


def lindenhof_pages() -> dict[str, str]:
    """A publisher's book page as the landing page: a venue's bare number in the body, the publisher's
    labelled line in the footer."""
    brand = "Lindenhof Verlag"
    book = _page(
        "de",
        f"Gärten im Wandel | {brand}",
        brand,
        "Gärten im Wandel: ein Buch über naturnahe Gärten.",
        """<main><h1>Gärten im Wandel</h1><p>Ein Buch über naturnahe Gärten, 240 Seiten.</p>
<div class="event"><a href="/termine/">Lesung im Kulturhaus Mannheim</a><span>Karten: 0621 4180 230</span>
</div></main>
<footer><p>© 2024 Lindenhof Verlag GmbH</p><p>Tel. 06221 64 80 0</p></footer>""",
    )
    return {LINDENHOF_BOOK: book}


SITES: dict[str, dict[str, Any]] = {
    "harlow-cycles.example": {
        "pages": harlow_pages,
        "meta": {"path_redirects": {"/": HARLOW_POST}},
        "truth": {
            "name": "Harlow Cycles",
            "country": "GB",
            "language": "en",
            "profile": {
                "company_name": "Harlow Cycles",
                "founded_year": 1978,
                "headquarters": {
                    "city": "Harlow",
                    "country": "United Kingdom",
                    "country_code": "GB",
                    "street_address": "5 Market Street",
                    "postal_code": "CM20 1AA",
                },
            },
        },
    },
    "brandt-partner.example": {
        "pages": brandt_pages,
        "meta": None,
        "truth": {
            "name": "Brandt & Partner",
            "country": "DE",
            "language": "de",
            "profile": {
                "company_name": "Brandt & Partner",
                "description": "Steuerberatung und Wirtschaftsprüfung für den Mittelstand im Rheinland.",
                "founded_year": 1998,
                "employee_count": "11-50",
                "employee_count_exact": 45,
                "headquarters": {
                    "city": "Köln",
                    "country": "Germany",
                    "country_code": "DE",
                    "street_address": "Hohe Straße 12",
                    "postal_code": "50667",
                },
            },
        },
    },
    "sharma-textiles.example": {
        "pages": sharma_pages,
        "meta": None,
        "truth": {
            "name": "Sharma Textiles",
            "country": "IN",
            "language": "en",
            "profile": {
                "company_name": "Sharma Textiles",
                # The about text prints the registered name before the address.
                "legal_name": "Sharma Textiles Pvt. Ltd.",
                "description": "Handloom cotton and silk fabrics from Mumbai for designers and retailers.",
                "founded_year": 1988,
                "headquarters": {
                    "city": "Mumbai",
                    "country": "India",
                    "country_code": "IN",
                    "state": "Mahārāshtra",
                    "state_code": "IN-MH",
                    "street_address": "14 Linking Road, Bandra West",
                    "postal_code": "400050",
                },
            },
        },
    },
    "qinghe.example": {
        "pages": qinghe_pages,
        "encoding": "gb2312",
        "meta": {"headers": {"Content-Type": "text/html; charset=GB2312"}},
        "truth": {
            "name": "QINGHE",  # submitted by the Latin brand a foreign client knows it by
            "country": "CN",
            "language": "zh",
            "profile": {
                "company_name": "QINGHE",
                "legal_name": "杭州青禾数据科技有限公司",
                "description": "青禾为农业合作社提供土壤与气象数据服务。",
            },
        },
    },
    "lindenhof-verlag.example": {
        "pages": lindenhof_pages,
        "meta": {"path_redirects": {"/": LINDENHOF_BOOK}},
        "truth": {
            "name": "Lindenhof Verlag",
            "country": "DE",
            "language": "de",
            "profile": {
                "company_name": "Lindenhof Verlag",
                "legal_name": "Lindenhof Verlag GmbH",
                "contacts": {"phones": [{"number": "+49622164800", "type": "general"}]},
            },
        },
    },
    "ridgeline-analytics.example": {
        "pages": ridgeline_pages,
        "meta": None,
        "truth": {
            "name": "Ridgeline Analytics",
            "country": "US",
            "language": "en",
            "profile": {
                "company_name": "Ridgeline Analytics",
                "description": "Demand forecasting and leak detection for water utilities.",
                "founded_year": 2011,
                "headquarters": {
                    "city": "Denver",
                    "country": "United States",
                    "country_code": "US",
                    "state": "Colorado",
                    "state_code": "US-CO",
                    "street_address": "1600 Champa St",
                    "postal_code": "80202",
                },
            },
        },
    },
}


def truth_entry(domain: str, site: dict[str, Any]) -> dict[str, Any]:
    """The truth.json record of one site (the generator's shape)."""
    truth = site["truth"]
    profile = {"domain": domain, "website": f"https://{domain}/", **truth["profile"]}
    return {
        "name": truth["name"],
        "country": truth["country"],
        "domain": domain,
        "markup": "plain",
        "language": truth["language"],
        "hard_case": ["site_facts"],
        "expected_outcome": "success",
        "profile": profile,
    }


def apply(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> None:
    """Write the sites and put their records in truth.json (replacing earlier ones)."""
    for domain, site in SITES.items():
        root = corpus_dir / SITES_DIR / domain
        for path, html in site["pages"]().items():
            target = root / path.strip("/") / INDEX_FILE if path.endswith("/") else root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, site.get("encoding", "utf-8"))
        (root / GENERATED_MARK).write_text("written by sandbox.corpus_site_facts\n", "utf-8")
        if site["meta"]:
            (root / META_FILE).write_text(json.dumps(site["meta"], indent=2) + "\n", "utf-8")
    truth_path = corpus_dir / TRUTH_FILE
    truth = json.loads(truth_path.read_text("utf-8"))
    kept = [company for company in truth["companies"] if company["domain"] not in SITES]
    truth["companies"] = kept + [truth_entry(domain, site) for domain, site in SITES.items()]
    truth_path.write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    apply(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS_DIR)
