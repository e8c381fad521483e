"""`/api/data/tracked`: what kitefetch keeps current (symbols, option-chain and futures rules), and what a rule
means today."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, jsonify, request

from adapters.inbound.http.bodies import json_body, optional_body
from adapters.inbound.presenters import resolution_body, tracked_body
from adapters.inbound.schemas import EmptyBodySchema, TrackedQuerySchema, load
from adapters.inbound.tracked_requests import track_request
from application.list_tracked import ListTracked
from application.resolve_tracked import ResolveTracked
from application.track_rule import TrackRule
from application.track_series import TrackSeries, TrackSeriesRequest
from application.untrack import Untrack

blueprint = Blueprint("tracked", __name__, url_prefix="/api/data/tracked")
DEFAULT_PER_PAGE = 50


@blueprint.post("")
@inject
def track(series: TrackSeries = Provide["track_series"], rule: TrackRule = Provide["track_rule"]):
    request = track_request(json_body())
    entry = series.execute(request) if isinstance(request, TrackSeriesRequest) else rule.execute(request)
    return jsonify({"success": True, "tracked": tracked_body(entry)}), 201


@blueprint.get("")
@inject
def tracked(use_case: ListTracked = Provide["list_tracked"]):
    """Everything tracked, or with `?page=N&per_page=M` (per_page 50 by default once paging) one page of it, with
    `total`, `page` and `pages`."""
    query = load(TrackedQuerySchema(), request.args.to_dict())
    if not query:
        return jsonify({"success": True, "tracked": [tracked_body(e) for e in use_case.execute().entries]})
    shown = use_case.execute(query.get("page", 1), query.get("per_page", DEFAULT_PER_PAGE))
    return jsonify({"success": True, "tracked": [tracked_body(e) for e in shown.entries], "total": shown.total,
                    "page": shown.page, "pages": shown.pages})


@blueprint.delete("/<tracked_id>")
@inject
def untrack(tracked_id: str, use_case: Untrack = Provide["untrack"]):
    """The entry goes; the candles stored for it stay."""
    optional_body(EmptyBodySchema())
    return jsonify({"success": True, "untracked": tracked_body(use_case.execute(tracked_id))})


@blueprint.get("/<tracked_id>/resolve")
@inject
def resolve(tracked_id: str, use_case: ResolveTracked = Provide["resolve_tracked"]):
    """Today's contracts: a rule that names none, or whose underlying's price Kite did not serve, is its error."""
    (resolution,) = use_case.execute([tracked_id])
    if resolution.error is not None:
        raise resolution.error
    return jsonify(resolution_body(resolution))
