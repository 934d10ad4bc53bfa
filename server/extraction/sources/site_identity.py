"""Who the site says it is and how to reach it: name, legal name, social profiles, phones, e-mails.

Read over every page of the site at once, because agreement across pages is evidence (the brand part of
a title recurs, the footer's profiles repeat) and because the choice needs the submitted name. Every
finding carries the quote or markup it was read from. Pure: parsed pages in, findings out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.extraction.emails import mailbox_type
from server.extraction.evidence import quote
from server.extraction.fetcher import FetchedPage
from server.extraction.names import (
    NameSignal,
    brand_mentions,
    choose_legal_name,
    choose_name,
    copyright_holder_text,
    has_legal_form,
    holder_names,
    spells_acronym,
    title_parts,
)
from server.extraction.page_kind import is_about_url, is_home_url
from server.extraction.parse import SYNTAX_KEY, PageFacts
from server.extraction.phones import normalize_phone, phone_type_of
from server.extraction.resolve import name_match_score, registrable_domain, same_brand
from server.extraction.social import SocialLink, choose_profiles, structured_links
from server.extraction.sources.base import EVIDENCE_CHARS, Finding

SOURCE_NAME = "website"
MAX_TITLE_CHARS = 300  # a title is read this far for names (and quoted from it): beyond is no brand
MAX_LINE_CHARS = 1_000  # of a copyright line, for its quotes
CONTACT_KINDS = ("contact", "impressum")  # pages whose body presents the company's own contacts
PHONE_CONFIDENCE = {"structured": 0.85, "link": 0.8, "text": 0.7}
EMAIL_CONFIDENCE = {"structured": 0.85, "page": 0.8}

Page = tuple[FetchedPage, PageFacts]


def identity_findings(pages: Sequence[Page], submitted: str, domain: str) -> list[Finding]:
    """The site's name, legal name, social profiles, phones and e-mails, each with evidence."""
    if not pages:
        return []
    found, brand = name_findings(pages, submitted)
    names = [name for name in (brand, submitted, domain.split(".", 1)[0]) if name]
    return found + social_findings(pages, names, domain) + contact_findings(pages, names, domain)


def name_findings(pages: Sequence[Page], submitted: str) -> tuple[list[Finding], str]:
    """The company name the pages agree on and the legal name they state; also the brand ("" if none)."""
    by_url = {page.url: page for page, _ in pages}
    found: list[Finding] = []
    signals = [signal for page, facts in pages for signal in name_signals(facts, page.url)]
    chosen = choose_name(signals, submitted, name_match_score)
    if chosen is not None:
        method = f"page names agreeing: {', '.join(chosen.kinds)}"
        page = by_url.get(chosen.cited.url, pages[0][0])
        found.append(
            _finding("company_name", chosen.value, page, method, chosen.confidence, chosen.cited.evidence)
        )
    brand = chosen.value if chosen is not None else ""
    legal_signals = [s for page, facts in pages for s in legal_name_signals(facts, page.url)]
    legal_signals += [s for s in signals if has_legal_form(s.value)]
    # A copyright holder that spells out the brand's acronym is the full, formal name behind it.
    legal_signals += [
        NameSignal(s.kind, s.value, s.evidence, s.url, legal=True)
        for s in signals
        if s.kind == "copyright" and brand and spells_acronym(s.value, brand)
    ]
    for page, facts in pages:
        for base in {brand, submitted} - {""}:
            legal_signals += [
                NameSignal(s.kind, s.value, s.evidence, page.url) for s in brand_mentions(facts.text, base)
            ]
    legal = choose_legal_name(legal_signals, [brand, submitted], name_match_score)
    if legal is not None:
        method = f"legal form stated in: {', '.join(legal.kinds)}"
        page = by_url.get(legal.cited.url, pages[0][0])
        found.append(
            _finding("legal_name", legal.value, page, method, legal.confidence, legal.cited.evidence)
        )
    return found, brand


def social_findings(pages: Sequence[Page], names: list[str], domain: str) -> list[Finding]:
    """Per network, the company's own profile among every page's links and ``sameAs``."""
    links = [(page, link) for page, facts in pages for link in site_social_links(facts)]
    where = {id(link): page for page, link in links}
    found = []
    for network, (link, confidence) in choose_profiles([link for _, link in links], names, domain).items():
        method = f"{link.placement} link to the {network} profile"
        field = f"social_profiles.{network}"
        found.append(_finding(field, link.url, where[id(link)], method, confidence, link.evidence))
    return found


def contact_findings(pages: Sequence[Page], names: list[str], domain: str) -> list[Finding]:
    """The company's phone lines and mailboxes, typed; others' and particular services' left out."""
    contact_pages = linked_pages(pages, CONTACT_KINDS)
    # Pages where the company presents itself; elsewhere (a product page, an event page) a number counts
    # only where the page prints it as a phone line, since a bare one may be anyone's.
    own_pages = contact_pages | linked_pages(pages, ("about",))
    own_pages |= {page.url for page, _ in pages if is_home_url(page.url) or is_about_url(page.url)}
    # The company's mail domains: its own, and a country edition of its brand that its site is served on
    # (a redirect to halvard.de from halvard.com); another edition the site merely links to is not.
    editions = {registrable_domain(page.host) for page, _ in pages}
    mail_domains = {domain} | {edition for edition in editions if same_brand(edition, domain)}
    found = []
    for page, facts in pages:
        for phone in facts.phones:
            kind, purpose = phone_type_of(phone.label, tuple(names))
            if purpose:
                continue  # a line for one audience or service ("Hotline for shareholders") is no contact
            if page.url not in own_pages and not phone.printed_as_phone:
                continue
            value = {"number": phone.e164, "type": kind, "display": phone.display}
            method, confidence = "tel link/page text", PHONE_CONFIDENCE["text"]
            found.append(_finding("contacts.phones", value, page, method, confidence, phone.evidence))
        for email in facts.email_facts:
            if not _on_domain(email.address, mail_domains):
                continue  # another domain's mailbox is a third party's
            in_text = email.in_article or email.in_body or email.in_prose
            if page.url not in contact_pages and not email.in_chrome and in_text:
                continue  # a mailbox in an article or a sentence of running text is its subject's
            value = {"address": email.address, "type": mailbox_type(email.address)}
            method, confidence = "mailto/page text", EMAIL_CONFIDENCE["page"]
            found.append(_finding("contacts.emails", value, page, method, confidence, email.evidence))
        for org in facts.organizations:
            found.extend(_structured_contacts(org, page, mail_domains))
    return found


def linked_pages(pages: Sequence[Page], kinds: Sequence[str]) -> set[str]:
    """The URLs the pages link to as pages of these kinds (``find_page_links``); a page's link to itself
    does not make it one (a menu marks the current page, a "contact us" anchor points into it)."""
    return {
        facts.page_links[kind]
        for page, facts in pages
        for kind in kinds
        if kind in facts.page_links and facts.page_links[kind] != page.url.split("#", 1)[0]
    }


def name_signals(facts: PageFacts, url: str) -> list[NameSignal]:
    """Every place one page names its owner."""
    signals: list[NameSignal] = []
    for org in facts.organizations:
        kind = str(org.get(SYNTAX_KEY, "json-ld"))
        for key in ("name", "alternateName"):
            for value in _strings(org.get(key)):
                signals.append(NameSignal(kind, value, quote(f'"{key}": "{value}"'), url))
    for name in facts.publishers:
        signals.append(NameSignal("publisher", name, quote(f'"publisher": {{"name": "{name}"}}'), url))
    if facts.site_name:
        signals.append(
            NameSignal("og:site_name", facts.site_name, quote(f'og:site_name "{facts.site_name}"'), url)
        )
    if facts.title:
        title = facts.title[:MAX_TITLE_CHARS]
        signals += [NameSignal("title", part, quote(title, part), url) for part in title_parts(title)]
    signals += [NameSignal("logo", text, quote(f'logo alt="{text}"'), url) for text in facts.logo_texts]
    holder = copyright_holder_text(facts.copyright_line) if facts.copyright_line else None
    if holder:
        names, _ = holder_names(holder)
        line = (facts.copyright_line or "")[:MAX_LINE_CHARS]
        signals += [NameSignal("copyright", name, quote(line, name), url) for name in names]
    return signals


def legal_name_signals(facts: PageFacts, url: str) -> list[NameSignal]:
    """Places one page states its owner's legal name: ``legalName``, copyright holder, imprint block."""
    signals: list[NameSignal] = []
    for org in facts.organizations:
        kind = str(org.get(SYNTAX_KEY, "json-ld"))
        for value in _strings(org.get("legalName")):
            signals.append(NameSignal(kind, value, quote(f'"legalName": "{value}"'), url, legal=True))
    holder = copyright_holder_text(facts.copyright_line) if facts.copyright_line else None
    if holder:
        _, legal = holder_names(holder)
        if legal:
            signals.append(NameSignal("copyright", legal, quote(facts.copyright_line or "", legal), url))
    lines = facts.address_lines
    if lines and has_legal_form(lines[0]):  # an imprint's address block starts with the legal name
        signals.append(NameSignal("imprint", lines[0].strip(), quote(" / ".join(lines), lines[0]), url))
    return signals


def site_social_links(facts: PageFacts) -> list[SocialLink]:
    """A page's social links: its schema.org ``sameAs`` and its ``<a>`` links."""
    links: list[SocialLink] = []
    for org in facts.organizations:
        same_as = org.get("sameAs")
        links += structured_links(same_as if isinstance(same_as, list) else [same_as])
    return links + facts.social_links


def _structured_contacts(org: dict[str, Any], page: FetchedPage, domains: set[str]) -> list[Finding]:
    syntax = str(org.get(SYNTAX_KEY, "json-ld"))
    found = []
    for phone in _strings(org.get("telephone")):
        number = normalize_phone(phone, None)
        if number:
            value = {"number": number, "type": "general", "display": phone}
            evidence = quote(f'"telephone": "{phone}"')
            method = f"{syntax} telephone"
            found.append(
                _finding("contacts.phones", value, page, method, PHONE_CONFIDENCE["structured"], evidence)
            )
    for email in _strings(org.get("email")):
        address = email.removeprefix("mailto:").strip().lower()
        if _on_domain(address, domains):
            value = {"address": address, "type": mailbox_type(address)}
            evidence = quote(f'"email": "{email}"')
            method = f"{syntax} email"
            found.append(
                _finding("contacts.emails", value, page, method, EMAIL_CONFIDENCE["structured"], evidence)
            )
    return found


def _finding(
    field: str, value: Any, page: FetchedPage, method: str, confidence: float, evidence: str
) -> Finding:
    return Finding(
        field, value, SOURCE_NAME, page.url, page.retrieved_at, method, confidence, evidence[:EVIDENCE_CHARS]
    )


def _on_domain(address: str, domains: set[str]) -> bool:
    """The mailbox is on one of the company's mail domains (``mail.acme.com`` counts as ``acme.com``)."""
    return registrable_domain(address.rsplit("@", 1)[-1]) in domains


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    flat: list[str] = []
    for item in values:
        if isinstance(item, list):
            flat.extend(_strings(item))
        elif isinstance(item, str) and item.strip():
            flat.append(item.strip())
    return flat
