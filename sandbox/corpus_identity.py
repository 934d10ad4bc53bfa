"""Corpus companies and page furniture for the identity mechanisms (input of ``sandbox.build_corpus``).

Real pages link many accounts that are not the company's and print numbers and mailboxes of others;
these cases put that beside the company's own facts, so the authored corpus checks that the extractor
keeps only the company's. ``behaviour`` keys understood here (rendered by ``sandbox.site_templates``):

- ``identity_noise``: the home page carries a blog article with share buttons (Twitter, Facebook,
  LinkedIn, XING), the author's own profiles, a link to one of the company's tweets and a video, a
  working group's mailbox in its prose and a logistics partner's hotline; none of it is the company's;
- ``legacy_twitter``: the footer links the company's Twitter account in the pre-2012 ``#!/`` form;
- ``jsonld_cdata``: the home page's JSON-LD is wrapped in ``<![CDATA[ ... ]]>`` (strict readers drop it).

Fax numbers are ordinary ``phones`` entries of kind "fax" (the contact page labels them).
"""

# HTML literals read best unwrapped, so long lines are allowed in this file only.

from __future__ import annotations

from html import escape

from sandbox.corpus_facts import CompanyFacts

IDENTITY_CASES: list[CompanyFacts] = [
    {
        "name": "Halden Optics GmbH",
        "brand": "Halden Optics",
        "domain": "halden-optics.example",
        "country": "DE",
        "city": "Berlin",
        "region": None,
        "street": "Wöhlertstraße 12",
        "postal": "10115",
        "industry": "Scientific Instruments",
        "founded": 1994,
        "employees": 120,
        "tagline": "Präzisionsoptik für Labor und Industrie",
        "phones": [("general", "+49 30 55501200"), ("fax", "+49 30 55501201")],
        "emails": ["info", "vertrieb"],
        "social": ["twitter", "linkedin", "facebook"],
        "markup": "microdata",
        "style": "a",
        "lang": "de",
        "behaviour": {"identity_noise": True, "legacy_twitter": True},
    },
    {
        "name": "Corvid Labs Inc.",
        "brand": "Corvid Labs",
        "domain": "corvidlabs.example",
        "country": "US",
        "city": "Portland",
        "region": "OR",
        "street": "915 SW Harvey Milk St",
        "postal": "97205",
        "industry": "Software",
        "founded": 2016,
        "employees": 45,
        "tagline": "Observability tooling for small platform teams",
        "phones": [
            ("general", "+1 503-555-0170"),
            ("support", "+1 503-555-0171"),
            ("fax", "+1 503-555-0172"),
        ],
        "emails": ["hello", "support"],
        "social": ["twitter", "github", "youtube"],
        "markup": "jsonld",
        "style": "b",
        "lang": "en",
        "behaviour": {"identity_noise": True, "jsonld_cdata": True},
    },
]

# A partner's line and a working group's mailbox the article prints (never the company's).
PARTNER_HOTLINE = {"DE": "+49 40 55502300", "US": "+1 800-555-0199"}


def page_extras(facts: CompanyFacts, kind: str) -> str:
    """What the case adds to a page of kind ``kind``: the home page's blog article."""
    if kind != "home" or not facts.get("behaviour", {}).get("identity_noise"):
        return ""
    domain = facts["domain"]
    brand = escape(facts["brand"])
    handle = domain.split(".")[0].replace("-", "")
    page = f"https://{domain}/blog/new-lab"
    hotline = PARTNER_HOTLINE.get(facts["country"], PARTNER_HOTLINE["US"])
    return f"""<article class="post blog-post">
<h2>{brand} opens a new lab</h2>
<p class="byline">By <a href="/blog/authors/mara-lind">Mara Lind</a>, 12 March</p>
<p>Our team moved into the new lab this spring; the announcement went out
<a href="https://twitter.com/{handle}/status/1712345678901234567">on Twitter</a> and the opening is
<a href="https://www.youtube.com/watch?v=Zx81QmLab01">on video</a>. Members of the optics working group can
write to <a href="mailto:workinggroup@{domain}">workinggroup@{domain}</a> for the minutes of the meeting.</p>
<p>Shipping questions go to our logistics partner Nordkurier Freight: Hotline of Nordkurier Freight
dispatch {hotline}</p>
<div class="share-bar">
<a href="https://twitter.com/intent/tweet?url={page}&amp;text=New%20lab">Tweet</a>
<a href="https://www.facebook.com/sharer/sharer.php?u={page}">Share</a>
<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url={page}">LinkedIn</a>
<a href="https://www.xing.com/spi/shares/new?url={page}">XING</a>
</div>
<div class="author-box"><p>Mara Lind writes about lab work.</p>
<a href="https://twitter.com/maralind">@maralind</a>
<a href="https://www.linkedin.com/in/mara-lind-0a1b2c">LinkedIn</a>
<a href="https://www.instagram.com/mara.lind.photo">Instagram</a></div>
</article>"""


def social_href(network: str, url: str, facts: CompanyFacts) -> str:
    """The footer's link to the company's profile: ``url``, or the legacy ``#!/`` form for Twitter."""
    if network == "twitter" and facts.get("behaviour", {}).get("legacy_twitter"):
        scheme, _, rest = url.partition("://")
        host, _, handle = rest.partition("/")
        return f"{scheme}://{host}/#!/{handle}"
    return url


def json_ld_block(facts: CompanyFacts, block: str) -> str:
    """The home page's JSON-LD ``<script>``, wrapped in CDATA where the case says so."""
    if not facts.get("behaviour", {}).get("jsonld_cdata"):
        return block
    opening, _, rest = block.partition(">")
    body, _, closing = rest.rpartition("</script>")
    return f"{opening}>\n<![CDATA[{body}]]>\n</script>{closing}"
