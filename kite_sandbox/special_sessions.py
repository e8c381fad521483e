"""The one table of sessions that break the weekday 09:15-15:30 rule, and of one-off closures.

Real Kite history has weekend sessions, Saturdays split between the primary and the disaster-recovery
site, an hour of Muhurat trading on Diwali and closures announced at short notice. Each entry says where
it comes from; docs/sandbox.md ("Calendar") repeats the table. A session is a tuple of blocks, each
(open, close) in minutes after midnight IST, close exclusive: (555, 600) is 09:15-10:00, 45 one-minute
candles. Candle grids restart at every block's open.
"""

from __future__ import annotations

import datetime

Block = tuple[int, int]  # (open, close) minutes after midnight IST, close exclusive


def _block(open_hhmm: str, close_hhmm: str) -> Block:
    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return minutes(open_hhmm), minutes(close_hhmm)


REGULAR_SESSION: tuple[Block, ...] = (_block("09:15", "15:30"),)
_DR_SATURDAY = (_block("09:15", "10:00"), _block("11:30", "12:30"))  # primary site, then the DR site

_D = datetime.date
SPECIAL_SESSIONS: dict[datetime.date, tuple[Block, ...]] = {
    _D(2023, 11, 12): (_block("18:15", "19:15"),),  # Sun, Muhurat trading (Diwali)
    _D(2024, 1, 20): REGULAR_SESSION,  # Sat, full session (the DR drill became a full day; Mon 22 closed)
    _D(2024, 3, 2): _DR_SATURDAY,  # Sat, live session switching to the disaster-recovery site
    _D(2024, 5, 18): _DR_SATURDAY,  # Sat, live session switching to the disaster-recovery site
    _D(2024, 11, 1): (_block("18:00", "19:00"),),  # Fri, Muhurat trading (Diwali; a holiday otherwise)
    _D(2025, 2, 1): REGULAR_SESSION,  # Sat, Union Budget
    _D(2025, 10, 21): (_block("13:45", "14:45"),),  # Tue, Muhurat trading (Diwali; a holiday otherwise)
    _D(2026, 2, 1): REGULAR_SESSION,  # Sun, Union Budget
}

# Closures announced outside the yearly holiday list; no candles at all on these days.
ONE_OFF_CLOSURES: frozenset[datetime.date] = frozenset({
    _D(2024, 1, 22),  # Ram temple consecration, declared a Maharashtra public holiday
    _D(2024, 5, 20),  # Lok Sabha election in Mumbai
    _D(2024, 11, 20),  # Maharashtra assembly election
    _D(2026, 1, 15),  # Mumbai municipal (BMC) elections
})
