"""Every `Provide["..."]` marker in the wired modules names a provider of the container.

dependency-injector wires an unknown name silently and the marker object itself reaches the view as the argument;
this test makes such a typo fail the suite instead of a request."""

from __future__ import annotations

import inspect
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
