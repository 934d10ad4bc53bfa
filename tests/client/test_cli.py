"""Tests of the companyctl CLI against the whole service, in process on a free port.

The CLI is blocking and the service runs on the test's event loop, so each invocation runs in a thread.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from client.cli import EXIT_SERVICE_ERROR, EXIT_UNSUCCESSFUL, main
from server.testing import ScriptedExtractor, running_service

ACME: dict[str, Any] = {"domain": "acme-robotics.example", "sector": "Technology", "employee_count": "51-200"}


@pytest.fixture
def extractor() -> ScriptedExtractor:
    return ScriptedExtractor(profiles={"Acme Robotics": ACME, "Globex, Inc.": {"sector": "Finance"}})


@pytest.fixture
async def target(tmp_path: Path, extractor: ScriptedExtractor) -> AsyncIterator[str]:
    async with running_service(tmp_path / "service", extractor) as service:
        yield service.grpc_target


async def companyctl(target: str, *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, ["--target", target, *args])


async def _submitted_batch(target: str, *names: str) -> str:
    result = await companyctl(target, "submit", *names, "--watch")
    assert result.exit_code == 0, result.output
    batch_id: str = json.loads(result.stdout)["batch_id"]
    return batch_id


async def test_submit_prints_the_submitted_batch_as_json(target: str) -> None:
    result = await companyctl(target, "submit", "Acme Robotics", "--priority", "HIGH", "--mode", "basic")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "queued"
    assert data["priority"] == "high"
    assert data["total_companies"] == 1


async def test_submit_reads_names_from_a_file_and_passes_hints(
    target: str, tmp_path: Path, extractor: ScriptedExtractor
) -> None:
    names = tmp_path / "names.csv"
    names.write_text('company_name\r\n"Globex, Inc."\r\n', encoding="utf-8")
    result = await companyctl(
        target,
        "submit",
        "Acme Robotics",
        "--file",
        str(names),
        "--hint",
        "Acme Robotics=acme.example",
        "--watch",
    )
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert final["status"] == "completed"
    assert final["progress"]["total_companies"] == 2
    hints = {call.company_name: call.domain_hint for call in extractor.calls}
    assert hints == {"Acme Robotics": "acme.example", "Globex, Inc.": None}


async def test_submit_watch_exits_4_when_the_batch_failed(target: str) -> None:
    result = await companyctl(target, "submit", "Nowhere Ltd", "--watch")
    assert result.exit_code == EXIT_UNSUCCESSFUL
    assert json.loads(result.stdout)["status"] == "failed"
    assert "ended failed" in result.stderr


async def test_submit_without_names_is_a_usage_error(target: str) -> None:
    result = await companyctl(target, "submit")
    assert result.exit_code == 2
    assert "at least one company name" in result.stderr


async def test_submit_with_a_malformed_hint_is_a_usage_error(target: str) -> None:
    result = await companyctl(target, "submit", "Acme Robotics", "--hint", "acme.example")
    assert result.exit_code == 2
    assert "NAME=DOMAIN" in result.stderr


async def test_invalid_submit_lists_the_field_violations(target: str) -> None:
    result = await companyctl(target, "submit", "Acme Robotics", "--max-concurrent", "99")
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stderr.startswith("error: INVALID_ARGUMENT")
    assert "max_concurrent" in result.stderr
    assert "Traceback" not in result.output


async def test_status_list_and_stats_print_json(target: str) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics")
    status = await companyctl(target, "status", batch_id)
    assert json.loads(status.stdout)["status"] == "completed"
    listed = await companyctl(target, "list", "--page-size", "5")
    assert [b["batch_id"] for b in json.loads(listed.stdout)["batches"]] == [batch_id]
    stats = await companyctl(target, "stats", "--timeframe", "1h", "--details")
    assert json.loads(stats.stdout)["system_stats"]["total_batches"] == 1


async def test_watch_events_prints_one_json_line_per_event(target: str) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics")
    result = await companyctl(target, "watch", batch_id, "--events")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event_type"] == "snapshot"
    assert events[-1]["batch"]["status"] == "completed"


async def test_results_in_every_format(target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics", "Nowhere Ltd")

    as_json = await companyctl(target, "results", batch_id, "--exclude-failed")
    assert [r["company_name"] for r in json.loads(as_json.stdout)["results"]] == ["Acme Robotics"]

    as_csv = await companyctl(target, "results", batch_id, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout, newline="")))
    assert [(r["company_name"], r["domain"]) for r in rows] == [
        ("Acme Robotics", "acme-robotics.example"),
        ("Nowhere Ltd", ""),
    ]

    output = tmp_path / "chosen.csv"
    to_file = await companyctl(target, "results", batch_id, "--format", "csv", "-o", str(output))
    assert to_file.stdout == ""
    assert output.read_text(encoding="utf-8") == as_csv.stdout

    monkeypatch.chdir(tmp_path)
    as_excel = await companyctl(target, "results", batch_id, "--format", "excel")
    assert as_excel.exit_code == 0, as_excel.output
    workbook = openpyxl.load_workbook(tmp_path / f"{batch_id}_results.xlsx")
    assert workbook.sheetnames == ["Results", "Failures", "Summary", "Provenance", "Funding"]


async def test_extract_prints_the_result_and_exits_4_when_not_found(target: str) -> None:
    found = await companyctl(target, "extract", "Acme Robotics", "--domain", "acme-robotics.example")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["data"]["domain"] == "acme-robotics.example"
    missing = await companyctl(target, "extract", "Nowhere Ltd")
    assert missing.exit_code == EXIT_UNSUCCESSFUL
    assert json.loads(missing.stdout)["error"]["type"] == "CompanyAnalysisError"


async def test_cancelling_a_finished_batch_is_refused_readably(target: str) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics")
    result = await companyctl(target, "cancel", batch_id)
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stderr.startswith("error: FAILED_PRECONDITION")


async def test_unknown_batch_is_reported_not_found(target: str) -> None:
    result = await companyctl(target, "status", "batch_20240101_nope")
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stderr.startswith("error: NOT_FOUND")


async def test_results_format_follows_the_output_file_then_the_batch(target: str, tmp_path: Path) -> None:
    submitted = await companyctl(target, "submit", "Acme Robotics", "--export-format", "csv", "--watch")
    assert submitted.exit_code == 0, submitted.output
    batch_id = json.loads(submitted.stdout)["batch_id"]

    workbook_path, json_path = tmp_path / "out.xlsx", tmp_path / "out.json"
    assert (await companyctl(target, "results", batch_id, "-o", str(workbook_path))).exit_code == 0
    assert openpyxl.load_workbook(workbook_path).sheetnames[0] == "Results"
    assert (await companyctl(target, "results", batch_id, "-o", str(json_path))).exit_code == 0
    assert json.loads(json_path.read_text())["batch_id"] == batch_id

    # No extension to go by: the batch's export_format (csv); --format still overrides both.
    plain = await companyctl(target, "results", batch_id)
    assert plain.stdout.startswith("company_name,")
    forced = await companyctl(target, "results", batch_id, "--format", "json", "-o", str(tmp_path / "x.csv"))
    assert forced.exit_code == 0 and json.loads((tmp_path / "x.csv").read_text())["batch_id"] == batch_id


async def test_watching_an_unknown_batch_fails_before_any_progress_is_drawn(target: str) -> None:
    result = await companyctl(target, "watch", "batch_20240101_nope")
    assert result.exit_code == EXIT_SERVICE_ERROR
    assert result.stderr.startswith("error: NOT_FOUND")
    assert "%" not in result.stderr


async def test_an_unreachable_service_is_reported_with_advice() -> None:
    from server.testing import free_port

    target = f"127.0.0.1:{free_port()}"  # nothing listens there
    result = await companyctl(target, "status", "batch_20240101_nope")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"error: service not reachable at {target}: is `make serve` running?")


async def test_results_excel_csv_flag_writes_the_spreadsheet_flavour(target: str, tmp_path: Path) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics")
    output = tmp_path / "for-excel.csv"
    result = await companyctl(target, "results", batch_id, "-o", str(output), "--excel-csv")
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")


async def test_retry_requeues_the_failures_and_watches_the_batch_finish_again(target: str) -> None:
    batch_id = await _submitted_batch(target, "Acme Robotics", "Unknown Co")
    result = await companyctl(
        target, "retry", batch_id, "--error-type", "CompanyAnalysisError", "--request-id", "r1", "--watch"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "completed"
    replay = await companyctl(target, "retry", batch_id, "--request-id", "r1")
    assert json.loads(replay.stdout)["idempotent_replay"] is True
    results = json.loads((await companyctl(target, "results", batch_id)).stdout)["results"]
    assert {r["company_name"]: r["attempts"] for r in results} == {"Acme Robotics": 1, "Unknown Co": 2}
    refused = await companyctl(target, "retry", batch_id, "--error-type", "NoSuchError")
    assert refused.exit_code == EXIT_SERVICE_ERROR and "error_types[0]" in refused.stderr


def test_webhook_verify_accepts_a_signed_body_and_refuses_a_changed_one(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from server.webhooks.signing import new_secret, signed_headers

    secret, body = new_secret(), '{"type":"batch.completed","data":{}}'
    headers = signed_headers(secret, "msg_1", datetime.now(UTC), body)
    args = [
        "webhook", "verify", "--secret", secret, "--id", headers["webhook-id"],
        "--timestamp", headers["webhook-timestamp"], "--signature", headers["webhook-signature"],
    ]  # fmt: skip
    good = CliRunner().invoke(main, args, input=body)
    assert good.exit_code == 0 and good.stdout.strip() == "valid", good.output
    changed = tmp_path / "body.json"
    changed.write_text(body.replace("completed", "failed"))
    bad = CliRunner().invoke(main, [*args, str(changed)])
    assert bad.exit_code == 1 and "invalid signature" in bad.stderr
    wrong_key = CliRunner().invoke(main, [*args[:3], new_secret(), *args[4:]], input=body)
    assert wrong_key.exit_code == 1


def test_webhook_secret_prints_one_secret_per_tenant_from_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    first = CliRunner().invoke(main, ["webhook", "secret", "--tenant", "acme", "--database-url", url])
    again = CliRunner().invoke(main, ["webhook", "secret", "--tenant", "acme", "--database-url", url])
    other = CliRunner().invoke(main, ["webhook", "secret", "--tenant", "globex", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("whsec_") and first.stdout == again.stdout != other.stdout
