"""What is in force: validation of actions, copy-on-write snapshots, reset back to the preloaded list."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from kite_sandbox.corporate_actions import CorporateAction, load_corporate_actions
from kite_sandbox.history_edits import ActionInForce, HistoryEdits

GOOD = {"exchange": "nse", "symbol": "reliance", "ex_date": "2026-11-05", "factor": 2, "kind": "bonus"}
DAY = dt.date(2026, 11, 4).toordinal() * 86400


def _action(ex: str, factor: float, token: int = 1, preloaded: bool = False) -> ActionInForce:
    return ActionInForce(token, CorporateAction("NSE", "X", dt.date.fromisoformat(ex), factor, "split"), preloaded)


def test_a_valid_action_is_normalised() -> None:
    assert CorporateAction.from_json(GOOD) == CorporateAction("NSE", "RELIANCE", dt.date(2026, 11, 5), 2.0, "bonus")


@pytest.mark.parametrize(("change", "message"), [
    ({"factor": 0}, "factor must be > 0"),
    ({"factor": -2}, "factor must be > 0"),
    ({"factor": "2"}, "factor must be a number"),
    ({"factor": True}, "factor must be a number"),
    ({"kind": "merger"}, "kind must be one of split, bonus, dividend, demerger"),
    ({"ex_date": "2026-02-30"}, "ex_date must be a date"),
    ({"ex_date": "05/11/2026"}, "ex_date must be a date"),
    ({"symbol": ""}, "symbol must be a non-empty string"),
    ({"extra": 1}, "unknown field extra"),
])
def test_bad_actions_say_what_is_wrong(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CorporateAction.from_json({**GOOD, **change})


def test_missing_fields_and_non_objects_are_refused() -> None:
    with pytest.raises(ValueError, match="missing factor, kind"):
        CorporateAction.from_json({k: v for k, v in GOOD.items() if k not in ("factor", "kind")})
    with pytest.raises(ValueError, match="expected a JSON object"):
        CorporateAction.from_json([GOOD])


def test_load_a_file_of_actions(tmp_path: Path) -> None:
    path = tmp_path / "actions.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "kind": "dividend", "factor": 1.02}]))
    assert [a.kind for a in load_corporate_actions(path)] == ["bonus", "dividend"]
    path.write_text(json.dumps([GOOD, {**GOOD, "kind": "x"}]))
    with pytest.raises(ValueError, match="entry 1: kind must be one of"):
        load_corporate_actions(path)
    path.write_text(json.dumps(GOOD))
    with pytest.raises(ValueError, match="must hold a JSON list"):
        load_corporate_actions(path)
    with pytest.raises(ValueError, match="cannot read"):
        load_corporate_actions(tmp_path / "missing.json")


def test_untouched_instruments_have_no_snapshot_and_snapshots_never_change() -> None:
    edits = HistoryEdits()
    assert edits.for_instrument(1) is None
    edits.add_action(_action("2026-11-05", 2.0))
    before = edits.for_instrument(1)
    assert before is not None and edits.for_instrument(2) is None
    edits.add_action(_action("2026-11-05", 3.0))
    assert before.factors(np.array([DAY]))[0] == 2.0  # a response holding it is not torn
    assert edits.for_instrument(1).factors(np.array([DAY]))[0] == 6.0  # type: ignore[union-attr]


def test_a_revision_remembers_its_factor_and_replaces_an_earlier_one() -> None:
    edits = HistoryEdits((_action("2026-11-05", 2.0, preloaded=True),))
    first = edits.add_revision(1, "NSE", "X", "day", None, DAY, 500)
    assert first.factor_then == 2.0 and first.to_json()["timestamp"] == "2026-11-04T00:00:00+0530"
    edits.add_revision(1, "NSE", "X", "day", None, DAY, 600)
    assert [r.close_ticks for r in edits.revisions()] == [600]


def test_reset_keeps_only_the_preloaded_actions() -> None:
    edits = HistoryEdits((_action("2026-11-05", 2.0, token=1, preloaded=True),))
    edits.add_action(_action("2026-11-05", 3.0, token=1))
    edits.add_action(_action("2026-11-05", 3.0, token=2))
    edits.add_revision(1, "NSE", "X", "day", None, DAY, 600)
    edits.reset()
    assert [(a.token, a.action.factor, a.preloaded) for a in edits.actions()] == [(1, 2.0, True)]
    assert edits.revisions() == [] and edits.for_instrument(2) is None
    assert edits.for_instrument(1).factors(np.array([DAY]))[0] == 2.0  # type: ignore[union-attr]
