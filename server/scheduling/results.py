"""A batch's results document: the companies that ran, in submit order, and their summary."""

from __future__ import annotations

from server.domain import BatchResults, BatchView, CompanyState
from server.storage.roles import BatchRecords


async def batch_results(store: BatchRecords, view: BatchView, include_failed: bool | None) -> BatchResults:
    """Finished companies of the batch ``view`` shows (partial while it runs) and their summary.

    Args:
        store: where the batch's companies are read.
        view: the batch's current view (its options decide ``include_failed`` when that is None).
        include_failed: whether failed and cancelled-while-running companies are included.
    """
    # Imported here, as the scheduler always did: ``server.export`` loads openpyxl, which only results need.
    from server.export.summary import summarize

    with_failed = view.options.include_failed_results if include_failed is None else include_failed
    outcomes = []
    for company in await store.list_companies(view.batch_id):
        ran = company.state in (CompanyState.SUCCESS, CompanyState.FAILED) or (
            company.state is CompanyState.CANCELLED and company.started_at is not None
        )
        if ran and (with_failed or company.state is CompanyState.SUCCESS):
            outcomes.append(company.outcome())
    return BatchResults(view, tuple(outcomes), summarize(outcomes))
