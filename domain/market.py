"""Exchanges and the segment databases they are stored in."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidInput


class Segment(StrEnum):
    EQUITY = "EQUITY"
    DERIVATIVES = "DERIVATIVES"

    @classmethod
    def parse(cls, text: str) -> Segment:
        try:
            return cls(str(text).upper())
        except ValueError:
            raise InvalidInput(f"Unknown segment {text!r}: use EQUITY or DERIVATIVES") from None

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return tuple(e for e in Exchange if e.segment is self)

    @property
    def has_open_interest(self) -> bool:
        return self is Segment.DERIVATIVES


class Exchange(StrEnum):
    NSE = "NSE"
    BSE = "BSE"
    NFO = "NFO"
    BFO = "BFO"

    @classmethod
    def parse(cls, text: str) -> Exchange:
        try:
            return cls(str(text).upper())
        except ValueError:
            names = ", ".join(e.value for e in cls)
            raise InvalidInput(f"Unknown exchange {text!r}: use one of {names}") from None

    @property
    def segment(self) -> Segment:
        return Segment.DERIVATIVES if self in (Exchange.NFO, Exchange.BFO) else Segment.EQUITY
