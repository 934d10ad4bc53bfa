"""Prometheus metrics: recorded where things happen, served on the admin endpoint, read from real state."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from client import BatchClient
from server.testing import ScriptedExtractor, running_service

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_batch_shows_in_the_metrics_endpoint(tmp_path: Path) -> None:
    extractor = ScriptedExtractor(profiles={"Acme Robotics": {"domain": "acme-robotics.example"}})
    async with running_service(tmp_path, extractor) as service:
        assert service.metrics_port
        url = f"http://127.0.0.1:{service.metrics_port}/metrics"
        async with httpx.AsyncClient() as http, BatchClient(service.grpc_target) as client:
            before = _samples((await http.get(url)).text)
            batch = await client.submit(["Acme Robotics", "Nowhere Ltd"])
            async for _ in client.watch(batch.batch_id):
                pass
            response = await http.get(url)
    after = _samples(response.text)
    assert response.headers["content-type"].startswith("text/plain")

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("company_batch_requests_total", method="SubmitBatch", code="OK", via="grpc") == 1
    assert delta("company_batch_companies_total", outcome="success", error_type="") == 1
    assert delta("company_batch_companies_total", outcome="failed", error_type="CompanyAnalysisError") == 1
    assert delta("company_batch_batches_finished_total", status="completed") == 1
    assert delta("company_batch_extraction_seconds_count", mode="standard", outcome="success") == 1
    assert delta("company_batch_extraction_seconds_count", mode="standard", outcome="failed") == 1
    # Live state is read at scrape time: nothing waits once the batch is done, and the pool is there.
    assert _value(after, "company_batch_workers") >= service.settings.workers
    assert not any(name == "company_batch_queue_depth" and value for (name, _), value in after.items())


async def test_the_endpoint_can_be_turned_off(tmp_path: Path) -> None:
    async with running_service(tmp_path, ScriptedExtractor(), metrics_port=None) as service:
        assert service.metrics_port is None


async def test_every_series_the_dashboard_charts_exists(tmp_path: Path) -> None:
    """The Grafana dashboard's queries name only series that our endpoint or Envoy's actually serve."""
    import json
    import re

    from server.testing import running_envoy

    dashboard = json.loads(DASHBOARD.read_text())
    queried = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expression = re.sub(r"\{[^}]*\}|by \([^)]*\)", "", target["expr"])  # label matchers and groupings
            queried |= set(re.findall(r"\b((?:company_batch|envoy)_[a-z_]+)\b", expression))
    extractor = ScriptedExtractor(profiles={"Acme Robotics": {"domain": "acme-robotics.example"}})
    settings = {"cache_ttl_seconds": 60}  # so the cache is asked
    async with (
        running_service(tmp_path, extractor, **settings) as service,
        running_envoy([service.grpc_port]) as envoy,
    ):
        async with httpx.AsyncClient() as http, BatchClient(service.grpc_target) as client:
            submitted = await http.post(
                f"{envoy.url}/api/v1/company/batch/submit", json={"company_names": ["Acme Robotics"]}
            )
            assert submitted.status_code == 202
            async for _ in client.watch(submitted.json()["data"]["batch_id"]):
                pass
            ours = (await http.get(f"http://127.0.0.1:{service.metrics_port}/metrics")).text
            envoys = (await http.get(f"{envoy.admin_url}/stats/prometheus")).text
    served = _names(ours) | _names(envoys)
    assert queried and queried - served == set()


def _names(text: str) -> set[str]:
    """Every family and sample name (a histogram's or counter's family with or without samples yet, and
    the names its samples take)."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        if family.type == "histogram":
            names |= {f"{family.name}_bucket", f"{family.name}_count", f"{family.name}_sum"}
        if family.type == "counter":
            names.add(f"{family.name}_total")
        names |= {sample.name for sample in family.samples}
    return names
