"""Trading days, expiry rules and tradingsymbols as Kite writes them."""

from __future__ import annotations

import datetime as dt

from kite_sandbox.contracts import future_symbol, monthly_listing, option_symbol
from kite_sandbox.trading_calendar import (
    is_holiday,
    is_trading_day,
    library_holidays,
    monthly_expiries,
    weekly_expiries,
)

_D = dt.date
# The NSE holiday lists the sandbox hard-coded for 2023-2026 before it took them from exchange-calendars' XBOM:
# kept here to hold the library to them (the sandbox's candles for these years stayed the same).
NSE_HOLIDAYS_2023_2026 = {
    _D(2023, 1, 26), _D(2023, 3, 7), _D(2023, 3, 30), _D(2023, 4, 4), _D(2023, 4, 7),
    _D(2023, 4, 14), _D(2023, 5, 1), _D(2023, 6, 29), _D(2023, 8, 15), _D(2023, 9, 19),
    _D(2023, 10, 2), _D(2023, 10, 24), _D(2023, 11, 14), _D(2023, 11, 27), _D(2023, 12, 25),
    _D(2024, 1, 22), _D(2024, 1, 26), _D(2024, 3, 8), _D(2024, 3, 25), _D(2024, 3, 29),
    _D(2024, 4, 11), _D(2024, 4, 17), _D(2024, 5, 1), _D(2024, 5, 20), _D(2024, 6, 17),
    _D(2024, 7, 17), _D(2024, 8, 15), _D(2024, 10, 2), _D(2024, 11, 1), _D(2024, 11, 15),
    _D(2024, 11, 20), _D(2024, 12, 25),
    _D(2025, 2, 26), _D(2025, 3, 14), _D(2025, 3, 31), _D(2025, 4, 10), _D(2025, 4, 14),
    _D(2025, 4, 18), _D(2025, 5, 1), _D(2025, 8, 15), _D(2025, 8, 27), _D(2025, 10, 2),
    _D(2025, 10, 21), _D(2025, 10, 22), _D(2025, 11, 5), _D(2025, 12, 25),
    _D(2026, 1, 15), _D(2026, 1, 26), _D(2026, 3, 3), _D(2026, 3, 26), _D(2026, 3, 31), _D(2026, 4, 3),
    _D(2026, 4, 14), _D(2026, 5, 1), _D(2026, 5, 28), _D(2026, 6, 26), _D(2026, 9, 14),
    _D(2026, 10, 2), _D(2026, 10, 20), _D(2026, 11, 10), _D(2026, 11, 24), _D(2026, 12, 25),
}


def test_weekends_and_holidays_are_closed() -> None:
    assert not is_trading_day(dt.date(2026, 11, 21))  # Saturday
    assert not is_trading_day(dt.date(2026, 11, 24))  # Guru Nanak Jayanti 2026
    assert not is_trading_day(dt.date(2024, 1, 22))  # special holiday
    assert not is_trading_day(dt.date(2019, 8, 15))
    assert not is_trading_day(dt.date(2019, 3, 4))  # Mahashivratri: the library's list, not a fixed date
    assert not is_trading_day(dt.date(2030, 8, 15)) and is_trading_day(dt.date(2030, 1, 28))  # rule-based year
    assert is_trading_day(dt.date(2026, 11, 23))


def test_the_librarys_holidays_agree_with_the_nse_lists_of_2023_to_2026() -> None:
    first, last, closed = library_holidays()
    assert first <= dt.date(2000, 1, 3) and last >= dt.date(2026, 12, 31)
    assert {d for d in closed if 2023 <= d.year <= 2026} == NSE_HOLIDAYS_2023_2026
    assert {d for d in NSE_HOLIDAYS_2023_2026 if is_holiday(d)} == NSE_HOLIDAYS_2023_2026


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
