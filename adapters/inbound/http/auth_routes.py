"""Kite login for browsers: redirect to Kite, take the callback, log out, report status.

Kite's redirect lands a browser on `/auth/callback`, so a failed login there is a page (with the error's status);
`/api/data/auth/callback`, and a caller that prefers `application/json`, get the JSON error envelope.
"""

from __future__ import annotations

import structlog
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, jsonify, redirect, render_template, request

from adapters.inbound.http import security, web_session
from adapters.inbound.http.bodies import optional_body
from adapters.inbound.http.errors import status_for
from adapters.inbound.schemas import LogoutSchema
from application.access_tokens import TokenSource
from application.auth_status import AuthStatus
from application.login import Login
from application.logout import Logout
from application.ports import BrokerSession
from domain.errors import AuthRequired, DomainError, InvalidInput

log = structlog.get_logger(__name__)


def build_blueprint(name: str, prefix: str) -> Blueprint:
    """The same routes at `/auth` (Kite's redirect URL) and `/api/data/auth` (beside the data API)."""
    bp = Blueprint(name, __name__, url_prefix=prefix)
    bp.add_url_rule("/login", view_func=login, methods=["GET"])
    bp.add_url_rule("/callback", view_func=callback, methods=["GET"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/status", view_func=status, methods=["GET"])
    return bp


@inject
def login(use_case: Login = Provide["login"]):
    return redirect(use_case.login_url(), code=302)


@inject
def callback(use_case: Login = Provide["login"]):
    try:
        session = _complete_login(use_case)
    except DomainError as error:
        if not _answer_with_page():
            raise
        status = status_for(error)
        log.info("request_failed", error_type=error.error_type, status=status, error=error.message)
        return render_template("login.html", error=error.message, csrf=security.csrf_token()), status
    web_session.remember(session.access_token)
    log.info("kite_login", user_id=session.user_id)
    return redirect("/", code=302)


def _complete_login(use_case: Login) -> BrokerSession:
    if request.args.get("status", "success") != "success":
        raise AuthRequired("Kite login was not completed")
    request_token = request.args.get("request_token", "")
    if not request_token:
        raise InvalidInput("request_token is missing from the callback: start the login again")
    return use_case.execute(request_token)


def _answer_with_page() -> bool:
    """A browser (any Accept not preferring JSON) on the route Kite redirects to, not the API's twin."""
    accept = request.accept_mimetypes
    return not request.path.startswith("/api/") and accept["text/html"] >= accept["application/json"]


def _name(source: TokenSource | None) -> str | None:
    return source.value if source else None


@inject
def logout(use_case: Logout = Provide["logout"]):
    optional_body(LogoutSchema())
    result = use_case.execute()
    web_session.forget()
    return jsonify({"success": True, "logged_out": _name(result.logged_out), "still_active": _name(result.still_active),
                    "message": result.message})


@inject
def status(use_case: AuthStatus = Provide["auth_status"]):
    state = use_case.execute()
    body = {"success": True, "authenticated": state.authenticated, "user_id": state.user_id,
            "user_name": state.user_name, "source": _name(state.source), "csrf_token": security.csrf_token()}
    if state.reason:
        body["message"] = state.reason
    return jsonify(body)
