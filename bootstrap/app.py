"""`create_app()`: settings, logging, container and Flask wired together; nothing else (see startup.py)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, jsonify

from adapters.inbound.http import (
    auth_routes,
    candle_routes,
    data_routes,
    job_routes,
    openapi,
    pages,
    request_context,
    security,
    sync_routes,
    tracked_routes,
)
from adapters.inbound.http.errors import register_error_handlers
from bootstrap.container import Container, build_container
from bootstrap.logging_setup import configure_logging
from bootstrap.settings import Settings

MAX_REQUEST_BYTES = 1_048_576
# views taking Provide["..."]
WIRED_MODULES = (data_routes, auth_routes, candle_routes, job_routes, tracked_routes, sync_routes, pages)


def create_app(settings: Settings | None = None, container: Container | None = None,
               log_level: int = logging.INFO) -> Flask:
    settings = settings or Settings.from_env()
    settings.check()
    configure_logging(settings.production, log_level)
    container = container or build_container(settings)
    container.wire(modules=list(WIRED_MODULES))

    app = Flask(__name__, static_folder=None)  # the pages blueprint serves /static
    app.container = container  # type: ignore[attr-defined]
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=24),
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    request_context.install(app, container.token_store())
    security.install(app, settings.api_key or None)
    register_error_handlers(app)
    app.register_blueprint(data_routes.blueprint)
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(candle_routes.blueprint)
    app.register_blueprint(job_routes.blueprint)
    app.register_blueprint(tracked_routes.blueprint)
    app.register_blueprint(sync_routes.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(auth_routes.build_blueprint("auth", "/auth"))
    app.register_blueprint(auth_routes.build_blueprint("data_auth", "/api/data/auth"))

    @app.get("/healthz")
    def health():
        return jsonify({"success": True, "status": "ok"})

    return app
