"""The REST contract (shared/api/batch-processing.md) through a real Envoy in front of the real server."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from typing import Any

import httpx
import openpyxl
import pytest

from server.testing import ServiceStack as Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

API = "/api/v1/company"
BATCH_ID = re.compile(r"^batch_\d{8}_[a-z0-9]{20}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FINAL = {"completed", "failed", "cancelled"}


def envelope(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response's ``data`` after checking the contract's envelope."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is True
    assert set(body) == {"success", "data", "metadata"}
    assert body["metadata"]["trace_id"]
    assert RFC3339_UTC.match(body["metadata"]["timestamp"])
    data: dict[str, Any] = body["data"]
    return data


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert {"type", "message", "details", "field_violations"} <= set(body["error"])
    assert body["metadata"]["trace_id"]
    assert RFC3339_UTC.match(body["metadata"]["timestamp"])
    err: dict[str, Any] = body["error"]
    return err


async def submit(http: httpx.AsyncClient, names: list[str], **options: Any) -> dict[str, Any]:
    response = await http.post(f"{API}/batch/submit", json={"company_names": names, **options})
    return envelope(response, 202)


async def wait_final(http: httpx.AsyncClient, batch_id: str, seconds: float = 30) -> dict[str, Any]:
    for _ in range(int(seconds / 0.05)):
        data = envelope(await http.get(f"{API}/batch/{batch_id}/status"), 200)
        if data["status"] in FINAL:
            return data
        await asyncio.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish")


async def test_submit_answers_202_with_the_documented_fields(http: httpx.AsyncClient) -> None:
    data = await submit(
        http,
        ["Acme Robotics", "Globex Health"],
        extraction_mode="comprehensive",
        priority="high",
        max_concurrent=3,
        export_format="json",
    )
    assert BATCH_ID.match(data["batch_id"])
    assert data["status"] in {"queued", "processing", "completed"}
    assert data["message"] == "Batch submitted successfully"
    assert data["total_companies"] == 2
    assert isinstance(data["estimated_processing_time"], int | float)
    assert data["estimated_processing_time"] > 0
    assert data["priority"] == "high"
    assert RFC3339_UTC.match(data["created_at"])


async def test_status_document_reports_progress_as_documented(stack: Stack, http: httpx.AsyncClient) -> None:
    """15 successes + 2 failures of 25 is 68.0 percent, with 8 remaining (the document's example)."""
    names = [*(f"Acme Robotics {i}" for i in range(15)), "Nowhere Inc", "Broken Site Ltd"]
    slow = [f"Slow Corp {i}" for i in range(8)]
    for name in names[:15]:
        stack.extractor.profiles = {**stack.extractor.profiles, name: {"sector": "Technology"}}
    stack.extractor.delays = {**stack.extractor.delays, **{name: 3600.0 for name in slow}}
    batch = await submit(
        http, names + slow, max_concurrent=20, extraction_mode="comprehensive", priority="high"
    )
    batch_id = batch["batch_id"]
    try:
        for _ in range(600):
            data = envelope(await http.get(f"{API}/batch/{batch_id}/status"), 200)
            progress = data["progress"]
            # The slow companies start a moment after the last quick one finishes: wait for both.
            if progress["completed"] + progress["failed"] == 17 and progress["in_progress"] == 8:
                break
            await asyncio.sleep(0.05)
        assert data["status"] == "processing"
        assert progress == {
            "total_companies": 25,
            "completed": 15,
            "failed": 2,
            "remaining": 8,
            "completion_percentage": 68.0,
            "current_phase": "extraction",
            "in_progress": 8,
            "cancelled": 0,
        }
        assert data["batch_id"] == batch_id
        assert data["priority"] == "high"
        assert data["extraction_mode"] == "comprehensive"
        assert data["export_format"] == "json"
        for key in ("created_at", "started_at", "estimated_completion", "last_update"):
            assert RFC3339_UTC.match(data[key]), key
        assert isinstance(data["processing_time"], int | float)
    finally:
        # The slow companies would otherwise hold the module's workers for an hour.
        cancelled = envelope(await http.post(f"{API}/batch/{batch_id}/cancel", json={}), 200)
    assert cancelled["status"] == "cancelled"
    assert cancelled["progress"]["completed"] == 15
    assert cancelled["progress"]["cancelled"] == 8


async def test_zero_counts_are_present_in_the_status_document(stack: Stack, http: httpx.AsyncClient) -> None:
    """Fields whose value is zero are printed, not omitted (the document's examples index them directly)."""
    stack.extractor.delays = {**stack.extractor.delays, "Slow Corp Zero": 3600.0}
    batch = await submit(http, ["Slow Corp Zero"], priority="low")
    try:
        data = envelope(await http.get(f"{API}/batch/{batch['batch_id']}/status"), 200)
        assert data["progress"]["completed"] == 0
        assert data["progress"]["failed"] == 0
        assert data["progress"]["completion_percentage"] == 0
        assert data["progress"]["cancelled"] == 0
    finally:
        await http.post(f"{API}/batch/{batch['batch_id']}/cancel", json={})


async def test_results_json_has_data_errors_and_summary(http: httpx.AsyncClient) -> None:
    names = ["Acme Robotics", "Globex Health", "Initech", "NonExistentCompany"]
    batch = await submit(http, names)
    await wait_final(http, batch["batch_id"])
    data = envelope(await http.get(f"{API}/batch/{batch['batch_id']}/results"), 200)
    assert data["batch_id"] == batch["batch_id"]
    assert data["status"] == "completed"
    assert data["total_companies"] == 4
    assert data["successful_extractions"] == 3
    assert data["failed_extractions"] == 1
    assert isinstance(data["processing_time"], int | float)
    assert RFC3339_UTC.match(data["completed_at"])
    assert data["export_url"] == f"{API}/batch/{batch['batch_id']}/download"
    by_name = {r["company_name"]: r for r in data["results"]}
    assert [r["company_name"] for r in data["results"]] == names
    acme = by_name["Acme Robotics"]
    assert acme["extraction_status"] == "success"
    assert acme["data"]["domain"] == "acme-robotics.example"
    assert acme["data"]["employee_count"] == "501-1000"
    assert acme["data"]["headquarters"] == {
        "city": "San Francisco",
        "state": "California",
        "country": "United States",
    }
    assert acme["data"]["financial_data"]["valuation"] == "$86B"
    assert acme["data"]["financial_data"]["funding_raised"] == "$11.3B"
    missing = by_name["NonExistentCompany"]
    assert missing["extraction_status"] == "failed"
    assert missing["error"]["type"] == "CompanyAnalysisError"
    assert missing["error"]["message"] == "Company not found"
    assert "data" not in missing
    assert data["summary"] == {
        "industries": {"Technology": 2, "Healthcare": 1},
        "company_sizes": {"201-1000": 1, "51-200": 1, "1-50": 1},
        "countries": {"United States": 2, "Canada": 1},
    }
    without_failed = envelope(
        await http.get(f"{API}/batch/{batch['batch_id']}/results?include_failed=false"), 200
    )
    assert [r["company_name"] for r in without_failed["results"]] == names[:3]


async def test_results_say_why_each_company_failed_and_when_each_answer_was_extracted(
    http: httpx.AsyncClient,
) -> None:
    """Issue 12 through Envoy: the type, a one-line message, retryable and the per-source outcomes."""
    batch = await submit(http, ["Broken Site Ltd", "NonExistentCompany", "Initech"])
    await wait_final(http, batch["batch_id"])
    data = envelope(await http.get(f"{API}/batch/{batch['batch_id']}/results"), 200)
    broken, missing, initech = data["results"]
    assert broken["extraction_status"] == "failed"
    assert broken["error"]["type"] == "SourceUnavailableError"
    assert broken["error"]["message"].startswith("Sources could not be reached: website:broken.example")
    assert broken["error"]["retryable"] is True
    assert broken["error"]["sources"] == [
        {"source": "website:broken.example", "outcome": "unavailable", "reason": "HTTP 500"},
        {"source": "wikidata", "outcome": "ok", "reason": ""},
    ]
    assert missing["error"]["type"] == "CompanyAnalysisError" and missing["error"]["retryable"] is False
    for result in data["results"]:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", result["extracted_at"]), result
        assert result["from_cache"] in {True, False}
    assert initech["data"]["extracted_at"] == initech["extracted_at"]
    stats = envelope(await http.get(f"{API}/batch/stats?timeframe=1h"), 200)
    types = {e["error_type"] for e in stats["error_analysis"]["most_common_errors"]}
    assert "SourceUnavailableError" in types
    assert stats["source_circuits"] == []  # no knowledge source failed in this service


async def test_max_cache_age_is_accepted_and_validated(http: httpx.AsyncClient) -> None:
    batch = await submit(http, ["Initech"], max_cache_age_seconds=0)
    assert batch["batch_id"]
    data = envelope(
        await http.post(f"{API}/extract", json={"company_name": "Initech", "max_cache_age_seconds": 0}), 200
    )
    assert data["from_cache"] is False
    err = error(
        await http.post(f"{API}/batch/submit", json={"company_names": ["A"], "max_cache_age_seconds": -1}),
        400,
    )
    assert err["field_violations"][0]["field"] == "max_cache_age_seconds"


async def test_results_as_csv_and_excel_files(http: httpx.AsyncClient) -> None:
    batch = await submit(http, ["Acme Robotics", "Globex Health", "NonExistentCompany"], export_format="csv")
    batch_id = batch["batch_id"]
    await wait_final(http, batch_id)

    response = await http.get(f"{API}/batch/{batch_id}/results?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert ".csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["company_name"] for row in rows] == ["Acme Robotics", "Globex Health", "NonExistentCompany"]
    assert rows[0]["headquarters_city"] == "San Francisco"
    assert rows[2]["error_type"] == "CompanyAnalysisError"

    # The spreadsheet flavour: a byte order mark first, the same rows after it.
    excel = await http.get(f"{API}/batch/{batch_id}/results?format=csv&excel_compatible=true")
    assert excel.status_code == 200 and excel.content.startswith(b"\xef\xbb\xbf")
    excel_rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig"))))
    assert [row["company_name"] for row in excel_rows] == [row["company_name"] for row in rows]

    response = await http.get(f"{API}/batch/{batch_id}/results?format=excel&include_failed=false")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [cell.comment.text for cell in sheet[1]]  # headings are for people; comments name the column
    names = [row[header.index("company_name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Acme Robotics", "Globex Health"]

    download = await http.get(f"{API}/batch/{batch_id}/download")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"  # the batch's export_format
    json_file = await http.get(f"{API}/batch/{batch_id}/results?format=json&download=true")
    assert "attachment" in json_file.headers["content-disposition"]
    assert json.loads(json_file.content)["batch_id"] == batch_id


async def test_watch_streams_server_sent_events_until_the_final_status(http: httpx.AsyncClient) -> None:
    batch = await submit(http, ["Acme Robotics", "Globex Health", "NonExistentCompany"], max_concurrent=1)
    events = []
    async with http.stream("GET", f"{API}/batch/{batch['batch_id']}/watch") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    assert events[0]["event_type"] == "snapshot"
    assert events[-1]["batch"]["status"] == "completed"
    assert [e["sequence"] for e in events[1:]] == sorted(e["sequence"] for e in events[1:])
    kinds = [e["event_type"] for e in events]
    assert kinds.count("company_succeeded") == 2
    assert kinds.count("company_failed") == 1
    failed = next(e for e in events if e["event_type"] == "company_failed")
    assert failed["result"]["error"]["type"] == "CompanyAnalysisError"


async def test_stats_report_every_documented_field(http: httpx.AsyncClient) -> None:
    batch = await submit(http, ["Acme Robotics", "NonExistentCompany"])
    await wait_final(http, batch["batch_id"])
    response = await http.get(f"{API}/batch/stats?timeframe=1h&include_details=true")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["metadata"]["trace_id"]
    assert RFC3339_UTC.match(body["metadata"]["generated_at"])
    data = body["data"]
    assert data["timeframe"] == "1h"
    system = data["system_stats"]
    for key in (
        "total_batches",
        "completed_batches",
        "failed_batches",
        "active_batches",
        "total_companies_processed",
        "average_processing_time",
        "success_rate",
    ):
        assert isinstance(system[key], int | float), key
    assert system["total_batches"] >= 1
    assert 0 < system["success_rate"] < 100
    perf = data["performance_metrics"]
    for key in (
        "average_batch_size",
        "fastest_batch_time",
        "slowest_batch_time",
        "peak_concurrent_batches",
        "cache_hit_rate",
    ):
        assert isinstance(perf[key], int | float), key
    assert perf["most_common_extraction_mode"] in {"basic", "standard", "comprehensive"}
    resources = data["resource_utilization"]
    for key in ("cpu_usage", "memory_usage", "active_connections", "queue_size"):
        assert isinstance(resources[key], int | float), key
    assert resources["active_connections"] >= 1  # this very call
    assert 0 < resources["memory_usage"] < 100
    errors = data["error_analysis"]["most_common_errors"]
    assert any(e["error_type"] == "CompanyAnalysisError" and e["count"] >= 1 for e in errors)
    assert all(0 < e["percentage"] <= 100 for e in errors)
    assert "standard" in data["details"]["by_mode"]


async def test_validation_errors_are_400_with_field_violations(http: httpx.AsyncClient) -> None:
    before = envelope(await http.get(f"{API}/batches?page_size=100"), 200)
    response = await http.post(
        f"{API}/batch/submit",
        json={"company_names": ["Acme", "  "], "max_concurrent": 21, "timeout_seconds": 10, "country": "USA"},
    )
    err = error(response, 400)
    assert err["type"] == "ValidationError"
    fields = {v["field"] for v in err["field_violations"]}
    assert fields == {"company_names[1]", "max_concurrent", "timeout_seconds", "country"}
    after = envelope(await http.get(f"{API}/batches?page_size=100"), 200)
    assert len(after["batches"]) == len(before["batches"]), "a rejected submit created a batch"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        pytest.param("POST", "/batch/submit", "{not json", 400, "", id="bad-json"),
        pytest.param(
            "POST",
            "/batch/submit",
            '{"company_names": ["A"], "priority": "asap"}',
            400,
            "priority",
            id="enum",
        ),
        pytest.param("GET", "/batch/nope/everything", None, 404, "", id="unknown-path"),
        pytest.param("GET", "/batch/stats?timeframe=1h&colour=red", None, 400, "colour", id="unknown-query"),
    ],
)
async def test_errors_envoy_produces_itself_use_the_envelope(
    http: httpx.AsyncClient, method: str, path: str, body: str | None, status: int, fragment: str
) -> None:
    response = await http.request(
        method, f"{API}{path}", content=body, headers={"content-type": "application/json"}
    )
    err = error(response, status)
    assert fragment in err["message"]


async def test_unknown_batch_is_404_and_finished_batch_transitions_are_409(http: httpx.AsyncClient) -> None:
    err = error(await http.get(f"{API}/batch/batch_20240115_abc123/status"), 404)
    assert err["type"] == "NotFound"
    batch = await submit(http, ["Acme Robotics"])
    await wait_final(http, batch["batch_id"])
    for action in ("cancel", "pause", "resume"):
        err = error(await http.post(f"{API}/batch/{batch['batch_id']}/{action}", json={}), 409)
        assert err["type"] == "Conflict"
        assert err["code"] == "FAILED_PRECONDITION"


async def test_submit_with_the_same_request_id_returns_the_same_batch(http: httpx.AsyncClient) -> None:
    first = await submit(http, ["Acme Robotics"], request_id="crm-sync-2024-01-15")
    again = await submit(http, ["Acme Robotics"], request_id="crm-sync-2024-01-15")
    assert again["batch_id"] == first["batch_id"]
    assert again["idempotent_replay"] is True


async def test_pause_and_resume_through_rest(stack: Stack, http: httpx.AsyncClient) -> None:
    batch = await submit(
        http, ["Acme Robotics", "Globex Health", "Initech"], max_concurrent=1, priority="low"
    )
    paused = envelope(await http.post(f"{API}/batch/{batch['batch_id']}/pause", json={}), 200)
    assert paused["status"] == "paused"
    resumed = envelope(await http.post(f"{API}/batch/{batch['batch_id']}/resume", json={}), 200)
    assert resumed["status"] in {"queued", "processing", "completed"}
    final = await wait_final(http, batch["batch_id"])
    assert final["status"] == "completed"
    assert final["progress"]["completed"] == 3


async def test_list_batches_pages_newest_first(http: httpx.AsyncClient) -> None:
    ids = [(await submit(http, ["Initech"]))["batch_id"] for _ in range(3)]
    first = envelope(await http.get(f"{API}/batches?page_size=2"), 200)
    assert [b["batch_id"] for b in first["batches"]] == ids[::-1][:2]
    assert first["next_page_token"]
    second = envelope(await http.get(f"{API}/batches?page_size=2&page_token={first['next_page_token']}"), 200)
    assert second["batches"][0]["batch_id"] == ids[0]


async def test_single_company_extraction(http: httpx.AsyncClient) -> None:
    data = envelope(
        await http.post(f"{API}/extract", json={"company_name": "Globex Health", "extraction_mode": "basic"}),
        200,
    )
    assert data["extraction_status"] == "success"
    assert data["data"]["domain"] == "globex-health.example"
    err = error(await http.post(f"{API}/extract", json={"company_name": " "}), 400)
    assert err["field_violations"][0]["field"] == "company_name"


async def test_stats_of_an_empty_service_name_no_extraction_mode(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from server.testing import ScriptedExtractor, running_envoy, running_service

    async with running_service(tmp_path_factory.mktemp("empty"), ScriptedExtractor()) as service:
        async with running_envoy([service.grpc_port]) as envoy, httpx.AsyncClient(base_url=envoy.url) as http:
            data = envelope(await http.get(f"{API}/batch/stats?timeframe=1h"), 200)
    assert data["system_stats"]["total_batches"] == 0
    assert "most_common_extraction_mode" not in data["performance_metrics"]
    assert "unspecified" not in json.dumps(data)


async def test_retry_re_queues_the_failures_of_a_finished_batch_and_answers_202(
    http: httpx.AsyncClient,
) -> None:
    batch_id = (await submit(http, ["Acme Robotics", "Nobody Retried Inc"]))["batch_id"]
    assert (await wait_final(http, batch_id))["status"] == "completed"

    body = {"error_types": ["CompanyAnalysisError"], "request_id": "retry-nobody", "bypass_cache": True}
    retried = envelope(await http.post(f"{API}/batch/{batch_id}/retry", json=body), 202)
    assert retried["retried_companies"] == 1 and retried["idempotent_replay"] is False
    assert retried["batch"]["batch_id"] == batch_id and retried["batch"]["status"] == "queued"
    replay = envelope(await http.post(f"{API}/batch/{batch_id}/retry", json=body), 202)
    assert replay["retried_companies"] == 1 and replay["idempotent_replay"] is True

    final = await wait_final(http, batch_id)
    assert final["status"] == "completed" and final["progress"]["failed"] == 1
    results = envelope(await http.get(f"{API}/batch/{batch_id}/results"), 200)["results"]
    attempts = {r["company_name"]: (r["extraction_status"], r["attempts"], r["from_cache"]) for r in results}
    assert attempts == {"Acme Robotics": ("success", 1, False), "Nobody Retried Inc": ("failed", 2, False)}


async def test_retry_refuses_an_unknown_error_type_a_live_batch_and_an_unknown_batch(
    http: httpx.AsyncClient,
) -> None:
    live = (await submit(http, ["Slow Corp"]))["batch_id"]
    refused = error(await http.post(f"{API}/batch/{live}/retry", json={"error_types": ["Nope"]}), 400)
    assert [v["field"] for v in refused["field_violations"]] == ["error_types[0]"]
    conflict = error(await http.post(f"{API}/batch/{live}/retry", json={}), 409)
    assert "retry" in conflict["message"]
    envelope(await http.post(f"{API}/batch/{live}/cancel", json={}), 200)
    assert "cancelled" in error(await http.post(f"{API}/batch/{live}/retry", json={}), 409)["message"]
    error(await http.post(f"{API}/batch/batch_20260101_aaaaaaaaaaaaaaaaaaaa/retry", json={}), 404)
