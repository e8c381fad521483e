"""Every `Provide["..."]` marker in the wired modules names a provider of the container.

dependency-injector wires an unknown name silently and the marker object itself reaches the view as the argument;
this test makes such a typo fail the suite instead of a request."""

from __future__ import annotations

import inspect
import subprocess
import sys
from types import ModuleType

from dependency_injector import providers
from dependency_injector.wiring import Provide

from bootstrap.app import WIRED_MODULES
from bootstrap.container import Container


def _markers(module: ModuleType) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, function in inspect.getmembers(module, inspect.isfunction):
        target = inspect.unwrap(function)
        for parameter in inspect.signature(target).parameters.values():
            if isinstance(parameter.default, Provide):  # type: ignore[arg-type]  # a marker class at runtime
                found.append((f"{module.__name__}.{name}", parameter.default.provider))
    return found


def _resolves(name: object) -> bool:
    if not isinstance(name, str):  # Provide[Container.x] holds the provider itself
        return isinstance(name, providers.Provider)
    node: object = Container
    for part in name.split("."):
        node = getattr(node, part, None)
        if node is None:
            return False
    return isinstance(node, providers.Provider)


def test_every_marker_names_a_provider() -> None:
    markers = [m for module in WIRED_MODULES for m in _markers(module)]
    assert len(markers) >= 15  # the views of every blueprint: the scan itself works
    unknown = [(view, name) for view, name in markers if not _resolves(name)]
    assert unknown == []


def test_a_typo_is_caught() -> None:
    assert not _resolves("fetch_histroy")
    assert _resolves("fetch_history")


def test_the_calendar_is_one_per_process_reads_the_data_dirs_file_and_imports_the_library_only_when_asked(
        tmp_path) -> None:
    """Reading the files belongs to start-up; pandas and exchange-calendars to the first calendar question."""
    (tmp_path / "calendar.toml").write_text("[[calendars.india.closed]]\ndate = 2025-02-03\n")
    script = """
import sys
from datetime import date
from bootstrap.container import build_container
from bootstrap.settings import Settings
from domain.market import Exchange
container = build_container(Settings(data_dir=sys.argv[1]))
calendar = container.calendar()
assert calendar is container.calendar() and calendar is container.fetch_history()._calendar
assert "exchange_calendars" not in sys.modules, "imported before any question"
assert calendar.sessions_on(Exchange.NSE, date(2025, 2, 3)) == ()
assert calendar.sessions_on(Exchange.NSE, date(2025, 2, 4))
assert "exchange_calendars" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
