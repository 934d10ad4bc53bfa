"""Tests of BatchClient and SyncBatchClient against the whole service, in process on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from client import BatchClient, FailedPrecondition, InvalidArgument, NotFound, SyncBatchClient
from company_protos.company.v1 import batch_service_pb2, enums_pb2
from server.testing import ScriptedExtractor, running_service

ACME: dict[str, Any] = {
    "domain": "acme-robotics.example",
    "sector": "Technology",
    "industry": "Industrial Robotics",
    "employee_count": "201-500",
    "employee_count_exact": 342,
    "headquarters": {"city": "São Paulo", "country": "Brazil", "country_code": "BR"},
    "founded_year": 1999,
    "confidence": 0.9,
}
GLOBEX: dict[str, Any] = {"domain": "globex.example", "sector": "Finance", "employee_count": "11-50"}
FINAL = {enums_pb2.completed, enums_pb2.failed, enums_pb2.cancelled}
Success = batch_service_pb2.CompanyResult.success
Failed = batch_service_pb2.CompanyResult.failed


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor(profiles={"Acme Robotics": ACME, "Globex": GLOBEX})


@pytest.fixture
async def client(tmp_path: Path, extractor: ScriptedExtractor) -> AsyncIterator[BatchClient]:
    async with running_service(tmp_path, extractor) as service, BatchClient(service.grpc_target) as client:
        yield client


async def _finish(client: BatchClient, batch_id: str) -> list[batch_service_pb2.WatchBatchResponse]:
    return [event async for event in client.watch(batch_id)]


async def test_submit_watch_and_results_round_trip(client: BatchClient) -> None:
    submitted = await client.submit(
        ["Acme Robotics", "Globex", "Nowhere Ltd"], priority="high", extraction_mode=enums_pb2.comprehensive
    )
    assert submitted.total_companies == 3
    assert submitted.priority == enums_pb2.high
    events = await _finish(client, submitted.batch_id)
    assert events[0].event_type == batch_service_pb2.WatchBatchResponse.snapshot
    assert events[-1].batch.status == enums_pb2.completed
    results = await client.results(submitted.batch_id)
    assert (results.successful_extractions, results.failed_extractions) == (2, 1)
    by_name = {r.company_name: r for r in results.results}
    assert by_name["Acme Robotics"].extraction_status == Success
    assert by_name["Acme Robotics"].data.headquarters.city == "São Paulo"
    assert by_name["Acme Robotics"].data.employee_count_exact == 342
    assert by_name["Nowhere Ltd"].extraction_status == Failed
    assert by_name["Nowhere Ltd"].error.type == "CompanyAnalysisError"
    assert dict(results.summary.industries) == {"Technology": 1, "Finance": 1}
    assert dict(results.summary.company_sizes) == {"201-1000": 1, "1-50": 1}
    batch = await client.get(submitted.batch_id)
    assert batch.extraction_mode == enums_pb2.comprehensive
    assert batch.progress.completion_percentage == 100.0


async def test_results_can_leave_failures_out(client: BatchClient) -> None:
    submitted = await client.submit(["Acme Robotics", "Nowhere Ltd"])
    await _finish(client, submitted.batch_id)
    results = await client.results(submitted.batch_id, include_failed=False)
    assert [r.company_name for r in results.results] == ["Acme Robotics"]


async def test_export_writes_csv_and_excel_files(client: BatchClient, tmp_path: Path) -> None:
    submitted = await client.submit(["Acme Robotics", "Nowhere Ltd"], export_format="excel")
    await _finish(client, submitted.batch_id)

    csv_path = await client.export(submitted.batch_id, tmp_path / "out.csv", format="csv")
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"), newline="")))
    assert [(r["company_name"], r["extraction_status"]) for r in rows] == [
        ("Acme Robotics", "success"),
        ("Nowhere Ltd", "failed"),
    ]
    assert rows[0]["headquarters_city"] == "São Paulo"

    # No format: the batch's own export_format (excel) applies.
    xlsx_path = await client.export(submitted.batch_id, tmp_path / "out.xlsx", include_failed=False)
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == ["Results", "Summary", "Provenance", "Funding"]
    results_rows = list(workbook["Results"].iter_rows(values_only=True))
    assert len(results_rows) == 2
    assert results_rows[1][0] == "Acme Robotics"


async def test_invalid_submit_raises_invalid_argument_with_field_violations(client: BatchClient) -> None:
    with pytest.raises(InvalidArgument) as raised:
        await client.submit(["Acme Robotics"], max_concurrent=50)
    assert "max_concurrent" in [v.field for v in raised.value.field_violations]


async def test_unknown_batch_raises_not_found(client: BatchClient) -> None:
    with pytest.raises(NotFound):
        await client.get("batch_20240101_doesnotexist")


async def test_resubmitting_with_a_request_id_replays_the_first_batch(client: BatchClient) -> None:
    first = await client.submit(["Acme Robotics"], request_id="req-42")
    second = await client.submit(["Acme Robotics"], request_id="req-42")
    assert second.batch_id == first.batch_id
    assert second.idempotent_replay and not first.idempotent_replay


async def test_list_pages_batches_newest_first(client: BatchClient) -> None:
    ids = [(await client.submit([name])).batch_id for name in ("Acme Robotics", "Globex", "Nowhere Ltd")]
    first_page = await client.list(page_size=2)
    assert [b.batch_id for b in first_page.batches] == ids[::-1][:2]
    second_page = await client.list(page_size=2, page_token=first_page.next_page_token)
    assert [b.batch_id for b in second_page.batches] == ids[:1]


async def test_stats_reports_the_timeframe(client: BatchClient) -> None:
    submitted = await client.submit(["Acme Robotics"])
    await _finish(client, submitted.batch_id)
    stats = await client.stats("1h", include_details=True)
    assert stats.timeframe == "1h"
    assert stats.system_stats.total_batches == 1
    assert "standard" in stats.details.by_mode


async def test_extract_answers_one_company_without_a_batch(client: BatchClient) -> None:
    found = await client.extract("Globex", extraction_mode="basic", domain_hint="globex.example")
    assert found.extraction_status == Success
    assert found.data.domain == "globex.example"
    missing = await client.extract("Nowhere Ltd")
    assert missing.extraction_status == Failed
    assert (await client.list()).batches == []


async def test_cancel_stops_a_running_batch_and_cannot_be_repeated(
    client: BatchClient, extractor: ScriptedExtractor
) -> None:
    extractor.delay = 30.0
    submitted = await client.submit(["Acme Robotics", "Globex"], max_concurrent=1)
    await client.cancel(submitted.batch_id)
    events = await _finish(client, submitted.batch_id)
    assert events[-1].batch.status == enums_pb2.cancelled
    with pytest.raises(FailedPrecondition):
        await client.cancel(submitted.batch_id)


async def test_pause_then_resume_lets_the_batch_complete(
    client: BatchClient, extractor: ScriptedExtractor
) -> None:
    extractor.delay = 1.0
    submitted = await client.submit(["Acme Robotics", "Globex"], max_concurrent=1)
    await client.pause(submitted.batch_id)
    async with contextlib.aclosing(client.watch(submitted.batch_id)) as events:
        async for event in events:
            # Status turns paused at once; the phase follows once the running company is done.
            if event.batch.progress.current_phase == batch_service_pb2.BatchProgress.paused:
                break
    paused = await client.get(submitted.batch_id)
    assert paused.status == enums_pb2.paused
    assert (paused.progress.completed, paused.progress.in_progress) == (1, 0)
    resumed = await client.resume(submitted.batch_id)
    assert resumed.status != enums_pb2.paused
    events = await _finish(client, submitted.batch_id)
    assert events[-1].batch.status == enums_pb2.completed


async def test_sync_client_does_the_same_from_a_thread(tmp_path: Path, extractor: ScriptedExtractor) -> None:
    def run(target: str) -> tuple[list[int], batch_service_pb2.BatchResults, bytes]:
        with SyncBatchClient(target) as client:
            submitted = client.submit(["Acme Robotics", "Nowhere Ltd"], priority="urgent")
            statuses = [event.batch.status for event in client.watch(submitted.batch_id)]
            results = client.results(submitted.batch_id)
            body = client.download(submitted.batch_id, "csv").data
            return statuses, results, body

    async with running_service(tmp_path, extractor) as service:
        statuses, results, body = await asyncio.to_thread(run, service.grpc_target)
    assert statuses[-1] == enums_pb2.completed
    assert [r.company_name for r in results.results] == ["Acme Robotics", "Nowhere Ltd"]
    assert body.decode("utf-8").startswith("company_name,extraction_status,")
