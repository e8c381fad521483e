"""A job as the API's JSON body: its counts and totals over every item, then its items: all of them (the default),
a page of them (GET /api/jobs/<id>?item_status=&offset=&limit=), or, in a large job's live events, a bounded view.

A sync of 50,000 series is a job of 50,000 items: all of them are ~19 MB of JSON, and a browser parses that in
0.3 s, so no client should need them to show a job. The totals the pages show (series updated, candles added,
requests) are summed here, and a job of more than LIVE_ITEMS_MAX items streams only what a person watching it
looks at: the items running, the last ones that failed and the last ones finished, at most 220 items (~100 KB)
whatever the job's size. Measured on a 50,000-item job (tests/integration/api/test_job_bodies.py): an event of
53 items is 24 KB, where the whole body is 17.5 MB; building it takes 0.06 s, reading the job file 0.25-0.45 s.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from adapters.inbound.presenters import sync_summary_body
from application.job import ItemStatus, Job, JobItem

LIVE_ITEMS_MAX = 500  # a job of more items streams a view of them; a smaller one streams every item, as ever
LIVE_RUNNING = 100  # at most this many running items (a runner runs a few at a time)
LIVE_FAILED = 100  # the last items that failed (GET ?item_status=failed lists them all)
LIVE_FINISHED = 20  # the last items done

Indexed = Sequence[tuple[int, JobItem]]


def job_body(job: Job, items: Indexed | None = None, items_total: int | None = None) -> dict:
    """The job with `items` (index, item) listed, each with its `index`, of `items_total` chosen; every item by
    default, in order and without `index` (the body every client has read since jobs began)."""
    counts = job.counts
    summary = sync_summary_body(job)
    updated = records = requests = 0
    for item in job.items:
        updated += item.records > 0
        records += item.records
        requests += item.requests_done
    listed = ([_item_body(item) for item in job.items] if items is None
              else [{"index": index, **_item_body(item)} for index, item in items])
    total = len(job.items) if items_total is None else items_total
    return {"success": True, "job_id": job.id, "status": job.status.value, "outcome": job.outcome.value,
            "progress": job.progress, "created_at": job.created_at, "updated_at": job.updated_at,
            "finished_at": job.finished_at, "origin": job.origin.value, "total": counts["total"],
            "successful": counts["done"], "failed": counts["failed"], "pending": counts["pending"],
            "cancelled": counts["cancelled"], **({"summary": summary} if summary is not None else {}),
            "series_updated": updated, "candles_added": records, "requests": requests,
            "items_total": total, "items_partial": len(listed) < total, "items": listed}


def job_page_body(job: Job, statuses: Collection[ItemStatus], offset: int, limit: int | None) -> dict:
    """The items in one of `statuses` (any status when none is named), from `offset`, at most `limit` of them;
    the page asked for is echoed."""
    chosen = [(index, item) for index, item in enumerate(job.items) if not statuses or item.status in statuses]
    page = chosen[offset:] if limit is None else chosen[offset:offset + limit]
    body = job_body(job, page, len(chosen))
    body.update({"offset": offset, "limit": limit,
                 "item_status": [s.value for s in ItemStatus if s in statuses] if statuses else None})
    return body


def job_event_body(job: Job) -> dict:
    """What a live event carries (and the job list, cancel and resume answer): the whole body up to LIVE_ITEMS_MAX
    items; beyond, the items running, the last that failed and the last done, in the job's order, with
    `items_partial` true."""
    if len(job.items) <= LIVE_ITEMS_MAX:
        return job_body(job)
    running: list[tuple[int, JobItem]] = []
    failed: list[tuple[int, JobItem]] = []
    done: list[tuple[int, JobItem]] = []
    for index, item in enumerate(job.items):
        if item.status is ItemStatus.RUNNING:
            running.append((index, item))
        elif item.status is ItemStatus.FAILED:
            failed.append((index, item))
        elif item.status is ItemStatus.DONE:
            done.append((index, item))
    shown = sorted(running[:LIVE_RUNNING] + failed[-LIVE_FAILED:] + done[-LIVE_FINISHED:], key=lambda pair: pair[0])
    return job_body(job, shown, len(job.items))


def _item_body(i: JobItem) -> dict:
    return {"symbol": i.symbol, "kind": i.kind.value, "status": i.status.value, "requests_done": i.requests_done,
            "requests_total": i.requests_total, "records": i.records, "rejected": i.rejected,
            "elapsed_seconds": i.elapsed_seconds, **({"error": i.error, "error_type": i.error_type} if i.error else {}),
            **({"request": i.request} if i.request else {})}
