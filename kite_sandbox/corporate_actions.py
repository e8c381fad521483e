"""Corporate actions as test controls: what `POST /__sandbox/corporate-action` and `--corporate-actions` take.

Real Kite back-adjusts every earlier candle of a stock for splits, bonuses, big dividends and (weeks late)
demergers, and has no endpoint that says so. The sandbox lets a test make that happen on demand. This
module only parses and validates; adjustment.py does the arithmetic and history_edits.py keeps what is in
force.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("split", "bonus", "dividend", "demerger")
FIELDS = ("exchange", "symbol", "ex_date", "factor", "kind")
MIN_FACTOR, MAX_FACTOR = 0.001, 1000.0  # keeps adjusted prices and volumes well inside int64 ticks


@dataclass(frozen=True)
class CorporateAction:
    """Candles of (exchange, symbol) dated before `ex_date` are served with prices / factor, volume * factor."""

    exchange: str
    symbol: str
    ex_date: datetime.date
    factor: float
    kind: str

    @classmethod
    def from_json(cls, obj: object) -> CorporateAction:
        """Validate one JSON object; ValueError says what is wrong (the route turns it into a 400)."""
        fields = json_fields(obj, FIELDS)
        exchange, symbol, kind = (text_field(fields, name) for name in ("exchange", "symbol", "kind"))
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        factor = number_field(fields, "factor")
        if not MIN_FACTOR <= factor <= MAX_FACTOR:
            raise ValueError(f"factor must be > 0 (between {MIN_FACTOR:g} and {MAX_FACTOR:g})")
        try:
            ex_date = datetime.date.fromisoformat(text_field(fields, "ex_date"))
        except ValueError as exc:
            raise ValueError("ex_date must be a date YYYY-MM-DD") from exc
        return cls(exchange.upper(), symbol.upper(), ex_date, factor, kind)

    def to_json(self) -> dict[str, Any]:
        return {"exchange": self.exchange, "symbol": self.symbol, "ex_date": self.ex_date.isoformat(),
                "factor": self.factor, "kind": self.kind}


def load_corporate_actions(path: str | Path) -> tuple[CorporateAction, ...]:
    """A JSON list of action objects from a file; ValueError names the bad entry."""
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(items, list):
        raise ValueError(f"{path} must hold a JSON list of corporate actions")
    actions = []
    for number, item in enumerate(items):
        try:
            actions.append(CorporateAction.from_json(item))
        except ValueError as exc:
            raise ValueError(f"{path}, entry {number}: {exc}") from exc
    return tuple(actions)


def json_fields(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    """An object with exactly these keys: a missing or unknown key is an error, so typos never pass."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object with {', '.join(names)}")
    missing = [n for n in names if n not in obj]
    unknown = sorted(set(obj) - set(names))
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if unknown:
        raise ValueError(f"unknown field {', '.join(map(str, unknown))}")
    return obj


def text_field(fields: dict[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


def number_field(fields: dict[str, Any], name: str) -> float:
    value = fields[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number")
    return float(value)
