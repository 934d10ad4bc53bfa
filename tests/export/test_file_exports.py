"""Tests of the CSV and Excel exports: each file read back gives the input data, types included."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import openpyxl
import pytest

from server.domain import (
    BatchOptions,
    BatchResults,
    BatchStatus,
    BatchView,
    CompanyOutcome,
    CompanyState,
    ErrorType,
    ExportFormat,
    ExtractionFailure,
    Phase,
    Progress,
    SourceOutcome,
    SourceState,
)
from server.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, export_filename, render_file, summarize
from server.export.table import COLUMN_NAMES, FAILURE_COLUMN_NAMES

STARTED = datetime(2024, 1, 15, 10, 31, 15, 250000, tzinfo=UTC)
TRICKY_DESCRIPTION = 'Makes "robots", gears, and\nmore; =SUM(A1:A2) is not a formula'

ACME_PROFILE: dict[str, Any] = {
    "company_name": "Acme Robotics",
    "domain": "acme-robotics.example",
    "website": "https://acme-robotics.example/",
    "description": TRICKY_DESCRIPTION,
    "industry": "Industrial Robotics",
    "sector": "Technology",
    "employee_count": "201-500",
    "employee_count_exact": 342,
    "headquarters": {"city": "São Paulo", "state": "SP", "country": "Brazil", "country_code": "BR"},
    "founded_year": 1999,
    "linkedin_url": "https://www.linkedin.com/company/acme-robotics",
    "contacts": {
        "emails": [{"address": "info@acme-robotics.example", "type": "general"}, {"address": "x@y.example"}],
        "phones": [{"number": "+551155550100", "type": "main", "display": "+55 11 5555-0100"}],
    },
    "financial_data": {"valuation": "$1.2B", "funding_raised": "$300M", "is_public": False},
    "confidence": 0.92,
    "provenance": {
        "domain": {"source": "website", "url": "https://acme-robotics.example/"},
        "headquarters.city": {"source": "json_ld", "url": "https://acme-robotics.example/about"},
        "founded_year": {
            "source": "json_ld",
            "url": "https://acme-robotics.example/about",
            "method": "json-ld Organization.foundingDate",
            "confidence": 0.9,
            "evidence": '"foundingDate": "1999"',
            "retrieved_at": "2024-01-15T10:31:20Z",
        },
    },
}


def _outcomes() -> tuple[CompanyOutcome, ...]:
    return (
        CompanyOutcome(
            company_name="Acme Robotics",
            state=CompanyState.SUCCESS,
            profile=ACME_PROFILE,
            started_at=STARTED,
            finished_at=STARTED + timedelta(seconds=12.5),
        ),
        CompanyOutcome(
            company_name="Zürich Ünïcode AG 株式会社",
            state=CompanyState.SUCCESS,
            # A zone other than UTC: exports convert to UTC.
            profile={"company_name": "Zürich Ünïcode", "sector": "Finance", "confidence": 1},
            started_at=datetime(2024, 1, 15, 12, 0, tzinfo=timezone(timedelta(hours=1))),
            finished_at=datetime(2024, 1, 15, 12, 0, 3, tzinfo=timezone(timedelta(hours=1))),
            from_cache=True,
        ),
        CompanyOutcome(
            company_name="Nowhere, Inc.",
            state=CompanyState.FAILED,
            error=ExtractionFailure(
                ErrorType.COMPANY_ANALYSIS, "Company not found", 'no "web" presence,\r\nat all'
            ),
            started_at=STARTED,
            finished_at=STARTED + timedelta(seconds=2),
        ),
    )


def _results(outcomes: tuple[CompanyOutcome, ...] | None = None) -> BatchResults:
    outcomes = _outcomes() if outcomes is None else outcomes
    batch = BatchView(
        batch_id="batch_20240115_abc123",
        status=BatchStatus.COMPLETED,
        options=BatchOptions(),
        progress=Progress(
            total_companies=len(outcomes),
            completed=sum(o.state is CompanyState.SUCCESS for o in outcomes),
            failed=sum(o.state is CompanyState.FAILED for o in outcomes),
            in_progress=0,
            cancelled=0,
            phase=Phase.FINISHED,
        ),
        created_at=STARTED - timedelta(minutes=1),
        started_at=STARTED,
        completed_at=STARTED + timedelta(minutes=2),
        last_update=STARTED + timedelta(minutes=2),
        processing_time=120.0,
        estimated_processing_time=0.0,
        estimated_completion=None,
    )
    return BatchResults(batch=batch, results=outcomes, summary=summarize(outcomes))


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def _sheet_rows(sheet: Any) -> list[dict[str, Any]]:
    """Rows keyed by each column's machine name, which its heading cell carries as a comment."""
    names = [cell.comment.text for cell in sheet[1]]
    return [dict(zip(names, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_csv_has_header_in_stable_order_crlf_line_ends_and_utf8() -> None:
    exported = render_file(_results(), ExportFormat.CSV, include_failed=True)
    assert exported.content_type == CSV_CONTENT_TYPE
    assert exported.filename == "batch_20240115_abc123_results.csv"
    text = exported.data.decode("utf-8")
    assert text.startswith(",".join(COLUMN_NAMES) + "\r\n")
    assert text.endswith("\r\n")
    assert "Zürich Ünïcode AG 株式会社" in text


def test_csv_read_back_gives_the_input_values() -> None:
    rows = _csv_rows(render_file(_results(), ExportFormat.CSV, include_failed=True).data)
    assert [row["company_name"] for row in rows] == [
        "Acme Robotics",
        "Zürich Ünïcode AG 株式会社",
        "Nowhere, Inc.",
    ]
    acme, zurich, nowhere = rows
    assert acme["extraction_status"] == "success"
    assert acme["description"] == TRICKY_DESCRIPTION
    assert acme["headquarters_city"] == "São Paulo"
    assert int(acme["employee_count_exact"]) == 342
    assert int(acme["founded_year"]) == 1999
    assert float(acme["confidence"]) == 0.92
    assert acme["phone"] == "+551155550100"
    assert acme["email"] == "info@acme-robotics.example"
    assert acme["is_public"] == "false"
    assert acme["source_urls"].split() == [
        "https://acme-robotics.example/",
        "https://acme-robotics.example/about",
    ]
    assert datetime.fromisoformat(acme["started_at"]) == STARTED
    assert float(acme["duration_seconds"]) == 12.5
    assert acme["error_type"] == ""
    assert zurich["started_at"] == "2024-01-15T11:00:00Z"
    assert zurich["from_cache"] == "true"
    assert float(zurich["confidence"]) == 1.0
    assert nowhere["extraction_status"] == "failed"
    assert nowhere["domain"] == ""
    assert nowhere["error_type"] == "CompanyAnalysisError"
    assert nowhere["error_details"] == 'no "web" presence,\r\nat all'


def test_csv_without_failed_lists_only_successes() -> None:
    rows = _csv_rows(render_file(_results(), ExportFormat.CSV, include_failed=False).data)
    assert [row["extraction_status"] for row in rows] == ["success", "success"]


def test_csv_of_a_batch_without_results_is_just_the_header() -> None:
    data = render_file(_results(()), ExportFormat.CSV, include_failed=True).data
    assert data == (",".join(COLUMN_NAMES) + "\r\n").encode()


def _workbook(include_failed: bool) -> Any:
    exported = render_file(_results(), ExportFormat.EXCEL, include_failed=include_failed)
    assert exported.content_type == XLSX_CONTENT_TYPE
    assert exported.filename == "batch_20240115_abc123_results.xlsx"
    return openpyxl.load_workbook(io.BytesIO(exported.data))


def test_excel_results_sheet_has_typed_cells() -> None:
    workbook = _workbook(include_failed=True)
    assert workbook.sheetnames == ["Results", "Failures", "Summary", "Provenance", "Funding"]
    sheet = workbook["Results"]
    rows = _sheet_rows(sheet)
    assert list(rows[0]) == list(COLUMN_NAMES)
    acme, zurich, nowhere = rows
    assert acme["employee_count_exact"] == 342
    assert isinstance(acme["employee_count_exact"], int)
    assert acme["confidence"] == 0.92
    assert acme["is_public"] is False
    assert acme["started_at"] == STARTED.replace(tzinfo=None)
    assert acme["duration_seconds"] == 12.5
    assert acme["description"] == TRICKY_DESCRIPTION
    assert acme["headquarters_city"] == "São Paulo"
    assert zurich["company_name"] == "Zürich Ünïcode AG 株式会社"
    assert zurich["started_at"] == datetime(2024, 1, 15, 11, 0)
    assert zurich["from_cache"] is True
    assert nowhere["domain"] is None
    assert nowhere["error_message"] == "Company not found"


def test_excel_text_starting_with_equals_stays_text() -> None:
    outcome = CompanyOutcome(
        company_name='=HYPERLINK("http://evil.example")',
        state=CompanyState.SUCCESS,
        profile={"description": "#N/A"},
    )
    data = render_file(_results((outcome,)), ExportFormat.EXCEL, include_failed=True).data
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
    name_cell, description_cell = sheet["A2"], sheet.cell(row=2, column=COLUMN_NAMES.index("description") + 1)
    assert (name_cell.value, name_cell.data_type) == ('=HYPERLINK("http://evil.example")', "s")
    assert (description_cell.value, description_cell.data_type) == ("#N/A", "s")


def test_excel_header_is_bold_frozen_and_filtered() -> None:
    sheet = _workbook(include_failed=True)["Results"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(COLUMN_NAMES)).column_letter}4"
    assert sheet.column_dimensions["A"].width >= len("Zürich Ünïcode AG 株式会社")


def test_excel_failures_sheet_lists_failed_companies() -> None:
    rows = _sheet_rows(_workbook(include_failed=True)["Failures"])
    assert list(rows[0]) == list(FAILURE_COLUMN_NAMES)
    assert [(row["company_name"], row["error_type"]) for row in rows] == [
        ("Nowhere, Inc.", "CompanyAnalysisError")
    ]
    assert rows[0]["error_details"] == 'no "web" presence,\r\nat all'


def test_excel_without_failed_has_no_failures_sheet_nor_failed_rows() -> None:
    workbook = _workbook(include_failed=False)
    assert workbook.sheetnames == ["Results", "Summary", "Provenance", "Funding"]
    assert [row["extraction_status"] for row in _sheet_rows(workbook["Results"])] == ["success", "success"]


def test_excel_summary_sheet_reports_counts_and_breakdowns() -> None:
    sheet = _workbook(include_failed=True)["Summary"]
    pairs = [row[:2] for row in sheet.iter_rows(values_only=True)]
    assert ("Batch", "batch_20240115_abc123") in pairs
    assert ("Companies", 3) in pairs
    assert ("Succeeded", 2) in pairs
    assert ("Failed", 1) in pairs
    assert ("Processing time (s)", 120.0) in pairs
    machine = {row[0].value: row[0].comment.text for row in sheet.iter_rows() if row[0].comment}
    assert machine["Batch"] == "batch_id" and machine["Created at (UTC)"] == "created_at"
    sector_rows = pairs[pairs.index(("Sector", "Companies")) + 1 :][:2]
    assert sector_rows == [("Finance", 1), ("Technology", 1)]
    # Industries are counted as industries, not folded into sectors.
    industry_rows = pairs[pairs.index(("Industry", "Companies")) + 1 :][:2]
    assert industry_rows == [("Industrial Robotics", 1), ("Unknown", 1)]
    assert ("201-1000", 1) in pairs
    assert ("Brazil", 1) in pairs


def test_json_is_not_a_file_format() -> None:
    with pytest.raises(ValueError, match="json"):
        render_file(_results(), ExportFormat.JSON, include_failed=True)


@pytest.mark.parametrize(
    ("batch_id", "fmt", "filename"),
    [
        pytest.param(
            "batch_20240115_abc123", ExportFormat.CSV, "batch_20240115_abc123_results.csv", id="prefixed"
        ),
        pytest.param("abc123", ExportFormat.EXCEL, "batch_abc123_results.xlsx", id="bare"),
        pytest.param('../evil"id', ExportFormat.CSV, "batch_evil_id_results.csv", id="unsafe"),
    ],
)
def test_export_filename_is_safe_and_prefixed_once(batch_id: str, fmt: ExportFormat, filename: str) -> None:
    assert export_filename(batch_id, fmt) == filename


def test_excel_provenance_sheet_shows_each_value_with_its_evidence() -> None:
    """One row per provenance entry of each successful company: value, source, method and evidence."""
    rows = _sheet_rows(_workbook(include_failed=True)["Provenance"])
    assert [(row["company_name"], row["field"]) for row in rows] == [
        ("Acme Robotics", "domain"),
        ("Acme Robotics", "headquarters.city"),
        ("Acme Robotics", "founded_year"),
    ]
    founded = rows[2]
    assert founded["value"] == 1999
    assert founded["evidence"] == '"foundingDate": "1999"'
    assert (founded["method"], founded["confidence"]) == ("json-ld Organization.foundingDate", 0.9)
    assert founded["retrieved_at"] == datetime(2024, 1, 15, 10, 31, 20)
    assert rows[1]["value"] == "São Paulo"
    assert rows[0]["evidence"] is None


def test_excel_provenance_sheet_resolves_list_items() -> None:
    outcome = CompanyOutcome(
        company_name="Acme Robotics",
        state=CompanyState.SUCCESS,
        profile={
            **ACME_PROFILE,
            "provenance": {"contacts.phones[0]": {"source": "website", "evidence": "tel:+551155550100"}},
        },
    )
    data = render_file(_results((outcome,)), ExportFormat.EXCEL, include_failed=True).data
    (row,) = _sheet_rows(openpyxl.load_workbook(io.BytesIO(data))["Provenance"])
    assert row["field"] == "contacts.phones[0]"
    assert '"+551155550100"' in row["value"] and row["evidence"] == "tel:+551155550100"


def test_excel_headings_are_for_people_and_times_say_utc() -> None:
    sheet = _workbook(include_failed=True)["Results"]
    headings = {cell.comment.text: cell.value for cell in sheet[1]}
    assert headings["company_name"] == "Company (as submitted)"
    assert headings["employee_count"] == "Employees (range)"
    assert headings["founded_year"] == "Founded year"
    assert headings["started_at"] == "Started at (UTC)"
    assert all("_" not in heading for heading in headings.values())


def test_excel_compatible_csv_has_a_bom_and_keeps_phones_and_codes_as_text() -> None:
    plain = render_file(_results(), ExportFormat.CSV, include_failed=True).data
    excel = render_file(_results(), ExportFormat.CSV, include_failed=True, excel_compatible=True).data
    assert not plain.startswith(b"\xef\xbb\xbf") and excel.startswith(b"\xef\xbb\xbf")
    (acme, *_) = _csv_rows(excel.removeprefix(b"\xef\xbb\xbf"))
    assert acme["phone"] == '="+551155550100"'  # a spreadsheet shows +551155550100, not 5.51156E+11
    assert int(acme["employee_count_exact"]) == 342  # ordinary numbers stay numbers
    assert acme["company_name"] == "Acme Robotics"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("+4930123456", '="+4930123456"', id="e164"),
        pytest.param("0001835632", '="0001835632"', id="leading-zero"),
        pytest.param("1234567890123456", '="1234567890123456"', id="more-digits-than-a-float-keeps"),
        pytest.param("342", "342", id="number"),
        pytest.param("0", "0", id="zero"),
        pytest.param("-12.5", "-12.5", id="negative"),
        pytest.param('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")', id="formula-still-neutralised"),
        pytest.param('+1" & "2', '\'+1" & "2', id="not-digits-only"),
    ],
)
def test_spreadsheet_text_only_wraps_plain_digit_strings(text: str, expected: str) -> None:
    from server.export.csv_file import spreadsheet_text

    assert spreadsheet_text(text) == expected


FUNDED_AT = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
ROUNDS = [
    {"date": "2021-03-01", "amount_sold": 12_000_000.0, "display": "$12M", "offering_total": 12_000_000.0,
     "offering_total_indefinite": False, "currency": "USD", "form": "D/A", "filing_date": "2022-02-10",
     "accession_number": "0001880001-22-000002", "industry_group": "Biotechnology",
     "filing_url": "https://www.sec.gov/Archives/edgar/data/1880001/000188000122000002/primary_doc.xml"},
    {"date": "2023-06-05", "amount_sold": 35_250_000.0, "display": "$35.25M",
     "offering_total_indefinite": True, "currency": "USD", "form": "D", "filing_date": "2023-06-20",
     "accession_number": "0001880001-23-000003", "industry_group": "Biotechnology",
     "filing_url": "https://www.sec.gov/Archives/edgar/data/1880001/000188000123000003/primary_doc.xml"},
]  # fmt: skip
FUNDED_PROFILE: dict[str, Any] = {
    "company_name": "Halyard Therapeutics",
    "financial_data": {
        "funding_raised": "$47.25M",
        "valuation": "$18.6B",
        "net_income": "$2.1M",
        "figures": [
            {"kind": "funding_raised", "amount": 47_250_000.0, "currency": "USD", "period": "2023-06-20",
             "display": "$47.25M"},
            {"kind": "valuation", "amount": 18.6e9, "currency": "USD", "period": "2024-12-31",
             "display": "$18.6B"},
            {"kind": "total_assets", "amount": 9.1e7, "currency": "USD", "period": "FY2024",
             "display": "$91M"},
        ],
        "funding_rounds": ROUNDS,
    },
    "sources_unavailable": ["gleif", "sec_edgar"],
}  # fmt: skip


def _funded_outcomes() -> tuple[CompanyOutcome, ...]:
    done = FUNDED_AT + timedelta(seconds=3)
    return (
        CompanyOutcome("Halyard Therapeutics, Inc.", CompanyState.SUCCESS, profile=FUNDED_PROFILE,
                       started_at=FUNDED_AT, finished_at=done),
        CompanyOutcome("Quiet Co", CompanyState.SUCCESS, profile={"company_name": "Quiet"},
                       started_at=FUNDED_AT, finished_at=done),
    )  # fmt: skip


def test_csv_states_funding_valuation_rounds_and_unavailable_sources() -> None:
    data = render_file(_results(_funded_outcomes()), ExportFormat.CSV, include_failed=True).data
    halyard, quiet = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert halyard["funding_raised"] == "$47.25M" and float(halyard["funding_raised_amount"]) == 47_250_000
    assert halyard["funding_raised_currency"] == "USD"
    assert int(halyard["funding_rounds"]) == 2
    assert (halyard["last_funding_date"], halyard["last_funding_amount"]) == ("2023-06-05", "$35.25M")
    assert float(halyard["valuation_amount"]) == 18.6e9 and halyard["valuation_date"] == "2024-12-31"
    assert halyard["net_income"] == "$2.1M" and float(halyard["total_assets"]) == 9.1e7
    assert halyard["sources_unavailable"] == "gleif, sec_edgar"
    assert quiet["funding_rounds"] == "0" and quiet["funding_raised_amount"] == quiet["valuation_date"] == ""


def test_excel_funding_sheet_has_one_typed_row_per_round() -> None:
    exported = render_file(_results(_funded_outcomes()), ExportFormat.EXCEL, include_failed=True)
    workbook = openpyxl.load_workbook(io.BytesIO(exported.data))
    rows = _sheet_rows(workbook["Funding"])
    assert [(row["company_name"], row["accession_number"]) for row in rows] == [
        ("Halyard Therapeutics, Inc.", "0001880001-22-000002"),
        ("Halyard Therapeutics, Inc.", "0001880001-23-000003"),
    ]
    first, second = rows
    assert first["amount_sold"] == 12_000_000 and not isinstance(first["amount_sold"], str)
    assert first["offering_total"] == 12_000_000 and first["offering_total_indefinite"] is False
    assert second["offering_total"] is None and second["offering_total_indefinite"] is True
    assert second["filing_url"] == ROUNDS[1]["filing_url"] and second["form"] == "D"
    assert workbook["Results"]["A1"].comment.text == "company_name"


def test_files_show_each_failure_type_with_its_message_and_a_cancelled_company_as_cancelled() -> None:
    """Issue 12: the type and a one-line human message, whether a retry may help, which sources failed."""
    down = SourceOutcome("wikidata", SourceState.UNAVAILABLE, "Cannot connect", transient=True)
    answered = SourceOutcome("website:acme.example", SourceState.NOT_FOUND, "no such host")
    outcomes = (
        CompanyOutcome(
            "Offline Co",
            CompanyState.FAILED,
            error=ExtractionFailure(
                ErrorType.SOURCE_UNAVAILABLE,
                "The web could not be reached: wikidata did not answer",
                sources=(down, answered),
            ),
            started_at=STARTED,
            finished_at=STARTED + timedelta(seconds=1),
        ),
        CompanyOutcome(
            "Partial Co",
            CompanyState.SUCCESS,
            profile={
                "company_name": "Partial Co",
                "sources_unavailable": ["gleif"],
                "extracted_at": "2024-01-15T10:30:00Z",
            },
            started_at=STARTED,
            finished_at=STARTED + timedelta(seconds=1),
            from_cache=True,
        ),
        CompanyOutcome(
            "Stopped Co",
            CompanyState.CANCELLED,
            error=ExtractionFailure(ErrorType.CANCELLED, "the batch was cancelled while this company ran"),
            started_at=STARTED,
            finished_at=STARTED + timedelta(seconds=1),
        ),
    )
    rows = _csv_rows(render_file(_results(outcomes), ExportFormat.CSV, include_failed=True).data)
    offline, partial, stopped = rows
    assert offline["extraction_status"] == "failed" and offline["error_type"] == "SourceUnavailableError"
    assert offline["error_message"] == "The web could not be reached: wikidata did not answer"
    assert offline["retryable"] == "true" and offline["sources_unavailable"] == "wikidata (unavailable)"
    assert partial["sources_unavailable"] == "gleif" and partial["retryable"] == ""
    assert partial["extracted_at"] == "2024-01-15T10:30:00Z"
    assert stopped["extraction_status"] == "cancelled" and stopped["error_type"] == ""
    sheet_rows = _sheet_rows(_workbook_of(outcomes)["Failures"])
    assert [(r["company_name"], r["error_type"], r["retryable"]) for r in sheet_rows] == [
        ("Offline Co", "SourceUnavailableError", True)
    ]


def _workbook_of(outcomes: tuple[CompanyOutcome, ...]) -> Any:
    exported = render_file(_results(outcomes), ExportFormat.EXCEL, include_failed=True)
    return openpyxl.load_workbook(io.BytesIO(exported.data))
