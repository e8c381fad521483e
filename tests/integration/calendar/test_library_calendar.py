"""The calendar adapter on the real exchange-calendars library and the shipped sessions.toml.

The expected sessions are written out here again (not read from sessions.toml), so a wrong entry fails a test.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from adapters.outbound.calendar.library_calendar import SHIPPED, LibraryCalendar
from domain.candles import CandleFrame
from domain.clock_time import IST, from_datetime
from domain.errors import CalendarInvalid
from domain.interval import Interval
from domain.market import Exchange, Segment
from domain.sessions import SessionKind
from domain.validation import validate_candles

FULL = [("09:15", "15:30")]
DR = [("09:15", "10:00"), ("11:30", "12:30")]
SPECIAL = {  # day: (blocks, kind)
    date(2024, 1, 20): (FULL, SessionKind.SPECIAL),  # Sat
    date(2024, 3, 2): (DR, SessionKind.SPECIAL),  # Sat, primary then DR site
    date(2024, 5, 18): (DR, SessionKind.SPECIAL),
    date(2025, 2, 1): (FULL, SessionKind.SPECIAL),  # Sat, Budget
    date(2026, 2, 1): (FULL, SessionKind.SPECIAL),  # Sun, Budget
    date(2023, 11, 12): ([("18:15", "19:15")], SessionKind.MUHURAT),  # Sun
    date(2024, 11, 1): ([("18:00", "19:00")], SessionKind.MUHURAT),  # Fri
    date(2025, 10, 21): ([("13:45", "14:45")], SessionKind.MUHURAT),  # Tue
}
CLOSURES = [date(2024, 1, 22), date(2024, 5, 20), date(2024, 11, 20), date(2026, 1, 15)]


@pytest.fixture(scope="module")
def calendar() -> LibraryCalendar:
    return LibraryCalendar()


def hours(calendar: LibraryCalendar, day: date, exchange: Exchange = Exchange.NSE) -> list[tuple[str, str]]:
    def hm(ts: int) -> str:
        return datetime.fromtimestamp(ts, IST).strftime("%H:%M")

    return [(hm(s.open_ts), hm(s.close_ts)) for s in calendar.sessions_on(exchange, day)]


@pytest.mark.parametrize("exchange", list(Exchange))
def test_special_sessions_hours_and_kinds(calendar, exchange):
    for day, (blocks, kind) in SPECIAL.items():
        sessions = calendar.sessions_on(exchange, day)
        assert hours(calendar, day, exchange) == blocks, day
        assert {(s.kind, s.estimated, s.day) for s in sessions} == {(kind, False, day)}, day


def test_closures_have_no_session(calendar):
    for day in CLOSURES:
        assert calendar.sessions_on(Exchange.NSE, day) == (), day
        assert calendar.sessions_on(Exchange.BFO, day) == (), day


def test_regular_days_and_the_hours_of_their_year(calendar):
    (monday,) = calendar.sessions_on(Exchange.NSE, date(2025, 1, 6))
    assert (monday.kind, monday.estimated) == (SessionKind.REGULAR, False)
    assert hours(calendar, date(2025, 1, 6)) == FULL
    assert hours(calendar, date(2010, 10, 18)) == FULL  # continuous trading from 09:15 since this day
    assert hours(calendar, date(2010, 5, 5)) == [("09:00", "15:30")]
    assert hours(calendar, date(2005, 1, 3)) == [("09:55", "15:30")]
    assert calendar.sessions_on(Exchange.NSE, date(2025, 3, 31)) == ()  # a listed holiday (Id-ul-Fitr)
    assert calendar.sessions_on(Exchange.NSE, date(2025, 2, 2)) == ()  # a Sunday


def test_session_counts_per_year(calendar):
    # weekdays minus the NSE holidays, plus the special days (two sessions on a DR Saturday)
    counts = {y: (len(t), len(t.session_days())) for y in (2023, 2024, 2025, 2026)
              for t in [calendar.sessions(Exchange.NSE, date(y, 1, 1), date(y, 12, 31))]}
    assert counts == {2023: (246, 246), 2024: (251, 249), 2025: (249, 249), 2026: (246, 246)}


def test_beyond_the_library_the_weekday_rule_answers_estimated(calendar):
    (monday,) = calendar.sessions_on(Exchange.NSE, date(2027, 1, 4))
    assert (monday.kind, monday.estimated) == (SessionKind.REGULAR, True)
    assert hours(calendar, date(2027, 1, 4)) == FULL
    assert calendar.sessions_on(Exchange.NSE, date(2027, 1, 2)) == ()  # a Saturday
    (old,) = calendar.sessions_on(Exchange.NSE, date(1990, 1, 1))
    assert old.estimated and hours(calendar, date(1990, 1, 1)) == [("09:55", "15:30")]  # the first hours entry
    assert not calendar.sessions_on(Exchange.NSE, date(2026, 12, 31))[0].estimated  # the library's last day
    for day in (date(1, 1, 1), date(1900, 1, 1), date(2300, 1, 3), date(9999, 12, 31)):  # never a crash
        assert all(s.estimated for s in calendar.sessions_on(Exchange.NSE, day))
    assert len(calendar.sessions(Exchange.NSE, date(2199, 12, 25), date(2201, 1, 10))) > 10
    assert len(calendar.sessions(Exchange.NSE, date(2025, 1, 2), date(2025, 1, 1))) == 0


def test_in_session_is_open_inclusive_close_exclusive(calendar):
    def ts(day: date, h: int, m: int) -> int:
        return from_datetime(datetime(day.year, day.month, day.day, h, m, tzinfo=IST))

    muhurat = date(2024, 11, 1)
    assert calendar.in_session(Exchange.NSE, ts(muhurat, 18, 0))
    assert not calendar.in_session(Exchange.NSE, ts(muhurat, 19, 0))
    assert not calendar.in_session(Exchange.NSE, ts(muhurat, 10, 0))
    assert not calendar.in_session(Exchange.NSE, ts(date(2024, 3, 2), 11, 0))  # the DR Saturday's break


def test_validating_a_minute_chunk_is_cheap(calendar):
    """22,500 minute candles, Kite's largest chunk: the calendar slice and the validation together."""
    days = calendar.sessions(Exchange.NSE, date(2024, 1, 1), date(2024, 3, 31))
    stamps = np.concatenate([np.arange(s.open_ts, s.close_ts, 60) for s in days])[:22_500]
    n = len(stamps)
    frame = CandleFrame.from_columns({"ts": stamps, "open": np.full(n, 10.0), "high": np.full(n, 11.0),
                                      "low": np.full(n, 9.0), "close": np.full(n, 10.5),
                                      "volume": np.ones(n, dtype=np.int64)})
    best = float("inf")
    for _ in range(20):
        started = time.perf_counter()
        sessions = calendar.sessions(Exchange.NSE, date(2024, 1, 1), date(2024, 2, 29))
        mask = sessions.candle_mask(frame.ts, 60)
        best = min(best, time.perf_counter() - started)
    report = validate_candles(frame, Segment.EQUITY, Interval.MINUTE, calendar.sessions(
        Exchange.NSE, date(2024, 1, 1), date(2024, 3, 31)))
    assert report.rejected == 0 and mask.sum() == int((frame.ts < sessions.closes[-1]).sum())
    print(f"calendar slice + session mask over {n} minute candles: {best * 1000:.2f} ms")
    assert best < 0.02


def _write(tmp_path: Path, text: str, name: str = "calendar.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_users_file_adds_and_removes_sessions(tmp_path):
    user = _write(tmp_path, """
[[calendars.india.session]]
date = 2027-01-02
blocks = [["09:15", "15:30"]]
kind = "special"
source = "a Saturday session announced after this release"

[[calendars.india.closed]]
date = 2027-01-04

[[calendars.india.closed]]
date = 2025-02-01
""")
    calendar = LibraryCalendar(user)
    (saturday,) = calendar.sessions_on(Exchange.NFO, date(2027, 1, 2))
    assert (saturday.kind, saturday.estimated) == (SessionKind.SPECIAL, False)
    assert calendar.sessions_on(Exchange.NSE, date(2027, 1, 4)) == ()
    assert calendar.sessions_on(Exchange.BSE, date(2025, 2, 1)) == ()  # a shipped session removed
    assert hours(calendar, date(2024, 11, 1)) == [("18:00", "19:00")]  # the rest as shipped
    assert LibraryCalendar(tmp_path / "absent.toml").sessions_on(Exchange.NSE, date(2025, 2, 1))


@pytest.mark.parametrize(("text", "line", "what"), [
    ("[[calendars.india.session]]\ndate = 2027-01-02\nblocks = [[\"09:15\", \"15:30\"]\nkind = \"special\"\n",
     4, "Unclosed array"),  # where tomllib notices
    ("[[calendars.india.session]]\ndate = 2027-01-02\nblocks = [[\"09:15\", \"25:30\"]]\nkind = \"special\"\n",
     3, "'25:30' is not a time of day written HH:MM"),
    ("[[calendars.india.closed]]\ndate = 2027-01-04\n\n[[calendars.india.session]]\ndate = 2027-01-02\n"
     "blocks = [[\"09:15\", \"15:30\"]]\nkind = \"holiday\"\n", 7, "kind 'holiday': use one of regular, special"),
    ("[[calendars.india.closed]]\ndate = 2027-01-04\n\n[[calendars.india.closed]]\ndat = 2027-01-05\n",
     5, "unknown key 'dat' in a closed entry"),
    ("[[calendars.india.closed]]\ndate = 2027-01-04\n\n[[calendars.india.closed]]\ndate = 2027-01-04\n",
     5, "2027-01-04 appears twice"),
    ("[[calendars.india.session]]\ndate = 2027-01-02\nblocks = [[\"11:30\", \"12:30\"], [\"09:15\", \"10:00\"]]\n"
     "kind = \"special\"\n", 3, "starts before the previous one closes"),
    ("[[calendars.india.session]]\ndate = \"next friday\"\nblocks = [[\"09:15\", \"15:30\"]]\nkind = \"special\"\n",
     2, "Invalid isoformat string: 'next friday'"),
    ("[[calendars.mcx.closed]]\ndate = 2027-01-04\n", 1, "unknown calendar 'mcx'"),
    ("[calendars.india]\nhours = []\n", 2, "unknown key 'hours' in calendar 'india' (use closed, session)"),
    ("[[calendars.india.session]]\ndate = 2027-01-02\nkind = \"special\"\n", 1, "a session entry lacks blocks"),
])
def test_a_users_file_that_does_not_parse_names_the_file_the_line_and_what(tmp_path, text, line, what):
    path = _write(tmp_path, text)
    with pytest.raises(CalendarInvalid) as caught:
        LibraryCalendar(path)
    assert caught.value.message.startswith(f"{path}, line {line}: "), caught.value.message
    assert what in caught.value.message
    assert caught.value.error_type == "configuration" and "\n" not in caught.value.message


def test_the_shipped_file_is_checked_as_strictly(tmp_path):
    text = SHIPPED.read_text().replace('exchanges = ["NSE", "BSE", "NFO", "BFO"]', 'exchanges = ["NSE", "BSE"]')
    with pytest.raises(CalendarInvalid, match="no calendar lists NFO, BFO"):
        LibraryCalendar(shipped=_write(tmp_path, text, "sessions.toml"))
    text = SHIPPED.read_text().replace('close = "15:30"', 'close = "09:00"', 1)
    with pytest.raises(CalendarInvalid, match=r"sessions.toml, line \d+: block 09:55-09:00 closes before it opens"):
        LibraryCalendar(shipped=_write(tmp_path, text, "sessions.toml"))


def test_a_calendar_without_a_library_is_all_estimated(tmp_path):
    text = SHIPPED.read_text().replace('library = "XBOM"\n', "")
    calendar = LibraryCalendar(shipped=_write(tmp_path, text, "sessions.toml"))
    (monday,) = calendar.sessions_on(Exchange.NSE, date(2025, 3, 31))  # a holiday only the library knows
    assert monday.estimated
    assert calendar.sessions_on(Exchange.NSE, date(2026, 1, 15)) == ()  # the file's closures still apply
    assert hours(calendar, date(2025, 2, 1)) == FULL
