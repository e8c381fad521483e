"""Futures and options priced off their underlying's raw bars.

Within a day the time to expiry is held constant, so a contract's price is a monotone function of the
underlying's: futures scale it by the cost of carry, calls rise and puts fall with it. That keeps OHLC
valid (a put's high comes from the underlying's low) and day candles equal to aggregates of minutes.
"""

from __future__ import annotations

import numpy as np

from .price_paths import RawBars

RATE = 0.07  # annual risk-free rate used for carry and discounting
TICK = 0.05


def years_to_expiry(day_ordinals: np.ndarray, expiry_ordinal: int | np.ndarray) -> np.ndarray:
    """Calendar years from each day to expiry; a third of a day remains on expiry day itself."""
    return (np.asarray(expiry_ordinal) - day_ordinals + 0.3) / 365.0


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (Abramowitz-Stegun 7.1.26; numpy has no erf)."""
    z = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-z * z)
    return 0.5 * (1.0 + np.sign(x) * erf)


def option_price(
    spot: np.ndarray, strike: float | np.ndarray, years: np.ndarray, vol: float, is_call: bool
) -> np.ndarray:
    """Black-Scholes price, never below zero."""
    sqrt_t = np.sqrt(years)
    d1 = (np.log(spot / strike) + (RATE + 0.5 * vol * vol) * years) / (vol * sqrt_t)
    d2 = d1 - vol * sqrt_t
    disc = strike * np.exp(-RATE * years)
    if is_call:
        return np.maximum(spot * _norm_cdf(d1) - disc * _norm_cdf(d2), 0.0)
    return np.maximum(disc * _norm_cdf(-d2) - spot * _norm_cdf(-d1), 0.0)


def future_bars(under: RawBars, years: np.ndarray) -> RawBars:
    carry = np.exp(RATE * years)
    return RawBars(under.open * carry, under.high * carry, under.low * carry, under.close * carry)


def option_bars(under: RawBars, strike: float, years: np.ndarray, vol: float, is_call: bool) -> RawBars:
    def price(s: np.ndarray) -> np.ndarray:
        return option_price(s, strike, years, vol, is_call)

    if is_call:
        return RawBars(price(under.open), price(under.high), price(under.low), price(under.close))
    return RawBars(price(under.open), price(under.low), price(under.high), price(under.close))


def to_ticks(bars: RawBars, floor_ticks: int = 1) -> tuple[np.ndarray, ...]:
    """Round to 0.05 ticks as int64: open/close to nearest, high up, low down; always valid OHLC."""
    o = np.maximum(np.rint(bars.open / TICK), floor_ticks).astype(np.int64)
    c = np.maximum(np.rint(bars.close / TICK), floor_ticks).astype(np.int64)
    h = np.maximum(np.ceil(bars.high / TICK - 1e-9), floor_ticks).astype(np.int64)
    low = np.maximum(np.floor(bars.low / TICK + 1e-9), floor_ticks).astype(np.int64)
    h = np.maximum(h, np.maximum(o, c))
    low = np.minimum(low, np.minimum(o, c))
    return o, h, low, c
