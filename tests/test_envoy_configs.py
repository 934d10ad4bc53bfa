"""The replicas' Envoy is generated from envoy.yaml and cannot drift from it."""

from __future__ import annotations

import yaml

from devtools.envoy_replicas import BASE, TARGET, render, replicas_config


def test_the_committed_replicas_config_is_what_envoy_yaml_gives() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(BASE.read_text()), "run `make envoy-config`"


def test_everything_but_routing_retries_and_the_cluster_is_envoy_yaml() -> None:
    base = yaml.safe_load(BASE.read_text())
    replicas = replicas_config(base)
    assert replicas["admin"] == base["admin"]
    listener, base_listener = (c["static_resources"]["listeners"][0] for c in (replicas, base))
    manager, base_manager = (
        item["filter_chains"][0]["filters"][0]["typed_config"] for item in (listener, base_listener)
    )
    assert manager["http_filters"] == base_manager["http_filters"]
    assert manager["local_reply_config"] == base_manager["local_reply_config"]
    routes = manager["route_config"]["virtual_hosts"][0]["routes"]
    submit = next(
        r for r in routes if r.get("match", {}).get("prefix") == "/company.v1.BatchService/SubmitBatch"
    )
    assert "reset" not in submit["route"]["retry_policy"]["retry_on"]  # a submit may have been acted on
    watch = next(
        r for r in routes if r.get("match", {}).get("prefix") == "/company.v1.BatchService/WatchBatch"
    )
    assert "retry_policy" not in watch["route"]
    endpoints = replicas["static_resources"]["clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"]
    assert len(endpoints) == 2
