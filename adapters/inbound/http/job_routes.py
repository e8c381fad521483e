"""`/api/jobs`: batches run in the background, their state, live progress (Server-Sent Events), cancel, resume."""

from __future__ import annotations

import json
import time

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, jsonify

from adapters.inbound.fetch_requests import job_requests
from adapters.inbound.http.bodies import json_body, optional_body
from adapters.inbound.presenters import sync_summary_body
from adapters.inbound.schemas import EmptyBodySchema
from application.cancel_job import CancelJob
from application.get_job import GetJob
from application.job import Job
from application.resume_job import ResumeJob
from application.start_job import StartJob

blueprint = Blueprint("jobs", __name__, url_prefix="/api/jobs")
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 6 * 3600


def job_body(job: Job) -> dict:
    counts = job.counts
    summary = sync_summary_body(job)
    return {"success": True, "job_id": job.id, "status": job.status.value, "outcome": job.outcome.value,
            "progress": job.progress, "created_at": job.created_at, "updated_at": job.updated_at,
            "finished_at": job.finished_at, "origin": job.origin.value, "total": counts["total"],
            "successful": counts["done"], "failed": counts["failed"], "pending": counts["pending"],
            "cancelled": counts["cancelled"], **({"summary": summary} if summary is not None else {}),
            "items": [{"symbol": i.symbol, "kind": i.kind.value, "status": i.status.value,
                       "requests_done": i.requests_done,
                       "requests_total": i.requests_total, "records": i.records, "rejected": i.rejected,
                       "elapsed_seconds": i.elapsed_seconds,
                       **({"error": i.error, "error_type": i.error_type} if i.error else {}),
                       **({"request": i.request} if i.request else {})} for i in job.items]}


@blueprint.post("")
@inject
def start(use_case: StartJob = Provide["start_job"]):
    """Every item is checked first: one that could never run is a 400 naming it, and nothing is started."""
    job = use_case.execute(job_requests(json_body()))
    return jsonify(job_body(job)), 202


@blueprint.get("")
@inject
def recent(use_case: GetJob = Provide["get_job"]):
    return jsonify({"success": True, "jobs": [job_body(j) for j in use_case.recent()]})


@blueprint.get("/<job_id>")
@inject
def status(job_id: str, use_case: GetJob = Provide["get_job"]):
    return jsonify(job_body(use_case.execute(job_id)))


@blueprint.post("/<job_id>/cancel")
@inject
def cancel(job_id: str, use_case: CancelJob = Provide["cancel_job"]):
    optional_body(EmptyBodySchema())
    return jsonify(job_body(use_case.execute(job_id)))


@blueprint.post("/<job_id>/resume")
@inject
def resume(job_id: str, use_case: ResumeJob = Provide["resume_job"]):
    optional_body(EmptyBodySchema())
    return jsonify(job_body(use_case.execute(job_id))), 202


@blueprint.get("/<job_id>/events")
@inject
def events(job_id: str, use_case: GetJob = Provide["get_job"]):
    """`progress` events whenever the job changes, ending with `done` once it stops (finished, cancelled or
    interrupted)."""
    first = use_case.execute(job_id)  # a 404 before the stream starts, not inside it

    def stream():
        last, last_sent, started = None, time.monotonic(), time.monotonic()
        job = first
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            body = job_body(job)
            fingerprint = (job.status, job.updated_at, body["progress"])
            final = not job.active
            if fingerprint != last or final:
                yield f"event: {'done' if final else 'progress'}\ndata: {json.dumps(body)}\n\n"
                last, last_sent = fingerprint, time.monotonic()
                if final:
                    return
            elif time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                yield ": heartbeat\n\n"
                last_sent = time.monotonic()
            time.sleep(POLL_SECONDS)
            job = use_case.execute(job_id)

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
