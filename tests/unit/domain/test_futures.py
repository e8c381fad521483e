from datetime import date

import numpy as np
import pytest

from domain.candles import CandleFrame
from domain.clock_time import day_number
from domain.errors import InvalidInput
from domain.futures import Adjustment, RollRule, adjust, back_adjustments, front_windows, futures_of
from domain.market import Exchange
from domain.sessions import weekdays
from tests.fakes.market import equity, future

SESSION_DAYS = weekdays(date(2025, 1, 1), date(2025, 3, 31))  # Monday to Friday
JAN, FEB = date(2025, 1, 28), date(2025, 2, 25)  # Tuesdays


def test_roll_rules_parse_and_refuse():
    assert RollRule.parse("expiry") == RollRule(0) and RollRule.parse("days_before:3") == RollRule(3)
    assert str(RollRule(3)) == "days_before:3" and str(RollRule()) == "expiry"
    for bad in ("days_before:", "days_before:-1", "days_before:31", "before:3", "Expiry2"):
        with pytest.raises(InvalidInput, match="expiry or days_before:N"):
            RollRule.parse(bad)
    assert Adjustment.parse(None) is None and Adjustment.parse("ratio") is Adjustment.RATIO
    with pytest.raises(InvalidInput, match="difference or ratio"):
        Adjustment.parse("panama")


def test_last_days_count_session_days_back_from_the_expiry():
    assert RollRule().last_days([JAN, FEB], SESSION_DAYS) == [JAN, FEB]
    assert RollRule(1).last_days([JAN], SESSION_DAYS) == [date(2025, 1, 27)]
    assert RollRule(2).last_days([JAN], SESSION_DAYS) == [date(2025, 1, 24)]  # over the weekend
    saturday = date(2025, 2, 1)  # an expiry on a day without a session: the last session before it
    assert RollRule().last_days([saturday], SESSION_DAYS) == [date(2025, 1, 31)]


def test_front_windows_follow_each_other_and_the_first_goes_back_one_cycle_at_most():
    mar = date(2025, 3, 25)
    assert front_windows([JAN, FEB, mar]) == [(date(2025, 1, 1), JAN), (date(2025, 1, 29), FEB),
                                              (date(2025, 2, 26), mar)]  # the shortest gap: 28 days
    assert front_windows([JAN]) == [(date(2025, 1, 1), JAN)]


def test_back_adjustment_shifts_or_scales_every_earlier_contract():
    old, new = np.array([100.0, 110.0]), np.array([102.0, 121.0])  # two rolls, three contracts
    assert list(back_adjustments(old, new, Adjustment.DIFFERENCE)) == [2.0 + 11.0, 11.0, 0.0]
    assert list(back_adjustments(old, new, Adjustment.RATIO)) == pytest.approx([1.02 * 1.1, 1.1, 1.0])
    frame = CandleFrame(np.arange(3), *(np.array([10.0, 20.0, 30.0]),) * 4, np.array([1, 2, 3]), np.array([5, 6, 7]))
    shifted = adjust(frame, np.array([0, 1, 2]), np.array([13.0, 11.0, 0.0]), Adjustment.DIFFERENCE)
    assert list(shifted.close) == [23.0, 31.0, 30.0] and list(shifted.volume) == [1, 2, 3]
    assert list(shifted.oi) == [5, 6, 7]


def test_futures_of_an_underlying_in_expiry_order():
    items = [future("NIFTY25FEBFUT", 2 * 256, FEB), future("NIFTY25JANFUT", 1 * 256, JAN, expired=True),
             future("NIFTY25FEBFUT", 3 * 256, FEB, exchange="BFO"), equity("NIFTY", 5)]
    assert [i.tradingsymbol for i in futures_of(items, Exchange.NFO, "nifty")] == ["NIFTY25JANFUT", "NIFTY25FEBFUT"]
    assert futures_of(items, Exchange.NFO, "BANKNIFTY") == [] and day_number(JAN) > 0
