"""`create_app()` only builds the app; the job sweep and gc tuning belong to the process entry points."""

from __future__ import annotations

import gc
import json

import pytest

from bootstrap.app import create_app
from bootstrap.serve import _Gunicorn
from bootstrap.settings import Settings
from bootstrap.startup import prepare_process

DEAD_PID = 2 ** 22 + 12345  # above the kernel's pid limit: never alive
DEFAULT_THRESHOLD = (700, 10, 10)


def orphan(data_dir, job_id: str = "0badc0ffee000002") -> str:
    """A job file a server that died left running."""
    request = {"segment": "EQUITY", "symbol": "INFY", "exchange": None, "from_date": "2023-01-01",
               "to_date": "2023-03-31", "interval": "day", "validate": True, "overwrite": False,
               "incremental": True}
    (data_dir / "jobs").mkdir(exist_ok=True)
    (data_dir / "jobs" / f"{job_id}.json").write_text(json.dumps({
        "id": job_id, "created_at": 1, "status": "running", "owner_pid": DEAD_PID, "updated_at": 1,
        "finished_at": None, "cancel_requested": False, "runs": 1,
        "items": [{"request": request, "symbol": "INFY", "status": "running", "requests_done": 0,
                   "requests_total": 1, "records": 0, "rejected": 0, "elapsed_seconds": 0.0, "error": None,
                   "error_type": None}]}))
    return job_id


def status(data_dir, job_id: str) -> str:
    return json.loads((data_dir / "jobs" / f"{job_id}.json").read_text())["status"]


@pytest.fixture(autouse=True)
def default_gc():
    """Each test starts from the interpreter's gc settings; tune_gc's are undone afterwards."""
    saved = gc.get_threshold()
    gc.set_threshold(*DEFAULT_THRESHOLD)
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


def test_create_app_builds_the_app_only(tmp_path):
    job_id = orphan(tmp_path)
    app = create_app(Settings(data_dir=tmp_path))
    assert status(tmp_path, job_id) == "running"
    assert gc.get_threshold() == DEFAULT_THRESHOLD
    app.container.unwire()


def test_prepare_process_interrupts_orphaned_jobs_and_tunes_gc(tmp_path):
    job_id = orphan(tmp_path)
    app = create_app(Settings(data_dir=tmp_path))
    prepare_process(app.container)
    assert status(tmp_path, job_id) == "interrupted"
    assert gc.get_threshold() == (10_000, 20, 20)
    app.container.unwire()


def test_a_gunicorn_worker_tunes_gc_and_leaves_the_sweep_to_the_master(tmp_path, monkeypatch):
    monkeypatch.setenv("KITEFETCH_DATA_DIR", str(tmp_path))
    job_id = orphan(tmp_path)
    app = _Gunicorn({"workers": 1}).load()  # what each worker runs after the fork
    assert gc.get_threshold() == (10_000, 20, 20)
    assert status(tmp_path, job_id) == "running"
    app.container.unwire()
