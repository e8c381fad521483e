"""Trading days, expiry rules and tradingsymbols as Kite writes them."""

from __future__ import annotations

import datetime as dt

from kite_sandbox.contracts import future_symbol, monthly_listing, option_symbol
from kite_sandbox.trading_calendar import (
    is_trading_day,
    monthly_expiries,
    weekly_expiries,
)


def test_weekends_and_holidays_are_closed() -> None:
    assert not is_trading_day(dt.date(2026, 11, 21))  # Saturday
    assert not is_trading_day(dt.date(2026, 11, 24))  # Guru Nanak Jayanti 2026
    assert not is_trading_day(dt.date(2024, 1, 22))  # special holiday
    assert not is_trading_day(dt.date(2019, 8, 15))  # rule-based year
    assert is_trading_day(dt.date(2026, 11, 23))


def test_nse_expiries_are_tuesdays_moved_before_holidays() -> None:
    assert monthly_expiries(dt.date(2026, 11, 1), 2, 1) == [dt.date(2026, 11, 23), dt.date(2026, 12, 29)]
    assert weekly_expiries(dt.date(2026, 11, 25), 2, 1) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8)]
    assert monthly_expiries(dt.date(2026, 11, 1), 1, 3) == [dt.date(2026, 11, 26)]  # BSE: Thursday
    assert monthly_listing(dt.date(2027, 2, 23), 1) == dt.date(2026, 11, 24)


def test_symbols() -> None:
    assert future_symbol("NIFTY", dt.date(2025, 12, 30)) == "NIFTY25DECFUT"
    assert option_symbol("NIFTY", dt.date(2025, 12, 30), 24000.0, "CE", monthly=True) == "NIFTY25DEC24000CE"
    assert option_symbol("NIFTY", dt.date(2025, 12, 2), 24000.0, "PE", monthly=False) == "NIFTY25D0224000PE"
    assert option_symbol("NIFTY", dt.date(2025, 1, 21), 23500.0, "CE", monthly=False) == "NIFTY2512123500CE"
    assert option_symbol("IDEA", dt.date(2025, 12, 30), 7.5, "CE", monthly=True) == "IDEA25DEC7.5CE"
