"""`/api/jobs`: batches run in the background, their state, live progress (Server-Sent Events), cancel, resume."""

from __future__ import annotations

import json
import time

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, Response, jsonify, request

from adapters.inbound.fetch_requests import job_requests
from adapters.inbound.http.bodies import json_body, optional_body
from adapters.inbound.http.job_bodies import job_body, job_event_body, job_page_body
from adapters.inbound.schemas import EmptyBodySchema, JobItemsQuerySchema, load
from application.cancel_job import CancelJob
from application.get_job import GetJob
from application.resume_job import ResumeJob
from application.start_job import StartJob

blueprint = Blueprint("jobs", __name__, url_prefix="/api/jobs")
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 6 * 3600
READ_SHARE = 0.1  # of a stream's time, at most, spent reading its job again (a 50,000-item job: 0.3 s a read)


@blueprint.post("")
@inject
def start(use_case: StartJob = Provide["start_job"]):
    """Every item is checked first: one that could never run is a 400 naming it, and nothing is started."""
    job = use_case.execute(job_requests(json_body()))
    return jsonify(job_body(job)), 202


@blueprint.get("")
@inject
def recent(use_case: GetJob = Provide["get_job"]):
    """A large job (a sync of thousands of series) lists some of its items here, as in its events: the job's own
    GET lists them all, or a page."""
    return jsonify({"success": True, "jobs": [job_event_body(j) for j in use_case.recent()]})


@blueprint.get("/<job_id>")
@inject
def status(job_id: str, use_case: GetJob = Provide["get_job"]):
    """Every item by default; with `item_status`, `offset` or `limit`, those asked for (JobItemsQuerySchema)."""
    query = load(JobItemsQuerySchema(), request.args.to_dict())
    job = use_case.execute(job_id)
    if request.args.keys() & {"item_status", "offset", "limit"}:
        return jsonify(job_page_body(job, query.get("item_status", ()), query["offset"], query.get("limit")))
    return jsonify(job_body(job))


@blueprint.post("/<job_id>/cancel")
@inject
def cancel(job_id: str, use_case: CancelJob = Provide["cancel_job"]):
    optional_body(EmptyBodySchema())
    return jsonify(job_event_body(use_case.execute(job_id)))


@blueprint.post("/<job_id>/resume")
@inject
def resume(job_id: str, use_case: ResumeJob = Provide["resume_job"]):
    optional_body(EmptyBodySchema())
    return jsonify(job_event_body(use_case.execute(job_id))), 202


@blueprint.get("/<job_id>/events")
@inject
def events(job_id: str, use_case: GetJob = Provide["get_job"]):
    """`progress` events whenever the job changes, ending with `done` once it stops (finished, cancelled or
    interrupted); a large job's events list some of its items (job_event_body). The job is read again only once
    its revision changed, and no sooner than keeps its reads under READ_SHARE of the stream's time."""
    began = time.monotonic()
    first, revision = use_case.if_changed(job_id, None)  # a 404 before the stream starts, not inside it
    read_after = began + (time.monotonic() - began) / READ_SHARE

    def stream():
        nonlocal revision, read_after
        job, last, last_sent, started = first, None, time.monotonic(), time.monotonic()
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            if job is not None:
                body = job_event_body(job)
                fingerprint = (job.status, job.updated_at, body["progress"])
                if fingerprint != last or not job.active:
                    yield f"event: {'progress' if job.active else 'done'}\ndata: {json.dumps(body)}\n\n"
                    last, last_sent = fingerprint, time.monotonic()
                    if not job.active:
                        return
            if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                yield ": heartbeat\n\n"
                last_sent = time.monotonic()
            time.sleep(POLL_SECONDS)
            job = None
            if time.monotonic() >= read_after:
                began = time.monotonic()
                job, revision = use_case.if_changed(job_id, revision)
                if job is not None:
                    read_after = began + (time.monotonic() - began) / READ_SHARE

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
