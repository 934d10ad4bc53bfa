"""The replica cost model: N replicas reach min(N x one replica's rate, the database's rate)."""

from __future__ import annotations

from bench.replicas import cost_model


def test_replicas_add_throughput_until_the_database_binds() -> None:
    model = cost_model(replica_ms=0.5, postgres_ms=0.25, database_cores=2)
    assert model["replica_rate"] == 2000.0  # one event loop at 0.5 ms a company
    assert model["database_rate"] == 8000.0  # two cores at 0.25 ms a company
    assert model["projected_companies_per_second"] == {1: 2000.0, 2: 4000.0, 4: 8000.0, 8: 8000.0}
    assert model["replicas_until_database_binds"] == 4.0
