"""`kf_adjustments`: the JSON attribute of an instrument's group (`/NSE/RELIANCE`) listing what Kite changed.

One list per instrument, oldest event first, rewritten inside the same journaled write as the candles it
describes, so the ledger never claims a heal the series does not hold (or the other way round). pandas ignores
group attributes, so the files stay plain pandas-readable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import h5py
import numpy as np

from domain.adjustments import Adjustment, ChangeKind

LEDGER = "kf_adjustments"


def _event(data: dict) -> Adjustment:
    return Adjustment(str(data["id"]), ChangeKind(data["kind"]), int(data["detected_at"]), tuple(data["series"]),
                      tuple(data.get("pending", ())),
                      date.fromisoformat(data["ex_date"]) if data.get("ex_date") else None,
                      float(data["factor"]) if data.get("factor") is not None else None,
                      int(data.get("candles_replaced", 0)), int(data.get("requests", 0)))


def _json(event: Adjustment) -> dict:
    return {"id": event.id, "kind": event.kind.value, "detected_at": event.detected_at, "series": list(event.series),
            "pending": list(event.pending), "ex_date": event.ex_date.isoformat() if event.ex_date else None,
            "factor": event.factor, "candles_replaced": event.candles_replaced, "requests": event.requests}


def decode(raw: object) -> tuple[Adjustment, ...]:
    if raw is None:
        return ()
    if isinstance(raw, np.ndarray):
        raw = raw.item()
    if isinstance(raw, bytes):
        raw = raw.decode()
    return tuple(_event(item) for item in json.loads(str(raw)))


def read(group: h5py.Group | None) -> tuple[Adjustment, ...]:
    return () if group is None else decode(group.attrs.get(LEDGER))


def update(group: h5py.Group, change: Callable[[list[Adjustment]], list[Adjustment]]) -> None:
    """Rewrite the instrument's ledger with `change` applied; callers are inside a write transaction."""
    events = change(list(read(group)))
    group.attrs[LEDGER] = json.dumps([_json(e) for e in events])
