"""TrackedRepository as one JSON file, `<data dir>/tracked.json`, replaced atomically under a cross-process lock.

Every change is a read-change-write under the exclusive InterProcessLock on `.tracked.lock` (file_lock.py), so two
processes adding the same series cannot both succeed; a holder that never lets go is a StoreBusy after
`lock_timeout` seconds, not a hung request. The file is replaced through atomic_file (fsynced unless
KITEFETCH_DURABLE=0): a reader, a killed writer or a power cut leaves the old list or the new one.

A damaged file (torn, not JSON, not ours) reads as an empty list with one warning naming it; the next change
keeps its bytes beside it as `tracked.json.damaged` before writing the new list, so nothing the user tracked is
silently destroyed. An entry that does not decode (a stray edit) is skipped with a warning; the others stay.
Reading imports orjson and the domain only: `kitefetch tracked` answers without structlog (damaged_file.py and
storage_errors.py import it only when they have something to say).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson

from adapters.outbound.atomic_file import write_file
from adapters.outbound.damaged_file import DamageLog
from adapters.outbound.file_lock import InterProcessLock
from adapters.outbound.storage_errors import storage_error, storage_errors
from application.tracked import RuleKind, Tracked, TrackedList, TrackedRule, TrackedSeries
from domain.errors import DomainError
from domain.interval import Interval
from domain.market import Exchange
from domain.option_chain import InstrumentRef

_VERSION = 1
SERIES = "series"


def entry_to_dict(entry: Tracked) -> dict:
    head = {"id": entry.id, "exchange": entry.exchange.value}
    tail = {"intervals": [i.value for i in entry.intervals],
            "from_date": entry.from_date.isoformat() if entry.from_date else None, "created_at": entry.created_at}
    if isinstance(entry, TrackedSeries):
        return {**head, "kind": SERIES, "symbol": entry.symbol, **tail}
    return {**head, "kind": entry.kind.value, "underlying": entry.underlying, "expiries": entry.expiries,
            "strikes": entry.strikes, "underlying_symbol": str(entry.underlying_symbol) if entry.underlying_symbol
            else None, **tail}


def entry_from_dict(data: dict) -> Tracked:
    """An entry as saved; KeyError, TypeError, ValueError or a DomainError when `data` is not one."""
    intervals = tuple(Interval.parse(i) for i in data["intervals"])
    exchange = Exchange.parse(data["exchange"])
    start = date.fromisoformat(data["from_date"]) if data.get("from_date") else None
    created = int(data.get("created_at", 0))
    if data["kind"] == SERIES:
        if start is None:
            raise ValueError("a tracked series without from_date")
        return TrackedSeries(str(data["id"]), exchange, data["symbol"], intervals, start, created)
    price = data.get("underlying_symbol")
    return TrackedRule(str(data["id"]), RuleKind(data["kind"]), exchange, data["underlying"], intervals,
                       data.get("expiries"), data.get("strikes"), InstrumentRef.parse(price) if price else None,
                       start, created)


class TrackedFile:
    def __init__(self, path: Path, durable: bool = True, lock_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._durable = durable  # fsync each save (atomic_file.py); off only for benchmarks
        # One changer at a time across threads and processes; the lock also creates the data dir.
        self._lock = InterProcessLock(self.path.with_name(".tracked.lock"), lock_timeout,
                                      f"The tracked list ({self.path.name})", durable)
        self._damage = DamageLog()

    def load(self) -> TrackedList:
        return self._decode(self._read())[0]

    def update(self, change: Callable[[TrackedList], TrackedList]) -> TrackedList:
        with storage_errors(self.path.parent), self._lock.hold(exclusive=True):
            raw = self._read()
            current, damaged = self._decode(raw)
            changed = change(current)
            if damaged and raw is not None:
                write_file(self.path.with_name(f"{self.path.name}.damaged"), raw, durable=self._durable)
            payload = {"version": _VERSION, "tracked": [entry_to_dict(e) for e in changed.entries]}
            write_file(self.path, orjson.dumps(payload, option=orjson.OPT_INDENT_2), durable=self._durable)
            return changed

    def _read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise storage_error(error, self.path.parent, reading=True) from error

    def _decode(self, raw: bytes | None) -> tuple[TrackedList, bool]:
        """The list in `raw`, and whether anything in it was damaged (logged)."""
        if raw is None:
            return TrackedList(), False
        try:
            payload = orjson.loads(raw)
            if not isinstance(payload, dict) or payload.get("version") != _VERSION:
                raise ValueError("not a tracked list of this version")
            rows = payload["tracked"]
            if not isinstance(rows, list):
                raise TypeError("tracked is not a list")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            self._damage.warn("tracked_file_damaged", self.path, error=f"{type(error).__name__}: {error}"[:200])
            return TrackedList(), True
        entries: list[Tracked] = []
        skipped = 0
        for row in rows:
            try:
                entries.append(entry_from_dict(row))
            except (KeyError, TypeError, ValueError, AttributeError, DomainError):
                skipped += 1
        if skipped:
            self._damage.warn("tracked_entries_damaged_skipped", self.path, skipped=skipped)
        return TrackedList(tuple(entries)), bool(skipped)
