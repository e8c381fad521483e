"""Shared by the crash tests: a file's catalog against its groups."""

from __future__ import annotations

from pathlib import Path

import h5py

from adapters.outbound.hdf5 import catalog
from domain.market import Segment


def catalog_of(path: Path, segment: Segment) -> dict[bytes, bytes] | None:
    """The catalog's entries; None when the file has none (or none current)."""
    with h5py.File(path, "r") as h5:
        log = catalog.open_log(h5)
        return None if log is None else catalog.parse(catalog.read(log))


def walk_of(path: Path, segment: Segment) -> dict[bytes, bytes]:
    with h5py.File(path, "r") as h5:
        return dict(catalog.walk(h5, tuple(e.value for e in segment.exchanges)))


def assert_catalog_is_the_walk(path: Path, segment: Segment, required: bool = True) -> None:
    """Every series' kf_meta and nothing else; a file without a catalog passes only if not `required` (one written
    before the catalog existed) or if it holds no series (a file created by a write killed before its commit)."""
    if not path.exists():
        return
    found, groups = catalog_of(path, segment), walk_of(path, segment)
    if found is None:
        assert not (required and groups), "series but no catalog"
        return
    assert found == groups, "the catalog differs from the groups"
