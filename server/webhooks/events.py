"""What a batch has to announce, as outbox deliveries: ids derived from the change, bodies in JSON.

Bodies follow the Standard Webhooks shape ``{"type", "timestamp", "data"}``. A batch event's ``data`` is
the gist of its status document and where its results are; a ``company.finished`` event's is the
company's outcome (without the profile, which the results hold). The same change always gets the same
delivery id (``webhook-id``), which is what lets any replica enqueue it and a receiver deduplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.domain import DEFAULT_WEBHOOK_EVENTS, CompanyState
from server.storage.base import NewDelivery, StoredBatch, StoredCompany, WebhookBacklog

COMPANY_FINISHED = "company.finished"
RESULTS_PATH = "/api/v1/company/batch/{batch_id}/results"
_ORDER_STEP = timedelta(microseconds=1)
"""Deliveries enqueued together keep their order (companies first, then the batch) by creation time."""


@dataclass(frozen=True)
class Plan:
    """What ``BatchStore.enqueue_webhooks`` writes for one backlog batch."""

    deliveries: tuple[NewDelivery, ...]
    announced: tuple[tuple[int, int], ...]  # (position, attempt) of the companies now announced
    settled: datetime | None  # the completion now announced, if any


def _rfc3339(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _body(event_type: str, at: datetime | None, data: dict[str, Any]) -> str:
    document = {"type": event_type, "timestamp": _rfc3339(at), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def batch_event_data(batch: StoredBatch) -> dict[str, Any]:
    """The ``data`` of a batch event."""
    return {
        "batch_id": batch.batch_id,
        "status": batch.status.value,
        "total_companies": batch.total_companies,
        "completed": batch.count(CompanyState.SUCCESS),
        "failed": batch.count(CompanyState.FAILED),
        "cancelled": batch.count(CompanyState.CANCELLED),
        "created_at": _rfc3339(batch.created_at),
        "started_at": _rfc3339(batch.started_at),
        "completed_at": _rfc3339(batch.completed_at),
        "results_url": RESULTS_PATH.format(batch_id=batch.batch_id),
    }


def company_event_data(batch_id: str, company: StoredCompany) -> dict[str, Any]:
    """The ``data`` of a ``company.finished`` event."""
    data: dict[str, Any] = {
        "batch_id": batch_id,
        "company_name": company.name,
        "extraction_status": "success" if company.state is CompanyState.SUCCESS else "failed",
        "attempts": company.attempts,
        "from_cache": company.from_cache,
        "finished_at": _rfc3339(company.finished_at),
    }
    if company.profile is not None and "domain" in company.profile:
        data["domain"] = company.profile["domain"]
    if company.error is not None:
        data["error"] = {"type": company.error.type.value, "message": company.error.message}
    return data


def plan(item: WebhookBacklog, now: datetime) -> Plan:
    """The deliveries and marks that announce everything ``item`` has not announced yet."""
    batch = item.batch
    wanted = set(batch.options.webhook_events or DEFAULT_WEBHOOK_EVENTS)
    deliveries: list[NewDelivery] = []
    at = now
    if COMPANY_FINISHED in wanted:
        for company in item.unannounced:
            body = _body(COMPANY_FINISHED, company.finished_at, company_event_data(batch.batch_id, company))
            message_id = f"msg_{batch.batch_id}_{company.position}_{company.attempts}"
            deliveries.append(NewDelivery(message_id, COMPANY_FINISHED, body, at))
            at += _ORDER_STEP
    settled = None
    completed = batch.completed_at
    if batch.status.is_final and completed is not None and item.settled_at != completed:
        settled = completed
        event_type = f"batch.{batch.status.value}"
        if event_type in wanted:
            message_id = f"msg_{batch.batch_id}_{batch.status.value}_{int(completed.timestamp() * 1e6)}"
            body = _body(event_type, completed, batch_event_data(batch))
            deliveries.append(NewDelivery(message_id, event_type, body, at))
    announced = tuple((c.position, c.attempts) for c in item.unannounced)
    return Plan(tuple(deliveries), announced, settled)
