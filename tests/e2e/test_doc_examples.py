"""The Python examples of the REST documents run as written against Envoy + the server.

Two documents: the repository's own reference (``docs/rest-api.md``), always; and the shared REST
contract (``../shared/api/batch-processing.md``) when a checkout has it beside it (a user's clone does
not, so those tests skip there). Only the base URL (and the example batch id, which must be a real one)
is replaced. Each example runs in its own interpreter, as a user would run it, while the service runs
in this test's event loop.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from server.testing import ScriptedExtractor, ServiceStack, running_envoy, running_service

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "rest-api.md"
DOCUMENT = ROOT.parent / "shared" / "api" / "batch-processing.md"
REFERENCE_BATCH_ID = "BATCH_ID"
DOC_URL = "http://localhost:8000"
DOC_BATCH_ID = "batch_20240115_abc123"
DOC_COMPANIES = [
    "Apple",
    "Microsoft",
    "Google",
    "Amazon",
    "Tesla",
    "Meta",
    "Netflix",
    "Nvidia",
    "Adobe",
    "Salesforce",
]
README_COMPANIES = ["Stripe", "Shopify"]
EXAMPLE_TIMEOUT_SECONDS = 120


def python_examples(document: Path = DOCUMENT) -> list[str]:
    if not document.exists():
        pytest.skip(f"{document} is not beside this checkout")
    text = document.read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def example(containing: str, document: Path = DOCUMENT) -> str:
    matches = [code for code in python_examples(document) if containing in code]
    assert len(matches) == 1, f"expected one example containing {containing!r}"
    return matches[0]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServiceStack]:
    # Scripted answers for the document's names (this test is about the API, not extraction).
    profiles = {
        name: {
            "domain": f"{name.lower()}.example",
            "industry": "Software",
            "sector": "Technology",
            "employee_count": "10001+",
            "headquarters": {"city": "Springfield", "country": "United States"},
        }
        for name in (*DOC_COMPANIES, *README_COMPANIES)
    }
    extractor = ScriptedExtractor(profiles=profiles, delay=0.01)
    async with running_service(tmp_path_factory.mktemp("doc"), extractor) as service:
        async with running_envoy([service.grpc_port]) as envoy:
            yield ServiceStack(service, envoy, extractor)


async def run_example(
    code: str, stack: ServiceStack, cwd: Path, batch_id: str = "", placeholder: str = DOC_BATCH_ID
) -> str:
    source = code.replace(DOC_URL, stack.url)
    if batch_id:
        source = source.replace(placeholder, batch_id)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        source,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), EXAMPLE_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_the_reference_examples_run_as_written(stack: ServiceStack, tmp_path: Path) -> None:
    """Submit, watch, poll, fetch results and a CSV, read stats and an error, as the reference shows."""

    async def run(containing: str, batch_id: str = "") -> str:
        code = example(containing, REFERENCE)
        return await run_example(code, stack, tmp_path, batch_id, placeholder=REFERENCE_BATCH_ID)

    assert len(python_examples(REFERENCE)) == 6
    out = await run('"company_names": ["Apple"')
    match = re.search(r"submitted (batch_\w+) queued 3", out)
    assert match, out
    batch_id = match.group(1)
    out = await run("/watch", batch_id)
    assert out.splitlines()[0].startswith("snapshot ")
    assert out.splitlines()[-1] == "final status completed"
    assert (await run("/status", batch_id)).strip() == "completed 3 of 3"
    out = await run("csv_file", batch_id)
    assert "Apple succeeded apple.example" in out.replace("success", "succeeded")
    assert "csv rows 3" in out
    assert (tmp_path / "results.csv").read_text().startswith("company_name,")
    out = await run("/stats")
    assert re.fullmatch(r"companies processed [1-9]\d*\n", out)
    assert (await run('json={"company_names": []}')).strip() == "400 ValidationError ['company_names']"


async def test_the_document_has_the_examples_this_suite_runs() -> None:
    assert len(python_examples()) >= 7


async def test_submit_monitor_and_results_examples(stack: ServiceStack, tmp_path: Path) -> None:
    out = await run_example(example("async def submit_batch"), stack, tmp_path)
    match = re.search(r"Batch submitted: (batch_\d{8}_[a-z0-9]{20})", out)
    assert match, out
    batch_id = match.group(1)
    assert re.search(r"Estimated time: \d+(\.\d+)? seconds", out)

    out = await run_example(example("async def monitor_batch"), stack, tmp_path, batch_id)
    assert "Final status: completed" in out
    assert "Progress: 10/10 (100.0%)" in out

    out = await run_example(example("async def get_batch_results"), stack, tmp_path, batch_id)
    assert "Exported 10 companies to CSV" in out
    assert "Total: 10" in out
    assert "Successful: 10" in out
    assert "Failed: 0" in out
    exported = (tmp_path / f"batch_{batch_id}_results.csv").read_text().splitlines()
    assert exported[0].split(",")[:3] == ["company_name", "domain", "industry"]
    assert len(exported) == 11
    assert "Apple,apple.example,Software" in exported[1]


async def test_retry_and_notification_examples(stack: ServiceStack, tmp_path: Path) -> None:
    robust = example("async def robust_batch_processing")
    notify = example("async def monitor_with_notifications")
    source = (
        f"{robust}\n{notify}\n"
        "batch_id = asyncio.run(robust_batch_processing(['Apple', 'Tesla']))\n"
        "print('batch', batch_id)\n"
        "asyncio.run(monitor_with_notifications(batch_id))\n"
        "print('done')\n"
    )
    out = await run_example(source, stack, tmp_path)
    assert re.search(r"batch batch_\d{8}_[a-z0-9]{20}", out)
    assert "Progress update: 100.0% complete" in out
    assert out.rstrip().endswith("done")


async def test_adaptive_example_reads_resource_utilization(stack: ServiceStack, tmp_path: Path) -> None:
    """The example leaves `client` and `submit_batch_with_params` to the reader; the test supplies them."""
    adaptive = example("async def adaptive_batch_processing")
    prelude = (
        "import asyncio, httpx\n"
        f"client = httpx.AsyncClient(base_url={stack.url!r})\n"
        "async def submit_batch_with_params(companies, max_concurrent, batch_size):\n"
        "    response = await client.post('/api/v1/company/batch/submit', json={\n"
        "        'company_names': companies[:batch_size], 'max_concurrent': max_concurrent})\n"
        "    return response.status_code, response.json()['data']['total_companies']\n"
    )
    source = (
        f"{prelude}\n{adaptive}\nprint(asyncio.run(adaptive_batch_processing(['Apple', 'Meta', 'Adobe'])))\n"
    )
    out = await run_example(source, stack, tmp_path)
    assert "(202, 3)" in out


async def test_best_practice_tables_name_only_documented_values() -> None:
    namespace: dict[str, object] = {}
    for marker in ("batch_sizes = {", "priorities = {", "concurrency_by_mode = {"):
        exec(example(marker), namespace)
    modes = {"basic", "standard", "comprehensive", "contact_focused", "financial_focused"}
    assert set(namespace["batch_sizes"]) == modes  # type: ignore[arg-type]
    assert set(namespace["concurrency_by_mode"]) == modes  # type: ignore[arg-type]
    assert set(namespace["priorities"]) == {"urgent", "high", "normal", "low"}  # type: ignore[arg-type]


async def test_the_readme_python_example_runs_as_written(stack: ServiceStack, tmp_path: Path) -> None:
    """Each company is held until the example has printed the line before, so it sees both finish."""
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    releases = {name: asyncio.Event() for name in README_COMPANIES}
    stack.extractor.holds.update(releases)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code.replace("localhost:8000", stack.envoy.grpc_target),
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    lines: list[str] = []

    async def read_until(prefix: str) -> None:
        while not (lines and lines[-1].startswith(prefix)):
            line = await process.stdout.readline()  # type: ignore[union-attr]
            assert line, f"the example stopped before printing {prefix!r}: {lines}"
            lines.append(line.decode().rstrip("\n"))

    try:
        async with asyncio.timeout(EXAMPLE_TIMEOUT_SECONDS):
            for release in releases.values():
                await read_until("snapshot" if not lines else "company_succeeded")
                release.set()
    finally:
        for release in releases.values():
            release.set()
    rest, stderr = await asyncio.wait_for(process.communicate(), EXAMPLE_TIMEOUT_SECONDS)
    assert process.returncode == 0, stderr.decode()
    lines += rest.decode().splitlines()
    assert lines[0] == "snapshot 0%"
    assert [line for line in lines if line.startswith("company_succeeded")] == [
        "company_succeeded 50%",
        "company_succeeded 100%",
    ]
    assert lines[-2:] == ["status_changed 100%", "final status: completed"]
    assert (tmp_path / "results.xlsx").stat().st_size > 0
