"""Schemathesis against the OpenAPI document, through a real Envoy in front of the real server.

Every operation of ``docs/openapi.json`` is fuzzed with schema-derived and schema-violating requests;
an operation holds when no answer is a 5xx, a status the document does not list, a body that is not
JSON where JSON is promised, or a body that does not match its schema. Two checks are left out on
purpose: "schema-valid request rejected" (the document types fields but does not repeat every bound the
validation enforces, e.g. 1-100 names) and "405 for undeclared methods" (the REST contract answers 404
for any route it does not have).
"""

from __future__ import annotations

import asyncio
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from probe.base import ProbeRow
from server.testing import ScriptedExtractor, running_envoy, running_service

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
EXAMPLES, QUICK_EXAMPLES = 200, 20
ST = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "st"


async def run(quick: bool) -> list[ProbeRow]:
    row = ProbeRow("schemathesis: OpenAPI operations without a failure")
    with tempfile.TemporaryDirectory(prefix="probe-schema-") as workdir:
        extractor = ScriptedExtractor(profiles={"Acme": {"domain": "acme.example"}})
        async with running_service(Path(workdir) / "service", extractor) as service:
            async with running_envoy([service.grpc_port]) as envoy:
                report = Path(workdir) / "junit.xml"
                process = await asyncio.create_subprocess_exec(
                    str(ST), "run", f"{envoy.url}/api/v1/openapi.json", "--url", envoy.url,
                    "--checks", CHECKS, "--max-examples", str(QUICK_EXAMPLES if quick else EXAMPLES),
                    "--report", "junit", "--report-junit-path", str(report), "--no-color",
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                )  # fmt: skip
                await process.wait()
                for case in ET.parse(report).getroot().iter("testcase"):
                    failure = case.find("failure")
                    if failure is None:
                        failure = case.find("error")
                    detail = "" if failure is None else (failure.get("message") or failure.text or "")[:200]
                    row.record(failure is None, f"{case.get('name')}: {detail}")
    return [row]
