"""The CLI flags map one to one onto SandboxConfig."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest

from kite_sandbox import SandboxConfig, add_sandbox_arguments, config_from_args
from kite_sandbox.corporate_actions import CorporateAction


def test_defaults_match_config_and_flags_override() -> None:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    assert config_from_args(parser.parse_args([])) == SandboxConfig()
    args = parser.parse_args(["--port", "0", "--rate-limit", "5", "--today", "2026-11-24", "--fault-rate", "0.1",
                              "--universe-scale", "5", "--cost-ms-per-1000-candles", "0", "--seed", "7"])
    config = config_from_args(args)
    assert (config.port, config.rate_limit, config.today, config.fault_rate, config.universe_scale,
            config.cost_ms_per_1000_candles, config.seed) == (0, 5, dt.date(2026, 11, 24), 0.1, 5, 0.0, 7)


def test_corporate_actions_flag_preloads_a_validated_list(tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    path = tmp_path / "actions.json"
    path.write_text(json.dumps([{"exchange": "NSE", "symbol": "RELIANCE", "ex_date": "2026-11-05", "factor": 2.0,
                                 "kind": "split"}]))
    config = config_from_args(parser.parse_args(["--corporate-actions", str(path)]))
    assert config.corporate_actions == (CorporateAction("NSE", "RELIANCE", dt.date(2026, 11, 5), 2.0, "split"),)
    path.write_text('[{"exchange": "NSE"}]')
    with pytest.raises(SystemExit):
        parser.parse_args(["--corporate-actions", str(path)])
    assert "entry 0: missing symbol" in capsys.readouterr().err
