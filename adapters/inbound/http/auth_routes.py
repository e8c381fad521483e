"""Kite login for browsers: redirect to Kite, take the callback, log out, report status."""

from __future__ import annotations

import structlog
from dependency_injector.wiring import Provide, inject
from flask import Blueprint, jsonify, redirect, request

from adapters.inbound.http import security, web_session
from application.access_tokens import AccessTokens
from application.auth_status import AuthStatus
from application.login import Login
from application.logout import Logout
from domain.errors import AuthRequired, InvalidInput

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
    if request.args.get("status", "success") != "success":
        raise AuthRequired("Kite login was not completed")
    request_token = request.args.get("request_token", "")
    if not request_token:
        raise InvalidInput("request_token is missing from the callback")
    session = use_case.execute(request_token)
    web_session.remember(session.access_token)
    log.info("kite_login", user_id=session.user_id)
    return redirect("/", code=302)


@inject
def logout(use_case: Logout = Provide["logout"], tokens: AccessTokens = Provide["access_tokens"]):
    use_case.execute(tokens.resolve())
    web_session.forget()
    return jsonify({"success": True, "message": "Logged out"})


@inject
def status(use_case: AuthStatus = Provide["auth_status"]):
    state = use_case.execute()
    body = {"success": True, "authenticated": state.authenticated, "user_id": state.user_id,
            "user_name": state.user_name, "csrf_token": security.csrf_token()}
    if state.reason:
        body["message"] = state.reason
    return jsonify(body)
