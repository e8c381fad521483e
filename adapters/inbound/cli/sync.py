"""`kitefetch sync`: the sync job run in the foreground, its progress on a bar, then what happened per series.

The job is the API's (saved under the data dir, run by this process's job pool): `kitefetch sync` interrupted
leaves a job that `POST /api/jobs/<id>/resume` finishes, and that a second sync would skip what it stored."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Protocol

from adapters.inbound.cli.output import EXIT_FAILURE, EXIT_OK, emit, progress
from adapters.inbound.presenters import sync_result_body
from application.get_job import GetJob
from application.job import ItemStatus, Job
from application.sync_series import SyncSeries

POLL_SECONDS = 0.2


class SyncUseCases(Protocol):
    sync_series: Callable[[], SyncSeries]
    get_job: Callable[[], GetJob]


def _item_line(item: dict) -> str:
    line = f"{item['series']}: {item['status']}, {item['records']} new candles, {item['requests']} requests"
    return f"{line} ({item['error_type']}: {item['error']})" if item.get("error") else line


def _summary(body: dict) -> str:
    lines = [_item_line(i) for i in body["items"]]
    lines += [f"{s['series']}: skipped, {s['reason']}" for s in body["skipped"]]
    if body["up_to_date"]:  # counted, not listed: with option chains captured, tens of thousands (--json lists them)
        lines.append(f"{body['up_to_date']} series already up to date")
    lines.append(f"sync {body['status']}: {body['series_updated']} of {body['series']} series updated, "
                 f"{body['candles_added']} candles added, {body['requests']} requests, {body['failures']} failed")
    return "\n".join(lines)


def sync(container: SyncUseCases, args: argparse.Namespace) -> int:
    started = container.sync_series().execute(args.only or None)
    jobs = container.get_job()
    job: Job = started.job
    with progress(len(job.items), "sync", not args.json) as bar:
        bar.unit = "series"
        while True:
            job = jobs.execute(job.id)
            bar.n = sum(i.status in (ItemStatus.DONE, ItemStatus.FAILED) for i in job.items)
            bar.refresh()
            if not job.active:
                break
            time.sleep(POLL_SECONDS)
    body = sync_result_body(job)
    emit(body, args.json, _summary(body))
    return EXIT_OK if body["status"] == "completed" and not body["failures"] else EXIT_FAILURE
