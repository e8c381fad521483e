"""Damaged small files under the data dir, with the real adapters behind the app: the pages and routes that read
them answer (a damaged job is not found, a damaged token is no token), and the start-up sweep runs past them."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from bootstrap.app import create_app
from bootstrap.settings import Settings
from bootstrap.startup import interrupt_orphaned_jobs, warn_if_low_on_space
from tests.unit.bootstrap.test_startup import orphan, status


@pytest.fixture
def damaged(tmp_path):
    """A data dir where every small file kitefetch reads was torn mid-write, beside one good orphaned job."""
    good = orphan(tmp_path)
    (tmp_path / "jobs" / "0000000000000bad.json").write_bytes(b'{"id": "0000000000000bad", "created_at": 1, "it')
    (tmp_path / "kite_token.json").write_bytes(b'{"access_token": "abc')
    (tmp_path / "fetch-log.jsonl").write_bytes(b'{"time": 1732961100, "exchange": "NSE", "symbol": "INFY", "interval'
                                               b'": "day", "records": 21}\n{"time": 17329')
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "NSE.json").write_bytes(b'{"version": 1, "fetched_at": 17')
    (tmp_path / "tracked.json").write_bytes(b'{"version": 1, "tracked": [{"id": "t1", "exchange": "NSE", "ki')
    app = create_app(Settings(data_dir=tmp_path))
    yield app, good
    app.container.unwire()


def test_the_sweep_interrupts_the_good_job_and_skips_the_damaged_one(damaged, tmp_path):
    app, good = damaged
    assert interrupt_orphaned_jobs(app.container) == 1
    assert status(tmp_path, good) == "interrupted"


def test_pages_and_routes_that_read_damaged_files_answer(damaged):
    app, good = damaged
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert [j["job_id"] for j in client.get("/api/jobs").get_json()["jobs"]] == [good]
    assert client.get("/api/jobs/0000000000000bad").status_code == 404
    assert [f["symbol"] for f in client.get("/api/data/fetches").get_json()["fetches"]] == ["INFY"]
    auth = client.get("/auth/status")
    assert auth.status_code == 200 and auth.get_json()["authenticated"] is False
    assert client.get("/api/data/tracked").get_json() == {"success": True, "tracked": []}
    assert "Nothing is tracked yet." in client.get("/").get_data(as_text=True)


class FakeDiskSpace:
    directory = "/srv/kitefetch"

    def __init__(self, free_mb: int) -> None:
        self.free_mb = free_mb

    def free_bytes(self) -> int:
        return self.free_mb * 1_048_576


@pytest.mark.parametrize(("free_mb", "banner"), [(300, True), (5000, False)])
def test_the_dashboard_warns_below_the_minimum_free_space(tmp_path, free_mb, banner):
    app = create_app(Settings(data_dir=tmp_path, min_free_mb=1024))
    app.container.disk_space.override(providers.Object(FakeDiskSpace(free_mb)))
    page = app.test_client().get("/").get_data(as_text=True)
    assert ('id="low-space"' in page) is banner
    if banner:
        assert "300 MB free for the data dir\n/srv/kitefetch (warning below 1024 MB" in page
    app.container.unwire()
    app.container.reset_override()


def test_serve_logs_a_warning_below_the_minimum_free_space(tmp_path):
    from structlog.testing import capture_logs

    app = create_app(Settings(data_dir=tmp_path, min_free_mb=1024))
    app.container.disk_space.override(providers.Object(FakeDiskSpace(10)))
    with capture_logs() as logs:
        warn_if_low_on_space(app.container)
    assert [(e["event"], e["free_mb"], e["minimum_mb"], e["directory"]) for e in logs] == [
        ("data_dir_low_on_space", 10, 1024, "/srv/kitefetch")]
    app.container.unwire()
    app.container.reset_override()

