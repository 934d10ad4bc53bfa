"""Renders one fictional company's website (home, about, contact, careers) in one of several layouts.

Three layouts (``style`` a/b/c) differ in navigation, footer and copyright markup; three ``markup`` kinds
state facts as JSON-LD, microdata or plain prose; labels come in English, German or French. The pages
carry the noise real sites have: cookie banners, analytics snippets, SVG logos, long prose.
"""

# HTML literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

import json
from html import escape
from typing import Any

from sandbox import corpus_identity, site_noise, site_special
from sandbox.corpus_facts import CompanyFacts

CURRENT_YEAR = 2025

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "about": "About us",
        "contact": "Contact",
        "careers": "Careers",
        "about_path": "/about/",
        "contact_path": "/contact/",
        "careers_path": "/careers/",
        "founded": "Founded in {year}",
        "employees": "a team of {n} employees",
        "industry": "Industry",
        "hq": "Headquarters",
        "cookie": "We use cookies to improve your experience. Accept all cookies?",
        "accept": "Accept",
        "rights": "All rights reserved.",
        "privacy": "Privacy policy",
        "phone": "Phone",
        "email": "Email",
        "open_roles": "Open positions",
        "apply": "Apply now",
        "general": "Main line",
        "sales": "Sales",
        "support": "Support",
        "lang": "en",
    },
    "de": {
        "home": "Startseite",
        "about": "Über uns",
        "contact": "Kontakt",
        "careers": "Karriere",
        "about_path": "/ueber-uns/",
        "contact_path": "/kontakt/",
        "careers_path": "/karriere/",
        "founded": "Gegründet {year}",
        "employees": "ein Team von {n} Mitarbeitern",
        "industry": "Branche",
        "hq": "Hauptsitz",
        "cookie": "Wir verwenden Cookies, um Ihr Erlebnis zu verbessern. Alle akzeptieren?",
        "accept": "Akzeptieren",
        "rights": "Alle Rechte vorbehalten.",
        "privacy": "Datenschutz",
        "phone": "Telefon",
        "email": "E-Mail",
        "open_roles": "Offene Stellen",
        "apply": "Jetzt bewerben",
        "general": "Zentrale",
        "sales": "Vertrieb",
        "support": "Kundendienst",
        "lang": "de",
    },
    "fr": {
        "home": "Accueil",
        "about": "À propos",
        "contact": "Contact",
        "careers": "Carrières",
        "about_path": "/a-propos/",
        "contact_path": "/contact/",
        "careers_path": "/carrieres/",
        "founded": "Fondée en {year}",
        "employees": "une équipe de {n} salariés",
        "industry": "Secteur",
        "hq": "Siège",
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience. Tout accepter ?",
        "accept": "Accepter",
        "rights": "Tous droits réservés.",
        "privacy": "Confidentialité",
        "phone": "Téléphone",
        "email": "Courriel",
        "open_roles": "Postes ouverts",
        "apply": "Postuler",
        "general": "Standard",
        "sales": "Ventes",
        "support": "Assistance",
        "lang": "fr",
    },
}

COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Deutschland",
    "FR": "France",
    "CA": "Canada",
    "SE": "Sweden",
    "NO": "Norway",
}

SOCIAL_URLS = {
    "linkedin": "https://www.linkedin.com/company/{slug}",
    "twitter": "https://twitter.com/{handle}",
    "github": "https://github.com/{handle}",
    "facebook": "https://www.facebook.com/{handle}",
    "instagram": "https://www.instagram.com/{handle}",
    "youtube": "https://www.youtube.com/@{handle}",
    "xing": "https://www.xing.com/pages/{handle}",
}

PROSE = [
    "{brand} works with customers who care about doing things properly rather than quickly. Every project "
    "starts with listening: we visit, we ask, and we write down what success looks like before we begin.",
    "Our people are the reason customers come back. We invest in training, share what we learn, and "
    "keep teams small enough that everyone knows who is responsible for what.",
    "We measure ourselves by outcomes our customers can see. That means clear reporting, honest "
    "timelines and a willingness to say no to work we cannot do well.",
    "Sustainability is part of how we operate, not a slogan. We track our energy use, choose local "
    "suppliers where we can, and publish what we find each year.",
]


def social_url(network: str, domain: str) -> str:
    """The fictional profile URL of a company on a social network."""
    slug = domain.split(".")[0]
    return SOCIAL_URLS[network].format(slug=slug, handle=slug.replace("-", ""))


def page_paths(facts: CompanyFacts) -> dict[str, str]:
    """URL path of each page kind for this company's language."""
    labels = LABELS[facts["lang"]]
    return {
        "home": "/",
        "about": labels["about_path"],
        "contact": labels["contact_path"],
        "careers": labels["careers_path"],
    }


def render_site(facts: CompanyFacts) -> dict[str, str]:
    """Every page of the site: URL path -> HTML (``robots.txt`` included when the site has one)."""
    behaviour = facts.get("behaviour", {})
    if behaviour.get("shell"):
        return {"/": site_special.render_shell(facts)}
    paths = page_paths(facts)
    pages = {
        paths["home"]: _page(facts, "home", _home_body(facts)),
        # A moved about page is served at its new path; links keep the old one, which redirects.
        behaviour.get("about_moved", paths["about"]): _page(facts, "about", _about_body(facts)),
        paths["contact"]: _page(facts, "contact", _contact_body(facts)),
        paths["careers"]: _page(facts, "careers", _careers_body(facts)),
    }
    if "impressum" in behaviour:
        body = site_special.impressum_body(facts, behaviour["impressum"], COUNTRY_NAMES[facts["country"]])
        pages[site_special.IMPRESSUM_PATH] = _page(facts, "impressum", body)
    if "robots_disallow" in behaviour:
        pages["/robots.txt"] = site_special.robots_txt(behaviour["robots_disallow"])
    return pages


def render_parked(domain: str) -> str:
    """A parked-domain page: exists, but belongs to no company."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{domain} is for sale</title>
<meta name="description" content="This domain may be for sale. Make an offer today.">
<script>window.__parking={{"lander":"v3","domain":"{domain}"}};</script></head>
<body><div class="parking"><h1>{domain}</h1><p>This domain may be for sale. Make an offer today.</p>
<p>Related searches: Dental Insurance, Boat Rentals, Harbor Tours, Teeth Whitening</p></div></body></html>
"""


def _page(facts: CompanyFacts, kind: str, body: str) -> str:
    labels = LABELS[facts["lang"]]
    brand = escape(facts["brand"])
    title = {
        "home": f"{brand} | {escape(facts['tagline'])}",
        "about": f"{labels['about']} | {brand}",
        "contact": f"{labels['contact']} | {brand}",
        "careers": f"{labels['careers']} | {brand}",
        "impressum": f"Impressum | {brand}",
    }[kind]
    head_extra = (
        corpus_identity.json_ld_block(facts, _json_ld(facts))
        if facts["markup"] == "jsonld" and kind == "home"
        else ""
    )
    if facts["markup"] == "jsonld" and kind == "careers":
        head_extra += _job_posting(facts)
    og = "" if facts["markup"] == "plain" and facts["style"] == "c" else _opengraph(facts, kind)
    return f"""<!DOCTYPE html>
<html lang="{labels["lang"]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="description" content="{escape(facts["tagline"])}.">
{og}
<link rel="stylesheet" href="/assets/site.css?v=3.4.1">
<link rel="icon" href="/favicon.ico">
<script async src="https://analytics.example/tag.js?id=UA-{sum(facts["domain"].encode()) % 99999}"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());
gtag('config','site-{facts["style"]}',{{anonymize_ip:true}});</script>
{site_noise.head_scripts(facts, kind)}
{head_extra}
</head>
<body class="layout-{facts["style"]} page-{kind}">
{site_noise.icon_sprite()}
{_cookie_banner(labels)}
{site_noise.consent_dialog(facts)}
{_header(facts)}
{site_noise.mobile_menu(facts, _main_links(facts))}
<main id="content">
{body}
{_page_extras(facts, kind)}{corpus_identity.page_extras(facts, kind)}
</main>
{_footer(facts)}
{site_noise.tracking_pixels(facts, kind)}
<script>document.querySelectorAll('[data-year]').forEach(function(e){{e.textContent=new Date().getFullYear();}});
</script>
</body>
</html>
"""


def _main_links(facts: CompanyFacts) -> list[tuple[str, str]]:
    labels = LABELS[facts["lang"]]
    paths = page_paths(facts)
    return [(paths[kind], labels[kind]) for kind in ("home", "about", "careers", "contact")]


def _page_extras(facts: CompanyFacts, kind: str) -> str:
    """Marketing blocks around the page's own content; the home page carries the most."""
    if kind == "home":
        return (
            site_noise.hero_media(facts)
            + site_noise.logo_wall(facts)
            + site_noise.testimonials(facts)
            + site_noise.news_teasers(facts)
        )
    if kind == "contact":
        return site_noise.logo_wall(facts)
    return site_noise.testimonials(facts) + site_noise.news_teasers(facts)


def _opengraph(facts: CompanyFacts, kind: str) -> str:
    return (
        f'<meta property="og:site_name" content="{escape(facts["brand"])}">\n'
        f'<meta property="og:type" content="website">\n'
        f'<meta property="og:title" content="{escape(facts["brand"])}">\n'
        f'<meta property="og:url" content="https://{facts["domain"]}{page_paths(facts).get(kind, "/")}">\n'
        f'<meta property="og:description" content="{escape(facts["tagline"])}.">\n'
        f'<meta property="og:image" content="https://{facts["domain"]}/assets/og-image.png">'
    )


def _json_ld(facts: CompanyFacts) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Corporation" if facts["style"] == "b" else "Organization",
        "name": facts["brand"],
        "legalName": facts["name"],
        "url": f"https://{facts['domain']}/",
        "logo": f"https://{facts['domain']}/assets/logo.svg",
        "description": f"{facts['tagline']}.",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facts["street"],
            "addressLocality": facts["city"],
            "postalCode": facts["postal"],
            "addressCountry": facts["country"],
        },
        "telephone": facts["phones"][0][1],
        "email": f"{facts['emails'][0]}@{facts['domain']}",
        "sameAs": [social_url(network, facts["domain"]) for network in facts["social"]],
        "foundingDate": f"{facts['founded']}-01-01" if facts["style"] == "a" else str(facts["founded"]),
        "numberOfEmployees": {"@type": "QuantitativeValue", "value": facts["employees"]},
    }
    if facts["region"]:
        data["address"]["addressRegion"] = facts["region"]
    return f'<script type="application/ld+json">\n{json.dumps(data, indent=2, ensure_ascii=False)}\n</script>'


def _job_posting(facts: CompanyFacts) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Senior Operations Engineer",
        "industry": facts["industry"],
        "datePosted": f"{CURRENT_YEAR}-03-01",
        "hiringOrganization": {
            "@type": "Organization",
            "name": facts["brand"],
            "sameAs": f"https://{facts['domain']}/",
        },
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": facts["city"],
                "addressCountry": facts["country"],
            },
        },
    }
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _cookie_banner(labels: dict[str, str]) -> str:
    return f"""<div id="cookie-consent" class="cookie-banner" role="dialog" aria-live="polite" hidden>
  <p>{labels["cookie"]} <a href="/privacy/">{labels["privacy"]}</a></p>
  <button type="button" class="btn" onclick="document.cookie='consent=1;path=/';this.parentNode.remove()">
{labels["accept"]}</button>
</div>
<script>if(!document.cookie.includes('consent=1')){{document.getElementById('cookie-consent').hidden=false;}}</script>"""


def _logo(facts: CompanyFacts) -> str:
    initial = escape(facts["brand"][0])
    return (
        f'<svg class="logo" width="32" height="32" viewBox="0 0 32 32" aria-hidden="true"><circle cx="16" '
        f'cy="16" r="15" fill="#1f6f8b"/><text x="10" y="22" fill="#fff">{initial}</text></svg>'
    )


def _header(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    paths = page_paths(facts)
    items = [
        ("home", labels["home"]),
        ("about", labels["about"]),
        ("careers", labels["careers"]),
        ("contact", labels["contact"]),
    ]
    brand = escape(facts["brand"])
    if facts["style"] == "a":
        links = "".join(f'<li><a href="{paths[k]}">{escape(t)}</a></li>' for k, t in items)
        return (
            f'<header class="site-header"><a class="brand" href="/">{_logo(facts)} {brand}</a>'
            f'<nav aria-label="Main">{site_noise.mega_menu(facts)}<ul class="menu">{links}</ul></nav></header>'
        )
    if facts["style"] == "b":
        links = " ".join(
            f'<a class="nav-link" href="https://{facts["domain"]}{paths[k]}">{escape(t)}</a>'
            for k, t in items
        )
        return (
            f'<div class="topbar"><div class="container"><span class="logo-text">{brand}</span>'
            f'<button class="hamburger" aria-label="Menu">&#9776;</button><div class="nav">{site_noise.mega_menu(facts)}{links}</div></div></div>'
        )
    links = "".join(f'<a href="{paths[k].rstrip("/") or "/"}">{escape(t)}</a>' for k, t in items)
    return (
        f'<nav class="navbar navbar-expand-lg"><div class="navbar-brand">{_logo(facts)}</div>'
        f'<div class="navbar-nav">{links}</div>{site_noise.mega_menu(facts)}</nav>'
    )


def _footer(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    brand = escape(facts["brand"])
    socials = "".join(
        f'<a class="social social-{n}" href="{corpus_identity.social_href(n, social_url(n, facts["domain"]), facts)}"'
        f' rel="noopener">{n.title()}</a> '
        for n in facts["social"]
    )
    org = _microdata_org(facts) if facts["markup"] == "microdata" else ""
    if facts["style"] == "a":
        copyright_line = f"© {facts['founded']}\u2013{CURRENT_YEAR} {escape(facts['name'].rstrip('.'))}. {labels['rights']}"
    elif facts["style"] == "b":
        copyright_line = f"Copyright © {CURRENT_YEAR} {brand}. {labels['rights']}"
    else:
        copyright_line = f"&copy; {brand} {CURRENT_YEAR}"
    return f"""<footer class="site-footer">
  <div class="footer-cols">
    <div class="col"><h4>{brand}</h4><p>{escape(facts["tagline"])}.</p></div>
    <div class="col"><h4>{labels["contact"]}</h4><a href="{page_paths(facts)["contact"]}">{labels["contact"]}</a></div>
    <div class="col social-links">{socials}</div>
  </div>
  {site_noise.mega_footer(facts)}
  {org}
  <p class="copyright">{copyright_line}</p>
  <p class="legal"><a href="/privacy/">{labels["privacy"]}</a> · {site_special.legal_link(facts)}</p>
</footer>"""


def _microdata_org(facts: CompanyFacts) -> str:
    region = f'<span itemprop="addressRegion">{facts["region"]}</span> ' if facts["region"] else ""
    return f"""<div class="org-card" itemscope itemtype="https://schema.org/Organization">
    <meta itemprop="name" content="{escape(facts["brand"])}">
    <link itemprop="url" href="https://{facts["domain"]}/">
    <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
      <span itemprop="streetAddress">{escape(facts["street"])}</span>,
      <span itemprop="postalCode">{facts["postal"]}</span> <span itemprop="addressLocality">{escape(facts["city"])}</span>,
      {region}<span itemprop="addressCountry">{facts["country"]}</span>
    </div>
    <span itemprop="telephone">{facts["phones"][0][1]}</span> ·
    <a itemprop="email" href="mailto:{facts["emails"][0]}@{facts["domain"]}">{facts["emails"][0]}@{facts["domain"]}</a>
  </div>"""


def _prose(facts: CompanyFacts, count: int, offset: int = 0) -> str:
    paragraphs = [PROSE[(offset + i) % len(PROSE)].format(brand=escape(facts["brand"])) for i in range(count)]
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def _home_body(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    brand = escape(facts["brand"])
    cards = "".join(
        f'<article class="card"><h3>{escape(t)}</h3><p>{_prose(facts, 1, i)}</p></article>'
        for i, t in enumerate(["Quality", "Service", "Experience"])
    )
    return f"""<section class="hero"><h1>{brand}</h1><p class="lead">{escape(facts["tagline"])}.</p>
<a class="btn btn-primary" href="{page_paths(facts)["contact"]}">{labels["contact"]}</a></section>
<section class="features">{cards}</section>
<section class="intro">{_prose(facts, 3, 1)}</section>
<section class="cta"><a href="{page_paths(facts)["about"]}">{labels["about"]} &rarr;</a></section>"""


def _about_body(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    facts_list = ""
    if facts["markup"] != "plain" and facts["industry"]:
        facts_list += f"<dt>{labels['industry']}</dt><dd>{escape(facts['industry'])}</dd>"
    facts_list += f"<dt>{labels['hq']}</dt><dd>{escape(facts['city'])}</dd>"
    story = labels["founded"].format(year=facts["founded"])
    if facts["employees"] and facts["markup"] != "jsonld":
        story += ", " + labels["employees"].format(n=f"{facts['employees']:,}")
    return f"""<section class="about"><h1>{labels["about"]}</h1>
<p class="story">{story}. {escape(facts["brand"])} — {escape(facts["tagline"])}.</p>
<dl class="facts">{facts_list}</dl>
{_prose(facts, 4, 2)}
</section>"""


def _contact_body(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    domain = facts["domain"]
    if facts.get("behaviour", {}).get("obfuscated_emails"):
        emails = "".join(f"<li>{site_special.obfuscated_email(e, domain)}</li>" for e in facts["emails"])
    else:
        emails = "".join(f'<li><a href="mailto:{e}@{domain}">{e}@{domain}</a></li>' for e in facts["emails"])
    if facts["markup"] == "plain":
        phones = "".join(f"<li>{labels['phone']}: {escape(d)}</li>" for _, d in facts["phones"])
        country = COUNTRY_NAMES[facts["country"]]
        if facts["country"] == "US":
            city_line = f"{escape(facts['city'])}, {facts['region']} {facts['postal']}"
        else:
            city_line = f"{facts['postal']} {escape(facts['city'])}"
        address = f"<address>{escape(facts['street'])}<br>{city_line}<br>{country}</address>"
    else:
        phones = "".join(
            f'<li><span class="label">{labels.get(kind, kind)}</span> <a href="tel:{d.replace(" ", "")}">{escape(d)}'
            f"</a></li>"
            for kind, d in facts["phones"]
        )
        address = f"<p>{escape(facts['street'])}, {escape(facts['city'])}</p>"
    return f"""<section class="contact"><h1>{labels["contact"]}</h1>
<div class="contact-grid"><div><h2>{labels["hq"]}</h2>{address}</div>
<div><h2>{labels["phone"]}</h2><ul class="phones">{phones}</ul></div>
<div><h2>{labels["email"]}</h2><ul class="emails">{emails}</ul></div></div>
<form class="contact-form" action="/contact/send" method="post"><input name="name"><textarea name="msg"></textarea>
<button>Send</button></form>
{_prose(facts, 1, 3)}
</section>"""


def _careers_body(facts: CompanyFacts) -> str:
    labels = LABELS[facts["lang"]]
    roles = ["Senior Operations Engineer", "Account Executive", "Customer Success Manager"]
    items = "".join(
        f'<li><a href="#">{r}</a> — {escape(facts["city"])} <a class="btn">{labels["apply"]}</a></li>'
        for r in roles
    )
    return f"""<section class="careers"><h1>{labels["careers"]}</h1>{_prose(facts, 2, 1)}
<h2>{labels["open_roles"]}</h2><ul class="jobs">{items}</ul></section>"""
