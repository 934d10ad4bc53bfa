"""The parallel-efficiency ideal: what a perfect scheduler needs for companies of the measured times."""

from __future__ import annotations

import pytest

from bench.parallel_efficiency import ideal_batch_seconds, lifted_limits, limited_host_floor
from server.settings import HostRule, Settings


def test_equal_companies_take_their_time_once_per_round() -> None:
    assert ideal_batch_seconds([2.0] * 20, 10) == pytest.approx(4.0)
    assert ideal_batch_seconds([2.0] * 21, 10) == pytest.approx(6.0)


def test_a_slow_company_late_in_the_order_ends_the_batch_after_the_mean_ideal() -> None:
    times = [1.0, 1.0, 1.0, 3.0]  # two slots: 1+1 and 1+3; the mean ideal would say 1.5 * 2 = 3
    assert ideal_batch_seconds(times, 2) == pytest.approx(4.0)


def test_fewer_companies_than_slots_take_the_slowest_company() -> None:
    assert ideal_batch_seconds([1.0, 2.5], 10) == pytest.approx(2.5)


def test_a_serial_domain_floors_the_batch_at_its_requests_one_after_another() -> None:
    rules = {"wikidata.org": HostRule(concurrency=1), "gleif.org": HostRule(requests=60, per_seconds=60.0)}
    sent = {"www.wikidata.org": 20, "query.wikidata.org": 4, "api.gleif.org": 30, "acme.example": 50}
    floor = limited_host_floor(sent, rules, default_concurrency=2, latency=0.2)
    assert (floor.domain, floor.requests) == ("wikidata.org", 24)  # every host under the domain together
    assert floor.seconds == pytest.approx(4.8)


def test_a_domain_without_its_own_concurrency_takes_the_per_host_one() -> None:
    floor = limited_host_floor(
        {"api.gleif.org": 30}, {"gleif.org": HostRule()}, default_concurrency=2, latency=0.2
    )
    assert floor.seconds == pytest.approx(3.0)


def test_a_run_that_sent_no_limited_domain_anything_has_no_floor() -> None:
    floor = limited_host_floor({"acme.example": 9}, {"wikidata.org": HostRule(concurrency=1)}, 2, 0.2)
    assert floor.seconds == 0.0


def test_lifted_limits_open_every_limited_domain_to_the_batch_and_leave_the_settings_alone() -> None:
    settings = Settings()
    lifted = lifted_limits(settings, 10)
    assert set(lifted.host_rules) == set(settings.host_rules)
    assert all(rule == HostRule(concurrency=10) for rule in lifted.host_rules.values())  # no rate either
    assert settings.host_rules["wikidata.org"].concurrency == 1
    assert settings.host_rules["sec.gov"].requests == 10
