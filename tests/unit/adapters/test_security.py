"""API key and CSRF rules, through the Flask app with fakes behind it."""

from __future__ import annotations

import pytest

from bootstrap.app import create_app
from bootstrap.settings import ConfigurationError, Settings

KEY = "k" * 24
SECRET = "a-real-secret-for-this-test"
BODY = {"symbol": "X", "from_date": "2024-01-01", "to_date": "2024-01-02", "interval": "7minute"}


def test_binding_beyond_loopback_needs_an_api_key():
    Settings().check("127.0.0.1")
    Settings().check("localhost")
    with pytest.raises(ConfigurationError, match="KITEFETCH_API_KEY"):
        Settings().check("0.0.0.0")
    with pytest.raises(ConfigurationError, match="FLASK_SECRET_KEY"):
        Settings(api_key=KEY).check("0.0.0.0")  # unlocked browser sessions stand for the key: signed for real
    Settings(api_key=KEY, secret_key=SECRET).check("0.0.0.0")


def test_api_key_is_required_on_api_routes_when_set(tmp_path):
    client = create_app(Settings(data_dir=tmp_path, api_key=KEY, secret_key=SECRET)).test_client()
    denied = client.get("/api/data/database-info/EQUITY")
    assert denied.status_code == 401 and denied.get_json()["error_type"] == "auth"
    assert client.get("/api/data/database-info/EQUITY", headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/api/data/database-info/EQUITY", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert KEY not in denied.get_data(as_text=True)
    assert client.post("/auth/logout", json={}).status_code == 401  # state changes need the key anywhere
    assert client.post("/auth/logout", json={}, headers={"X-API-Key": KEY}).status_code != 401


def test_a_browser_presents_the_key_once_and_its_session_carries_a_fingerprint(tmp_path):
    client = create_app(Settings(data_dir=tmp_path, api_key=KEY, secret_key=SECRET)).test_client()
    wrong = client.post("/auth/key", json={"key": "not-the-key-at-all"})
    assert wrong.status_code == 401 and client.get("/api/data/database-info/EQUITY").status_code == 401
    assert client.post("/auth/key", data="key=" + KEY).status_code == 403  # a form post: the CSRF rule holds
    assert client.post("/auth/key", json={"key": KEY}).status_code == 200
    assert client.get("/api/data/database-info/EQUITY").status_code == 200  # no header: the session says so
    cookie = client.get_cookie("session")
    assert cookie is not None and KEY not in cookie.value
    other = create_app(Settings(data_dir=tmp_path, api_key=KEY, secret_key=SECRET)).test_client()
    assert other.get("/api/data/database-info/EQUITY").status_code == 401
    page = other.get("/")  # pages show what is stored and whose Kite account it is: locked too
    assert page.status_code == 401 and "API key" in page.get_data(as_text=True)
    assert other.get("/auth/status").status_code == 401
    assert other.get("/healthz").status_code == 200 and other.get("/static/app.js").status_code == 200
    assert client.get("/").status_code == 200  # the unlocked session


def test_cross_site_posts_are_refused(tmp_path):
    client = create_app(Settings(data_dir=tmp_path)).test_client()
    form = client.post("/api/data/fetch-equity", data="symbol=X", content_type="text/plain")
    assert form.status_code == 403 and form.get_json()["error_type"] == "forbidden"
    foreign = client.post("/api/data/fetch-equity", json=BODY, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    same_site = client.post("/api/data/fetch-equity", json=BODY, headers={"Origin": "http://localhost"})
    assert same_site.status_code == 400  # past the guard: the body's interval is what is wrong
    token = client.get("/auth/status").get_json()["csrf_token"]
    assert client.post("/auth/logout", headers={"X-CSRF-Token": token}).status_code == 200


def test_the_api_docs_page_is_locked_like_a_page_and_the_favicon_is_open(tmp_path):
    client = create_app(Settings(data_dir=tmp_path, api_key=KEY, secret_key=SECRET)).test_client()
    docs = client.get("/api/docs")
    assert docs.status_code == 401 and "Enter the API key" in docs.get_data(as_text=True)
    assert client.get("/favicon.ico").status_code == 200
    assert client.get("/api/docs", headers={"X-API-Key": KEY}).status_code == 200
