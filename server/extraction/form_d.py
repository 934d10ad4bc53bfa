"""SEC Form D (``primary_doc.xml``) read into offerings, and offerings into the distinct ones. Pure.

A Form D notice reports one exempt offering: what was offered (``totalOfferingAmount``, a number or
"Indefinite"), what has been sold so far (``totalAmountSold``, cumulative), the date of first sale, the
issuer's industry group and its related persons (executive officers, directors, promoters). A ``D/A``
amends an earlier notice of the same offering (``previousAccessionNumber``) and restates its figures, so
an offering's amount is that of its latest notice, never a sum over notices.

The XML is read defensively: at most ``MAX_FORM_D_BYTES``, no DTD (so no entities, internal or
external), no network, no huge-tree mode; anything else is refused with ``FormDError``. Other EDGAR
submissions served as ``primary_doc.xml`` (Form C and its variants) are recognised and refused with
``NotFormDError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from server.extraction.names import has_legal_form

MAX_FORM_D_BYTES = 1_000_000  # real notices are tens of KB; a fund listing many persons stays far below
FORM_D_TYPES = frozenset({"D", "D/A"})
INDEFINITE = "indefinite"
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
MAX_RELATED_PERSONS = 100


class FormDError(ValueError):
    """The document is not a readable Form D: malformed, too large, or carrying a DTD."""


class NotFormDError(FormDError):
    """The document is a well-formed EDGAR submission of another form (Form C, C-U, C-AR, ...)."""

    def __init__(self, submission_type: str) -> None:
        self.submission_type = submission_type
        super().__init__(f"submission type {submission_type!r} is not Form D")


@dataclass(frozen=True)
class RelatedPerson:
    """An executive officer, director or promoter named in a notice."""

    name: str
    relationships: tuple[str, ...]
    clarification: str | None

    @property
    def role(self) -> str:
        """The clarified title ("Chief Executive Officer") where given, else the relationships."""
        return self.clarification or ", ".join(self.relationships)


@dataclass(frozen=True)
class FormD:
    """What one Form D notice states."""

    submission_type: str
    issuer_name: str | None
    issuer_cik: str | None
    is_amendment: bool
    previous_accession: str | None
    date_of_first_sale: str | None  # ISO date; None when the first sale is yet to occur
    total_offering_amount: float | None  # None when indefinite or not stated
    offering_indefinite: bool
    total_amount_sold: float | None
    industry_group: str | None
    related_persons: tuple[RelatedPerson, ...]


@dataclass(frozen=True)
class FiledFormD:
    """A notice as filed: its accession number, filing date and document URL."""

    accession: str
    filing_date: str
    url: str
    form: FormD
    retrieved_at: datetime


def parse_form_d(text: str) -> FormD:
    """The notice a ``primary_doc.xml`` states.

    Raises:
        NotFormDError: it is another EDGAR submission (a Form C, ...).
        FormDError: it is too large, malformed, carries a DTD, or is no EDGAR submission.
    """
    if len(text) > MAX_FORM_D_BYTES:
        raise FormDError(f"document of {len(text)} characters exceeds {MAX_FORM_D_BYTES}")
    # EDGAR serves some notices with a blank line before the declaration; lxml also refuses str input
    # that declares an encoding, and the text is already decoded.
    body = XML_DECLARATION_RE.sub("", text, count=1).strip()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FormDError(f"malformed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise FormDError("a DTD is not allowed in a Form D document")
    if _local(root) != "edgarSubmission":
        raise FormDError(f"root element {_local(root)!r} is not an EDGAR submission")
    # Form D states its type at the top; Form C and its variants inside headerData.
    submission_type = _text(_find(root, "submissionType")) or _text(
        _find(root, "headerData", "submissionType")
    )
    if submission_type not in FORM_D_TYPES:
        raise NotFormDError(submission_type or "")
    issuer = _find(root, "primaryIssuer")
    offering = _find(root, "offeringData")
    filing_type = _find(offering, "typeOfFiling")
    amounts = _find(offering, "offeringSalesAmounts")
    offered = _text(_find(amounts, "totalOfferingAmount"))
    first_sale = _text(_find(filing_type, "dateOfFirstSale", "value"))
    return FormD(
        submission_type=submission_type,
        issuer_name=_text(_find(issuer, "entityName")),
        issuer_cik=_text(_find(issuer, "cik")),
        is_amendment=_flag(_find(filing_type, "newOrAmendment", "isAmendment")) or submission_type == "D/A",
        previous_accession=_text(_find(filing_type, "newOrAmendment", "previousAccessionNumber")),
        date_of_first_sale=first_sale if first_sale and ISO_DATE_RE.fullmatch(first_sale) else None,
        total_offering_amount=_amount(offered),
        offering_indefinite=(offered or "").strip().casefold() == INDEFINITE,
        total_amount_sold=_amount(_text(_find(amounts, "totalAmountSold"))),
        industry_group=_text(_find(offering, "industryGroup", "industryGroupType")),
        related_persons=tuple(_persons(_find(root, "relatedPersonsList"))),
    )


def distinct_offerings(filings: list[FiledFormD]) -> list[FiledFormD]:
    """One notice per offering, the latest: an amendment replaces the notice it amends (and, through
    it, that notice's original). An amendment naming no earlier notice cannot be placed and is left out
    rather than counted as an offering of its own. Ordered by date of first sale, then filing."""
    root_of: dict[str, str] = {}
    latest: dict[str, FiledFormD] = {}
    for filing in sorted(filings, key=lambda f: (f.filing_date, f.accession)):
        if filing.form.is_amendment:
            previous = filing.form.previous_accession
            if not previous:
                continue
            key = root_of.get(previous, previous)
        else:
            key = filing.accession
        root_of[filing.accession] = key
        latest[key] = filing
    return sorted(latest.values(), key=lambda f: (f.form.date_of_first_sale or f.filing_date, f.accession))


def _local(element: Any) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _find(element: Any, *names: str) -> Any:
    """The first descendant path of these local names (namespaces aside), or None."""
    for name in names:
        if element is None:
            return None
        element = next((child for child in element if _local(child) == name), None)
    return element


def _text(element: Any) -> str | None:
    if element is None or element.text is None:
        return None
    text = re.sub(r"\s+", " ", element.text).strip()
    return text or None


def _flag(element: Any) -> bool:
    return (_text(element) or "").casefold() == "true"


def _amount(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def _persons(listing: Any) -> list[RelatedPerson]:
    persons: list[RelatedPerson] = []
    for info in listing if listing is not None else []:
        if _local(info) != "relatedPersonInfo" or len(persons) >= MAX_RELATED_PERSONS:
            continue
        name_element = _find(info, "relatedPersonName")
        first, middle, last = (
            _text(_find(name_element, key)) for key in ("firstName", "middleName", "lastName")
        )
        name = " ".join(part for part in (first, middle, last) if part)
        # A related person may be an entity (a fund's general partner): EDGAR splits "Fund GP, LLC"
        # into last name "Fund GP," and first name "LLC". Only people are people.
        if not name or has_legal_form(f"{last or ''} {first or ''}") or has_legal_form(name):
            continue
        listed = _find(info, "relatedPersonRelationshipList")
        relationships = tuple(
            text for text in (_text(child) for child in (listed if listed is not None else [])) if text
        )
        persons.append(
            RelatedPerson(
                name=_print_name(name),
                relationships=relationships,
                clarification=_text(_find(info, "relationshipClarification")),
            )
        )
    return persons


def _print_name(name: str) -> str:
    """Names filed in capitals ("JANE Q. DOE") as printed; mixed case stays as filed."""
    return name.title() if name.isupper() else name
