"""The bulk real company sites carry around their facts: menus, mega-footers, scripts, consent dialogs.

Real pages are 30-120 KB, most of it navigation, tracking, configuration blobs and marketing blocks,
and an extractor must find the few facts inside. Everything here is deterministic (seeded by domain
and page kind) and deliberately free of facts: no e-mail addresses, phone numbers, "founded"/"since"
statements or head counts, so truth.json stays what the templates state. Three families of noise
follow the three layouts: WordPress-like (a), a React/Next.js export (b) and a site builder (c).
"""

# HTML literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

import hashlib
import json
import random
from html import escape

from sandbox.corpus_facts import CompanyFacts
from sandbox.site_noise_words import (
    COOKIE_PURPOSE,
    COOKIE_VENDORS,
    FOOTER_COLUMNS,
    ICON_PATHS,
    MENU_SECTIONS,
    NEWS_HEADLINES,
    TESTIMONIAL_PEOPLE,
    TESTIMONIAL_QUOTES,
)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September"]
# How many catalogue entries the framework-specific configuration blob carries, per layout; real
# single-page-app exports ship their whole content store inline, WordPress far less.
CATALOGUE_ENTRIES = {"a": 40, "b": 160, "c": 90}


def rng_for(facts: CompanyFacts, kind: str) -> random.Random:
    """A generator seeded by domain and page kind, so regeneration is byte-for-byte stable."""
    digest = hashlib.sha256(f"{facts['domain']}|{kind}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def slug(text: str) -> str:
    """A URL path segment for a menu label."""
    table = str.maketrans(
        {
            "ä": "ae",
            "ö": "oe",
            "ü": "ue",
            "ß": "ss",
            "é": "e",
            "è": "e",
            "É": "e",
            "Ö": "oe",
            "Ä": "ae",
            "Ü": "ue",
        }
    )
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.lower().translate(table))
    return "-".join(part for part in cleaned.split("-") if part)


def icon_sprite() -> str:
    """An inline SVG sprite of UI icons, as design systems embed at the top of ``<body>``."""
    symbols = "".join(
        f'<symbol id="icon-{i}" viewBox="0 0 24 24"><path d="{path}"/><path d="{path}" transform="rotate(90 12 12)" opacity=".2"/></symbol>'
        for i, path in enumerate(ICON_PATHS * 3)
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">{symbols}</svg>'


def _icon(index: int) -> str:
    return f'<svg class="icon" width="20" height="20" aria-hidden="true"><use href="#icon-{index % len(ICON_PATHS)}"></use></svg>'


def mega_menu(facts: CompanyFacts) -> str:
    """Dropdown panels of the main navigation: every item with an icon and a one-line teaser."""
    rng = rng_for(facts, "menu")
    panels = []
    for section, items in MENU_SECTIONS[facts["lang"]].items():
        entries = "".join(
            f'<li class="mega-item"><a href="/{slug(section)}/{slug(item)}/" data-track="nav_{slug(item)}">{_icon(i)}'
            f'<span class="mega-title">{escape(item)}</span><span class="mega-teaser">{escape(rng.choice(TESTIMONIAL_QUOTES)[:60])}</span></a></li>'
            for i, item in enumerate(items)
        )
        panels.append(
            f'<li class="has-dropdown"><button class="dropdown-toggle" aria-expanded="false" aria-controls="panel-{slug(section)}">{escape(section)}</button>'
            f'<div class="mega-panel" id="panel-{slug(section)}" hidden><ul class="mega-list">{entries}</ul>'
            f'<div class="mega-promo"><img src="/assets/promo-{rng.randint(1, 9)}.webp" alt="" loading="lazy" width="320" height="180">'
            f'<a class="promo-link" href="/{slug(section)}/">{escape(section)} &rarr;</a></div></div></li>'
        )
    return f'<ul class="mega-menu" role="menubar">{"".join(panels)}</ul>'


def mobile_menu(facts: CompanyFacts, links: list[tuple[str, str]]) -> str:
    """The off-canvas menu phones see: the same links again, hidden on desktop."""
    sections = "".join(
        f"<details><summary>{escape(section)}</summary><ul>{''.join(f'<li><a href=/{slug(section)}/{slug(i)}/>{escape(i)}</a></li>' for i in items)}</ul></details>"
        for section, items in MENU_SECTIONS[facts["lang"]].items()
    )
    main = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
    return f'<div class="offcanvas" id="mobile-menu" aria-hidden="true" hidden><button class="close" aria-label="Close">&times;</button><nav aria-label="Mobile">{sections}<ul class="mobile-main">{main}</ul></nav></div>'


def mega_footer(facts: CompanyFacts) -> str:
    """Many footer link columns, newsletter sign-up and app-store badges."""
    columns = "".join(
        f'<div class="footer-col"><h5>{escape(title)}</h5><ul>{"".join(f"<li><a href=/{slug(title)}/{slug(item)}/>{escape(item)}</a></li>" for item in items)}</ul></div>'
        for title, items in FOOTER_COLUMNS[facts["lang"]].items()
    )
    return f"""<div class="footer-mega">{columns}</div>
  <form class="newsletter" action="/newsletter/subscribe" method="post"><label for="nl-email">Newsletter</label>
  <input id="nl-email" type="email" name="email" placeholder="you@company" autocomplete="email"><input type="hidden" name="list" value="{rng_for(facts, "nl").randint(10000, 99999)}">
  <button type="submit">&rarr;</button></form>
  <div class="app-badges"><a href="/apps/ios/"><img src="/assets/badge-app-store.svg" alt="App Store" width="120" height="40"></a>
  <a href="/apps/android/"><img src="/assets/badge-google-play.svg" alt="Google Play" width="135" height="40"></a></div>"""


def consent_dialog(facts: CompanyFacts) -> str:
    """A consent-management dialog listing every vendor and purpose, as CMPs inject on first visit."""
    rng = rng_for(facts, "consent")
    vendors = rng.sample(COOKIE_VENDORS, k=12)
    rows = "".join(
        f'<tr><td><input type="checkbox" name="vendor-{slug(name)}" {"checked disabled" if purpose == "Necessary" else ""}></td>'
        f"<td>{escape(name)}</td><td>{purpose}</td><td>{escape(name)} {COOKIE_PURPOSE}</td></tr>"
        for name, purpose in vendors
    )
    return f"""<div class="cmp-dialog" role="dialog" aria-modal="true" aria-labelledby="cmp-title" hidden>
  <h2 id="cmp-title">Privacy preferences</h2>
  <div class="cmp-tabs"><button data-tab="purposes">Purposes</button><button data-tab="vendors">Vendors</button></div>
  <table class="cmp-vendors"><thead><tr><th></th><th>Vendor</th><th>Purpose</th><th>Details</th></tr></thead><tbody>{rows}</tbody></table>
  <div class="cmp-actions"><button class="cmp-reject">Reject all</button><button class="cmp-save">Save choices</button><button class="cmp-accept">Accept all</button></div>
</div>"""


def head_scripts(facts: CompanyFacts, kind: str) -> str:
    """Tag manager, framework bootstrap and a configuration blob in ``<head>``."""
    rng = rng_for(facts, f"head-{kind}")
    container = f"GTM-{rng.randrange(16**6):06X}"
    catalogue = [
        {
            "id": f"{rng.getrandbits(48):012x}",
            "slug": f"item-{n}",
            "title": rng.choice(NEWS_HEADLINES),
            "excerpt": rng.choice(TESTIMONIAL_QUOTES),
            "tags": rng.sample(["ops", "cloud", "guide", "release", "event", "report", "howto"], 3),
            "image": {"src": f"/assets/img/{rng.getrandbits(32):08x}.webp", "w": 1200, "h": 630},
            "i18n": {"cta": "Read more", "share": "Share", "minutes": rng.randint(2, 12)},
        }
        for n in range(CATALOGUE_ENTRIES[facts["style"]])
    ]
    blob = json.dumps(
        {
            "buildId": f"{rng.getrandbits(40):010x}",
            "page": f"/{kind}",
            "locale": facts["lang"],
            "catalogue": catalogue,
        },
        ensure_ascii=False,
    )
    if facts["style"] == "b":
        bootstrap = f'<script id="__NEXT_DATA__" type="application/json">{blob}</script>\n' + "".join(
            f'<script src="/_next/static/chunks/{rng.getrandbits(64):016x}.js" defer></script>\n'
            for _ in range(9)
        )
    elif facts["style"] == "a":
        bootstrap = (
            '<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>\n'
            '<script src="/wp-content/plugins/elementor/assets/js/frontend.min.js?ver=3.21.0" defer></script>\n'
            f'<script>var wpApiSettings={{"root":"/wp-json/","nonce":"{rng.getrandbits(40):010x}"}};var siteConfig={blob};</script>\n'
        )
    else:
        bootstrap = (
            f"<script>window.Static=window.Static||{{}};Static.SQUARESPACE_CONTEXT={blob};</script>\n"
            f'<script src="/static/vta/{rng.getrandbits(32):08x}/scripts/site-bundle.js" defer></script>\n'
        )
    return f"""<script>(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),event:'gtm.js'}});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.example/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);}})(window,document,'script','dataLayer','{container}');</script>
<link rel="preconnect" href="https://fonts.gstatic.example" crossorigin>
<link rel="preload" href="/assets/fonts/inter-var.woff2" as="font" type="font/woff2" crossorigin>
<style>:root{{--brand:#1f6f8b;--ink:#1b1b1b;--muted:#6b7280}}.mega-panel[hidden],.offcanvas[hidden]{{display:none}}.hero{{min-height:60vh}}</style>
{bootstrap}"""


def tracking_pixels(facts: CompanyFacts, kind: str) -> str:
    """Noscript pixels and late-loading chat/heatmap widgets at the end of ``<body>``."""
    rng = rng_for(facts, f"pixels-{kind}")
    pixel_id = rng.randrange(10**14, 10**15)
    return f"""<noscript><img height="1" width="1" style="display:none" alt="" src="https://pixel.tracking.example/tr?id={pixel_id}&amp;ev=PageView&amp;noscript=1"></noscript>
<noscript><iframe src="https://www.googletagmanager.example/ns.html?id=GTM-{rng.randrange(16**6):06X}" height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
<img src="https://px.ads.example/collect?pid={rng.getrandbits(32)}&amp;fmt=gif" width="1" height="1" alt="" style="position:absolute;left:-9999px">
<script>window.intercomSettings={{app_id:"{rng.getrandbits(32):08x}",hide_default_launcher:false}};(function(){{var w=window;var ic=w.Intercom;if(typeof ic==="function"){{ic('update',w.intercomSettings);}}else{{var d=document;var i=function(){{i.c(arguments);}};i.q=[];i.c=function(args){{i.q.push(args);}};w.Intercom=i;}}}})();</script>
<script>(function(h,o,t,j,a,r){{h.hj=h.hj||function(){{(h.hj.q=h.hj.q||[]).push(arguments)}};h._hjSettings={{hjid:{rng.randrange(10**6, 10**7)},hjsv:6}};}})(window,document,'https://static.hotjar.example/c/hotjar-','.js?sv=');</script>"""


def testimonials(facts: CompanyFacts) -> str:
    """A carousel of customer quotes with avatars and star ratings."""
    rng = rng_for(facts, "testimonials")
    slides = "".join(
        f'<figure class="slide" data-index="{i}"><div class="stars" aria-label="5 of 5">{"".join("<svg width=16 height=16><use href=#icon-3></use></svg>" for _ in range(5))}</div>'
        f'<blockquote>{escape(quote)}</blockquote><figcaption><img src="/assets/avatars/{rng.getrandbits(24):06x}.jpg" alt="" width="48" height="48" loading="lazy">'
        f"<strong>{escape(person)}</strong>, {escape(role)}, {escape(firm)}</figcaption></figure>"
        for i, (quote, (person, role, firm)) in enumerate(
            zip(TESTIMONIAL_QUOTES, TESTIMONIAL_PEOPLE, strict=True)
        )
    )
    return f'<section class="testimonials" aria-roledescription="carousel"><div class="track">{slides}</div><button class="prev" aria-label="Previous">&lsaquo;</button><button class="next" aria-label="Next">&rsaquo;</button></section>'


def news_teasers(facts: CompanyFacts) -> str:
    """The latest blog posts as cards."""
    rng = rng_for(facts, "news")
    cards = "".join(
        f'<article class="teaser"><a href="/blog/{slug(title)}/"><img src="/assets/blog/{rng.getrandbits(32):08x}.webp" alt="" width="400" height="225" loading="lazy">'
        f'<time datetime="2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}">{rng.choice(MONTHS)} {rng.randint(10, 28)}, 2025</time><h3>{escape(title)}</h3>'
        f'<p>{escape(rng.choice(TESTIMONIAL_QUOTES))}</p><span class="read-time">{rng.randint(3, 9)} min read</span></a></article>'
        for title in rng.sample(NEWS_HEADLINES, k=4)
    )
    return f'<section class="news"><h2>News</h2><div class="teaser-grid">{cards}</div><a href="/blog/">Blog &rarr;</a></section>'


def hero_media(facts: CompanyFacts) -> str:
    """Responsive hero imagery: a ``<picture>`` with many sources and a muted background video."""
    rng = rng_for(facts, "hero")
    sources = "".join(
        f'<source media="(min-width:{w}px)" srcset="/assets/hero/{rng.getrandbits(32):08x}-{w}.avif 1x, /assets/hero/{rng.getrandbits(32):08x}-{w * 2}.avif 2x" type="image/avif">'
        for w in (1920, 1440, 1200, 992, 768, 576, 375)
    )
    return f'<div class="hero-media"><picture>{sources}<img src="/assets/hero/fallback.jpg" alt="" width="1920" height="900" fetchpriority="high"></picture><video autoplay muted loop playsinline poster="/assets/hero/poster.jpg"><source src="/assets/hero/loop.mp4" type="video/mp4"></video></div>'


def logo_wall(facts: CompanyFacts) -> str:
    """ "Trusted by" strip of customer logos drawn as inline SVG."""
    rng = rng_for(facts, "logos")
    logos = "".join(
        f'<li><svg width="120" height="40" viewBox="0 0 120 40" role="img" aria-label="Customer logo"><rect width="120" height="40" rx="6" fill="#{rng.getrandbits(24):06x}" opacity=".15"/>'
        f'<path d="M{rng.randint(8, 20)} 28 L{rng.randint(30, 50)} 12 L{rng.randint(60, 80)} 28 Z M{rng.randint(85, 95)} 12 h18 v16 h-18 Z" fill="#{rng.getrandbits(24):06x}"/></svg></li>'
        for _ in range(12)
    )
    return f'<section class="logo-wall"><ul class="logos">{logos}</ul></section>'
