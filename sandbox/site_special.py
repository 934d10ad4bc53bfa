"""Pages only some corpus sites have: a script-only shell, a German Impressum, robots.txt rules,
obfuscated e-mail addresses and the footer's legal link. Used by ``sandbox.site_templates``."""

# HTML literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

from html import escape
from typing import Any

from sandbox import site_noise
from sandbox.corpus_facts import CompanyFacts

IMPRESSUM_PATH = "/impressum/"
MANAGING_DIRECTOR_ROLE = "Managing Director"


def render_shell(facts: CompanyFacts) -> str:
    """A single-page-application shell: name in title and OpenGraph, everything else in JavaScript."""
    brand = escape(facts["brand"])
    return f"""<!DOCTYPE html>
<html lang="{facts["lang"]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{brand}</title>
<meta property="og:site_name" content="{brand}">
<meta property="og:type" content="website">
<link rel="manifest" href="/manifest.webmanifest">
{site_noise.head_scripts(facts, "home")}
</head>
<body>
<noscript>You need to enable JavaScript to run this app.</noscript>
<div id="root"></div>
{site_noise.tracking_pixels(facts, "home")}
</body>
</html>
"""


def impressum_body(facts: CompanyFacts, details: dict[str, Any], country_name: str) -> str:
    """The legally required German imprint: legal name, address, contact, managing director, register."""
    domain = facts["domain"]
    phone = facts["phones"][0][1]
    email = f"{facts['emails'][0]}@{domain}"
    return f"""<section class="impressum"><h1>Impressum</h1>
<p>Angaben gemäß § 5 TMG</p>
<address>{escape(facts["name"])}<br>{escape(facts["street"])}<br>{facts["postal"]} {escape(facts["city"])}<br>{country_name}</address>
<p>Telefon: {escape(phone)}<br>E-Mail: <a href="mailto:{email}">{email}</a></p>
<p>Geschäftsführer: {escape(details["managing_director"])}</p>
<p>Registergericht: Amtsgericht {escape(facts["city"])}<br>Registernummer: {escape(details["register"])}</p>
<p>Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV: {escape(details["managing_director"])}</p>
</section>"""


def legal_link(facts: CompanyFacts) -> str:
    """The footer's imprint link: the real Impressum where the site has one."""
    if "impressum" in facts.get("behaviour", {}):
        return f'<a href="{IMPRESSUM_PATH}">Impressum</a>'
    return '<a href="/imprint/">Imprint</a>'


def obfuscated_email(local: str, domain: str) -> str:
    """``info [at] example [dot] com``, as sites print addresses to dodge harvesters."""
    return f"{local} [at] {domain.replace('.', ' [dot] ')}"


def robots_txt(disallowed: list[str]) -> str:
    """A robots.txt disallowing ``disallowed`` for every User-Agent."""
    rules = "".join(f"Disallow: {path}\n" for path in disallowed)
    return f"User-agent: *\n{rules}\nSitemap: /sitemap.xml\n"
