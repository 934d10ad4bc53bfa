"""Recorded SEC answers for a Form D filer (input ``formd`` of ``sandbox.knowledge_facts``).

Three services, under their real hosts and in their formats: EDGAR full-text search
(``efts.sec.gov/LATEST/search-index``, Elasticsearch hits with ``ciks``, ``display_names``,
``biz_states``), the filer's ``submissions`` (``data.sec.gov``, the filing list a private filer has: no
tickers, ``filings.recent`` columns) and each notice's ``primary_doc.xml`` (``www.sec.gov/Archives``, the
EDGAR Form D schema X0708 as EDGAR serves it: unnamespaced, indented, amounts as plain digits or
"Indefinite").
"""

# XML and JSON literals read best unwrapped, so long lines are allowed in this file only.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from sandbox.corpus_facts import CompanyFacts
from sandbox.knowledge_types import Files, Routes, add, route

SEC_HOST, SEC_DATA_HOST, SEC_SEARCH_HOST = "www.sec.gov", "data.sec.gov", "efts.sec.gov"
SEARCH_PATH = "/LATEST/search-index"
STATE_NAMES = {"MA": "MASSACHUSETTS", "CA": "CALIFORNIA", "NY": "NEW YORK", "TX": "TEXAS"}


def notice_path(cik: int, accession: str) -> str:
    return f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/primary_doc.xml"


def _person(
    first: str, last: str, relationships: list[str], clarification: str | None, facts: CompanyFacts
) -> str:
    related = "\n".join(
        f"                <relationship>{escape(kind)}</relationship>" for kind in relationships
    )
    clarified = (
        f"\n            <relationshipClarification>{escape(clarification)}</relationshipClarification>"
        if clarification
        else ""
    )
    return f"""        <relatedPersonInfo>
            <relatedPersonName>
                <firstName>{escape(first)}</firstName>
                <lastName>{escape(last)}</lastName>
            </relatedPersonName>
            <relatedPersonAddress>
                <street1>{escape(facts["street"])}</street1>
                <city>{escape(facts["city"])}</city>
                <stateOrCountry>{facts["region"]}</stateOrCountry>
                <stateOrCountryDescription>{STATE_NAMES.get(facts["region"], facts["region"])}</stateOrCountryDescription>
                <zipCode>{facts["postal"]}</zipCode>
            </relatedPersonAddress>
            <relatedPersonRelationshipList>
{related}
            </relatedPersonRelationshipList>{clarified}
        </relatedPersonInfo>"""


def notice_xml(facts: CompanyFacts, formd: dict[str, Any], filing: dict[str, Any]) -> str:
    """One notice's ``primary_doc.xml``."""
    amends = filing.get("amends")
    amendment = (
        f"<isAmendment>true</isAmendment>\n                <previousAccessionNumber>{amends}</previousAccessionNumber>"
        if amends
        else "<isAmendment>false</isAmendment>"
    )
    total = filing["total"]
    remaining = "Indefinite" if total == "Indefinite" else f"{int(total) - int(filing['sold'])}"
    persons = "\n".join(
        _person(first, last, kinds, clarified, facts) for first, last, kinds, clarified in formd["persons"]
    )
    region = facts["region"]
    return f"""
<?xml version="1.0"?>
<edgarSubmission>

    <schemaVersion>X0708</schemaVersion>

    <submissionType>{"D/A" if amends else "D"}</submissionType>

    <testOrLive>LIVE</testOrLive>

    <primaryIssuer>
        <cik>{formd["cik"]:010d}</cik>
        <entityName>{escape(facts["name"])}</entityName>
        <issuerAddress>
            <street1>{escape(facts["street"].upper())}</street1>
            <city>{escape(facts["city"].upper())}</city>
            <stateOrCountry>{region}</stateOrCountry>
            <stateOrCountryDescription>{STATE_NAMES.get(region, region)}</stateOrCountryDescription>
            <zipCode>{facts["postal"]}</zipCode>
        </issuerAddress>
        <issuerPhoneNumber>{facts["phones"][0][1].removeprefix("+1 ")}</issuerPhoneNumber>
        <jurisdictionOfInc>DELAWARE</jurisdictionOfInc>
        <issuerPreviousNameList>
            <value>None</value>
        </issuerPreviousNameList>
        <edgarPreviousNameList>
            <value>None</value>
        </edgarPreviousNameList>
        <entityType>Corporation</entityType>
        <yearOfInc>
            <overFiveYears>true</overFiveYears>
        </yearOfInc>
    </primaryIssuer>

    <relatedPersonsList>
{persons}
    </relatedPersonsList>

    <offeringData>
        <industryGroup>
            <industryGroupType>{escape(formd["industry_group"])}</industryGroupType>
        </industryGroup>
        <issuerSize>
            <revenueRange>Decline to Disclose</revenueRange>
        </issuerSize>
        <federalExemptionsExclusions>
            <item>06b</item>
        </federalExemptionsExclusions>
        <typeOfFiling>
            <newOrAmendment>
                {amendment}
            </newOrAmendment>
            <dateOfFirstSale>
                <value>{filing["first_sale"]}</value>
            </dateOfFirstSale>
        </typeOfFiling>
        <durationOfOffering>
            <moreThanOneYear>false</moreThanOneYear>
        </durationOfOffering>
        <typesOfSecuritiesOffered>
            <isEquityType>true</isEquityType>
        </typesOfSecuritiesOffered>
        <businessCombinationTransaction>
            <isBusinessCombinationTransaction>false</isBusinessCombinationTransaction>
        </businessCombinationTransaction>
        <minimumInvestmentAccepted>0</minimumInvestmentAccepted>
        <offeringSalesAmounts>
            <totalOfferingAmount>{total}</totalOfferingAmount>
            <totalAmountSold>{filing["sold"]}</totalAmountSold>
            <totalRemaining>{remaining}</totalRemaining>
        </offeringSalesAmounts>
        <investors>
            <hasNonAccreditedInvestors>false</hasNonAccreditedInvestors>
            <totalNumberAlreadyInvested>{filing.get("investors", 12)}</totalNumberAlreadyInvested>
        </investors>
        <salesCommissionsFindersFees>
            <salesCommissions>
                <dollarAmount>0</dollarAmount>
            </salesCommissions>
            <findersFees>
                <dollarAmount>0</dollarAmount>
            </findersFees>
        </salesCommissionsFindersFees>
        <useOfProceeds>
            <grossProceedsUsed>
                <dollarAmount>0</dollarAmount>
            </grossProceedsUsed>
        </useOfProceeds>
        <signatureBlock>
            <authorizedRepresentative>false</authorizedRepresentative>
            <signature>
                <issuerName>{escape(facts["name"])}</issuerName>
                <signatureName>/s/ {escape(" ".join(formd["persons"][0][:2]))}</signatureName>
                <nameOfSigner>{escape(" ".join(formd["persons"][0][:2]))}</nameOfSigner>
                <signatureTitle>{escape(formd["persons"][0][3] or "Executive Officer")}</signatureTitle>
                <signatureDate>{filing["filed"]}</signatureDate>
            </signature>
        </signatureBlock>
    </offeringData>
</edgarSubmission>
"""


def add_form_d(files: Files, routes: Routes, facts: CompanyFacts, formd: dict[str, Any]) -> None:
    """The filer's full-text search hits, submissions and notices."""
    cik = formd["cik"]
    filings = sorted(
        formd["filings"], key=lambda filing: filing["filed"], reverse=True
    )  # newest first, as EDGAR lists
    for filing in filings:
        body_file = f"_responses/formd-{filing['accession']}.xml"
        files.setdefault(SEC_HOST, {})[body_file] = notice_xml(facts, formd, filing).encode()
        routes.setdefault(SEC_HOST, []).append(
            route(notice_path(cik, filing["accession"]), {}, body_file, content_type="text/xml")
        )
    submissions = {
        "cik": str(cik), "entityType": "other", "sic": "", "sicDescription": "", "ownerOrg": None,
        "insiderTransactionForOwnerExists": 0, "insiderTransactionForIssuerExists": 0,
        "name": facts["name"].upper(), "tickers": [], "exchanges": [], "ein": None, "lei": None,
        "description": "", "website": "", "investorWebsite": "", "category": "", "fiscalYearEnd": None,
        "stateOfIncorporation": "DE", "stateOfIncorporationDescription": "DE",
        "addresses": {
            "mailing": {"street1": facts["street"].upper(), "street2": None, "city": facts["city"].upper(),
                        "stateOrCountry": facts["region"], "zipCode": facts["postal"],
                        "stateOrCountryDescription": facts["region"], "isForeignLocation": 0},
            "business": {"street1": facts["street"].upper(), "street2": None, "city": facts["city"].upper(),
                         "stateOrCountry": facts["region"], "zipCode": facts["postal"],
                         "stateOrCountryDescription": facts["region"], "isForeignLocation": 0},
        },
        "phone": facts["phones"][0][1].removeprefix("+1 "), "flags": "", "formerNames": [],
        "filings": {
            "recent": {
                "accessionNumber": [f["accession"] for f in filings],
                "filingDate": [f["filed"] for f in filings],
                "reportDate": ["" for _ in filings],
                "acceptanceDateTime": [f"{f['filed']}T16:05:12.000Z" for f in filings],
                "act": ["33" for _ in filings],
                "form": ["D/A" if f.get("amends") else "D" for f in filings],
                "fileNumber": [formd["file_number"] for _ in filings],
                "filmNumber": [f"2{index:08d}" for index, _ in enumerate(filings)],
                "items": ["06b" for _ in filings],
                "size": [9000 + index for index, _ in enumerate(filings)],
                "isXBRL": [0 for _ in filings],
                "isInlineXBRL": [0 for _ in filings],
                "primaryDocument": ["xslFormDX01/primary_doc.xml" for _ in filings],
                "primaryDocDescription": ["" for _ in filings],
            },
            "files": [],
        },
    }  # fmt: skip
    add(files, routes, SEC_DATA_HOST, f"_responses/submissions-{cik}.json", submissions,
        f"/submissions/CIK{cik:010d}.json", {})  # fmt: skip
    hits = [
        {
            "_index": "edgar_file", "_id": f"{f['accession']}:primary_doc.xml", "_score": 12.5,
            "_source": {
                "ciks": [f"{cik:010d}"], "period_ending": None, "file_num": [formd["file_number"]],
                "display_names": [f"{facts['name']}  (CIK {cik:010d})"], "xsl": "xslFormDX01",
                "sequence": 1, "root_forms": ["D"], "file_date": f["filed"], "biz_states": [facts["region"]],
                "sics": [], "form": "D/A" if f.get("amends") else "D", "adsh": f["accession"],
                "film_num": ["21000000"], "biz_locations": [f"{facts['city']}, {facts['region']}"],
                "file_type": "D/A" if f.get("amends") else "D", "file_description": None,
                "inc_states": ["DE"], "items": ["06b"],
            },
        }
        for f in filings
    ]  # fmt: skip
    add(files, routes, SEC_SEARCH_HOST, f"_responses/search-formd-{cik}.json",
        _search_answer(hits), SEARCH_PATH, {"q": f'"{facts["name"]}"', "forms": "D"})  # fmt: skip


def add_form_d_search_empty(files: Files, routes: Routes) -> None:
    """What full-text search answers for a name no notice mentions."""
    add(files, routes, SEC_SEARCH_HOST, "_responses/search-empty.json", _search_answer([]), SEARCH_PATH, {})


def _search_answer(hits: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "took": 18, "timed_out": False, "_shards": {"total": 50, "successful": 50, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 12.5 if hits else None, "hits": hits},
        "aggregations": {"form_filter": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                                         "buckets": [{"key": "D", "doc_count": len(hits)}] if hits else []}},
        "query": {"from": 0, "size": 100},
    }  # fmt: skip
