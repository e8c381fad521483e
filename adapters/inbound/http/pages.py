"""Server-rendered pages over the same use cases: dashboard, login, fetch form, series chart."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Blueprint, render_template

from adapters.inbound.http import security
from adapters.inbound.presenters import database_body
from application.auth_status import AuthStatus
from application.show_dashboard import ShowDashboard
from domain.clock_time import to_datetime
from domain.instrument import SeriesKey, check_symbol
from domain.interval import Interval
from domain.market import Exchange

blueprint = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static")


def _when(ts: int | None) -> str:
    return to_datetime(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def _outcome_class(outcome: str) -> str:
    """A job whose items all failed in red, one where some failed in amber (fetch.js colours it alike)."""
    return {"failed": "error", "partial": "warn"}.get(outcome, "")


@blueprint.get("/")
@inject
def dashboard(use_case: ShowDashboard = Provide["show_dashboard"], auth: AuthStatus = Provide["auth_status"]):
    board = use_case.execute()
    return render_template("dashboard.html", databases=[database_body(d) for d in board.databases],
                           fetches=board.recent_fetches, jobs=board.recent_jobs, when=_when,
                           outcome_class=_outcome_class, auth=auth.execute(),
                           csrf=security.csrf_token())


@blueprint.get("/login")
@inject
def login(auth: AuthStatus = Provide["auth_status"]):
    return render_template("login.html", auth=auth.execute(), csrf=security.csrf_token())


@blueprint.get("/fetch")
def fetch_form():
    return render_template("fetch.html", intervals=[i.value for i in Interval], csrf=security.csrf_token())


@blueprint.get("/series/<exchange>/<path:symbol>/<interval>")
def series(exchange: str, symbol: str, interval: str):
    key = SeriesKey(Exchange.parse(exchange), check_symbol(symbol), Interval.parse(interval))
    return render_template("series.html", key=key, csrf=security.csrf_token())
