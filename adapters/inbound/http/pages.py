"""Server-rendered pages over the same use cases: dashboard, login, fetch form, series chart, API docs."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, render_template, request, send_from_directory, url_for

from adapters.inbound.http import security
from adapters.inbound.presenters import database_body, series_notes, tracked_body
from application.auth_status import AuthStatus
from application.get_existing_range import GetExistingRange
from application.show_dashboard import ShowDashboard
from application.sync_status import ShowSyncStatus
from domain.clock_time import to_datetime
from domain.instrument import SeriesKey
from domain.interval import Interval

blueprint = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static")


def _when(ts: int | None) -> str:
    return to_datetime(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def _outcome_class(outcome: str) -> str:
    """A job whose items all failed in red, one where some failed in amber (fetch.js colours it alike)."""
    return {"failed": "error", "partial": "warn"}.get(outcome, "")


def _slot(ts: int) -> str:
    return to_datetime(ts).strftime("%a %Y-%m-%d %H:%M")


def _page(text: str | None) -> int:
    """`?tracked_page=` as a page number; anything else is the first page (a hand-edited URL is no error)."""
    return int(text) if text and text.isdigit() and 0 < int(text) < 1_000_000 else 1


def _page_url(anchor: str, **pages: int) -> str:
    """The dashboard with one list on another page, the other lists' pages kept."""
    args: dict[str, Any] = {**request.args.to_dict(), **pages}
    return url_for("pages.dashboard", _anchor=anchor, **args)


@blueprint.get("/")
@inject
def dashboard(use_case: ShowDashboard = Provide["show_dashboard"], auth: AuthStatus = Provide["auth_status"],
              sync: ShowSyncStatus = Provide["sync_status"]):
    """`?tracked_page=N` pages the tracked list (ShowDashboard.TRACKED_PER_PAGE a page), `?series_page=N` the
    stored series (SERIES_PER_PAGE a page)."""
    board = use_case.execute(tracked_page=_page(request.args.get("tracked_page")),
                             series_page=_page(request.args.get("series_page")))
    tracked, series = board.tracked, board.series_page
    windows = series.windows if series else [(0, None)] * len(board.databases)
    return render_template("dashboard.html",
                           databases=[database_body(d, *w) for d, w in zip(board.databases, windows, strict=True)],
                           series_page=series, fetches=board.recent_fetches, jobs=board.recent_jobs,
                           low_space=board.low_space, when=_when, slot=_slot, page_url=_page_url,
                           outcome_class=_outcome_class, auth=auth.execute(), sync=sync.execute(),
                           tracked=[tracked_body(e) for e in tracked.entries] if tracked else [], tracked_page=tracked,
                           intervals=[i.value for i in Interval], csrf=security.csrf_token())


@blueprint.get("/login")
@inject
def login(auth: AuthStatus = Provide["auth_status"]):
    return render_template("login.html", auth=auth.execute(), csrf=security.csrf_token())


@blueprint.get("/fetch")
def fetch_form():
    """`?exchange=&symbol=&interval=` fill the form in; `?job=<id>` shows that job's live progress (fetch.js)."""
    return render_template("fetch.html", intervals=[i.value for i in Interval], csrf=security.csrf_token())


@blueprint.get("/series/<exchange>/<path:symbol>/<interval>")
@inject
def series(exchange: str, symbol: str, interval: str, existing: GetExistingRange = Provide["get_existing_range"]):
    key = SeriesKey.parse(exchange, symbol, interval)
    info = existing.execute(key)
    if info is None:  # say so, with the fetch form filled in, rather than draw an empty chart
        fetch = url_for("pages.fetch_form", exchange=key.exchange.value, symbol=key.symbol,
                        interval=key.interval.value)
        return render_template("series.html", key=key, fetch=fetch, csrf=security.csrf_token()), 404
    changes = url_for("data.adjustments", exchange=info.key.exchange.value, symbol=info.key.symbol)
    return render_template("series.html", key=key, fetch=None, notes=series_notes(info), changes=changes,
                           csrf=security.csrf_token())


@blueprint.get(security.DOCS_PATH)
def api_docs():
    """The OpenAPI document rendered by the vendored Swagger UI (nothing loaded from elsewhere)."""
    return render_template("api_docs.html", csrf=security.csrf_token())


@blueprint.get("/favicon.ico")
def favicon():
    """For what asks the conventional path (a JSON response opened in a tab); pages link the SVG itself."""
    return send_from_directory(blueprint.static_folder or "static", "favicon.svg", mimetype="image/svg+xml")
