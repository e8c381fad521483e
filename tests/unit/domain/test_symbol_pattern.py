"""SYMBOL_PATTERN, which the OpenAPI document gives clients and fuzzers, says what check_symbol says, read by
Python's `re` and by an ECMA-262 engine (the one JSON Schema validators use) alike."""

from __future__ import annotations

import re

import jsonschema_rs
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.instrument import MAX_SYMBOL_LENGTH, SYMBOL_PATTERN, check_symbol

TRICKY = "\t\n\x0b\x0c\r\x1c\x1f \x85\xa0\u1680\u2000\u200a\u2028\u202f\u3000\ufeff\x00\x7f\x80Aa&- /."
ECMA = jsonschema_rs.validator_for({"type": "string", "pattern": SYMBOL_PATTERN})


def accepted(symbol: str) -> bool:
    try:
        check_symbol(symbol)
    except InvalidInput:
        return False
    return True


@settings(max_examples=2000)
@given(st.text(st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=MAX_SYMBOL_LENGTH))  # no surrogate
def test_the_pattern_accepts_exactly_what_check_symbol_accepts(symbol):
    assert (re.match(SYMBOL_PATTERN, symbol) is not None) == accepted(symbol)
    assert ECMA.is_valid(symbol) == accepted(symbol)


def test_examples():
    for good in ("INFY", "M&M", "NIFTY 50", " INFY\t", "L&TFH\n", "BANKNIFTY26DEC48000CE"):
        assert ECMA.is_valid(good) and accepted(good), repr(good)
    for bad in ("", " ", "\t\n", "IN\x00FY", "A\x1fB", "\u3000"):
        assert not ECMA.is_valid(bad) and not accepted(bad), repr(bad)
