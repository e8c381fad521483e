"""`/api/data/sync`: bring every tracked and stored series up to date in one background job (see /api/jobs)."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, jsonify

from adapters.inbound.http.bodies import optional_body
from adapters.inbound.presenters import sync_body
from adapters.inbound.schemas import SyncSchema
from application.sync_series import SyncSeries

blueprint = Blueprint("sync", __name__, url_prefix="/api/data/sync")


@blueprint.post("")
@inject
def sync(use_case: SyncSeries = Provide["sync_series"]):
    """202 with the job's id: its progress, cancel and resume are the jobs API's."""
    started = use_case.execute(optional_body(SyncSchema()).get("tracked_ids"))
    return jsonify(sync_body(started)), 202
