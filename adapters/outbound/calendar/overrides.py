"""The calendar files: kitefetch's sessions.toml and a user's calendar.toml, read into plain specs.

Both are read at start-up (cheap: no library import), so a file that does not parse stops kitefetch there with
the file, the line and what is wrong (CalendarInvalid), never halfway through a fetch. tomllib reports lines
only for syntax errors; for a value that parses but is wrong, the line is found again in the text: the n-th
`[[calendars.NAME.session]]` header, then its key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from domain.errors import CalendarInvalid
from domain.market import Exchange
from domain.sessions import SessionKind

Block = tuple[int, int]  # seconds after midnight IST, close exclusive
T = TypeVar("T")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CALENDAR_KEYS = {"exchanges", "library", "library_from", "source", "hours", "session", "closed"}
_USER_KEYS = {"session", "closed"}
_ENTRY_KEYS = {"hours": {"from", "open", "close", "source"}, "session": {"date", "blocks", "kind", "source"},
               "closed": {"date", "source"}}


@dataclass(frozen=True, slots=True)
class Hours:
    effective: date
    open_seconds: int
    close_seconds: int


@dataclass(frozen=True, slots=True)
class SpecialDay:
    day: date
    blocks: tuple[Block, ...]
    kind: SessionKind


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """One calendar shared by `exchanges`: its library, its hours, and the days it overrides (None: closed)."""

    name: str
    exchanges: tuple[Exchange, ...]
    library: str | None
    library_from: date | None
    hours: tuple[Hours, ...]
    days: dict[date, SpecialDay | None] = field(default_factory=dict)


class _Reader:
    """One file's text and path, to say where a wrong value is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CalendarInvalid(f"{path}: cannot be read ({error})") from None
        self.lines = self.text.splitlines()

    def parse(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            said = str(error)
            found = re.search(r"\(at line (\d+), column \d+\)", said)
            if found:
                raise CalendarInvalid(f"{self.path}, line {found.group(1)}: "
                                      f"{said[:found.start()].strip()}") from None
            raise CalendarInvalid(f"{self.path}: {said}") from None

    def line(self, path: tuple[str, ...], index: int | None = None, key: str | None = None) -> int | None:
        """The line of the `index`-th `[[path]]` entry (or of the `[path]` table), at `key` when found."""
        dotted = r"\s*\.\s*".join(re.escape(p) for p in path)
        header = re.compile(rf"^\s*\[\[\s*{dotted}\s*\]\]" if index is not None else rf"^\s*\[\s*{dotted}\s*\]")
        starts = [n for n, text in enumerate(self.lines) if header.match(text)]
        if index is not None and index >= len(starts) or not starts:
            return None
        start = starts[index or 0]
        if key is not None:
            for n in range(start + 1, len(self.lines)):
                if self.lines[n].lstrip().startswith("["):
                    break
                if re.match(rf"^\s*{re.escape(key)}\s*=", self.lines[n]):
                    return n + 1
        return start + 1

    def mention(self, name: str) -> int | None:
        """The first header naming calendar `name`."""
        header = re.compile(rf"^\s*\[+\s*calendars\s*\.\s*{re.escape(name)}\s*[.\]]")
        return next((n + 1 for n, text in enumerate(self.lines) if header.match(text)), None)

    def fail(self, what: str, line: int | None) -> CalendarInvalid:
        return CalendarInvalid(f"{self.path}, line {line}: {what}" if line else f"{self.path}: {what}")


def _seconds(text: object) -> int:
    found = _TIME.match(text) if isinstance(text, str) else None
    if not found:
        raise ValueError(f"{text!r} is not a time of day written HH:MM")
    return int(found.group(1)) * 3600 + int(found.group(2)) * 60


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"{value!r} is not a date (write 2025-02-01)")


def _blocks(value: object) -> tuple[Block, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError('blocks must be a list of ["HH:MM", "HH:MM"] pairs, e.g. [["09:15", "15:30"]]')
    out: list[Block] = []
    for pair in value:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f'{pair!r} is not an ["open", "close"] pair')
        opens, closes = _seconds(pair[0]), _seconds(pair[1])
        if opens >= closes:
            raise ValueError(f"block {pair[0]}-{pair[1]} closes before it opens")
        if out and opens < out[-1][1]:
            raise ValueError(f"block {pair[0]}-{pair[1]} starts before the previous one closes")
        out.append((opens, closes))
    return tuple(out)


def _entries(reader: _Reader, body: dict[str, Any], name: str, table: str, user: bool) -> list[tuple[int, dict]]:
    rows = body.get(table, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise reader.fail(f"calendars.{name}.{table} must be written as [[calendars.{name}.{table}]] entries",
                          reader.line(("calendars", name)))
    for i, row in enumerate(rows):
        unknown = set(row) - _ENTRY_KEYS[table]
        if unknown:
            key = sorted(unknown)[0]
            raise reader.fail(f"unknown key {key!r} in a {table} entry (use {', '.join(sorted(_ENTRY_KEYS[table]))})",
                              reader.line(("calendars", name, table), i, key))
        required = _ENTRY_KEYS[table] - ({"source"} if user else set())
        missing = sorted(required - set(row))
        if missing:
            raise reader.fail(f"a {table} entry lacks {', '.join(missing)}", reader.line(("calendars", name, table), i))
    return list(enumerate(rows))


def _kind(value: object) -> SessionKind:
    try:
        return SessionKind(str(value))
    except ValueError:
        raise ValueError(f"kind {value!r}: use one of {', '.join(k.value for k in SessionKind)}") from None


def _parsed(reader: _Reader, parse: Callable[[Any], T], value: object, where: Callable[[], int | None]) -> T:
    """`parse(value)`, or CalendarInvalid at the line `where()` finds (looked up only on failure)."""
    try:
        return parse(value)
    except ValueError as error:
        raise reader.fail(str(error), where()) from None


def _days(reader: _Reader, body: dict[str, Any], name: str, user: bool) -> dict[date, SpecialDay | None]:
    days: dict[date, SpecialDay | None] = {}
    for table in ("session", "closed"):
        for i, row in _entries(reader, body, name, table, user):
            def where(key: str, i: int = i, table: str = table) -> Callable[[], int | None]:
                return lambda: reader.line(("calendars", name, table), i, key)

            day = _parsed(reader, _date, row["date"], where("date"))
            if day in days:
                raise reader.fail(f"{day.isoformat()} appears twice (one entry per day: list every block in it)",
                                  where("date")())
            if table == "session":
                days[day] = SpecialDay(day, _parsed(reader, _blocks, row["blocks"], where("blocks")),
                                       _parsed(reader, _kind, row["kind"], where("kind")))
            else:
                days[day] = None
    return days


def _hours(reader: _Reader, body: dict[str, Any], name: str) -> tuple[Hours, ...]:
    out: list[Hours] = []
    for i, row in _entries(reader, body, name, "hours", user=False):
        def where(key: str, i: int = i) -> Callable[[], int | None]:
            return lambda: reader.line(("calendars", name, "hours"), i, key)

        effective = _parsed(reader, _date, row["from"], where("from"))
        if out and effective <= out[-1].effective:
            raise reader.fail("hours entries must be in order of their `from` date", where("from")())
        opens, closes = _parsed(reader, _blocks, [[row["open"], row["close"]]], where("open"))[0]
        out.append(Hours(effective, opens, closes))
    if not out:
        raise reader.fail(f"calendar {name!r} has no [[calendars.{name}.hours]] entry",
                          reader.line(("calendars", name)))
    return tuple(out)


def _calendars(reader: _Reader, data: dict[str, Any], user: bool) -> dict[str, dict[str, Any]]:
    unknown = set(data) - {"format", "calendars"}
    if unknown:
        raise reader.fail(f"unknown key {sorted(unknown)[0]!r} (expected format and [calendars.NAME] tables)", None)
    if data.get("format", 1) != 1:
        raise reader.fail(f"format {data['format']!r} is not one this kitefetch reads (1)", None)
    calendars = data.get("calendars", {})
    if not isinstance(calendars, dict) or not all(isinstance(v, dict) for v in calendars.values()):
        raise reader.fail("calendars must be [calendars.NAME] tables", None)
    allowed = _USER_KEYS if user else _CALENDAR_KEYS
    for name, body in calendars.items():
        extra = set(body) - allowed
        if extra:
            key = sorted(extra)[0]
            raise reader.fail(f"unknown key {key!r} in calendar {name!r} (use {', '.join(sorted(allowed))})",
                              reader.line(("calendars", name), key=key))
    return calendars


def load_shipped(path: Path) -> dict[str, CalendarSpec]:
    """The calendars of kitefetch's own file; every exchange must belong to exactly one."""
    reader = _Reader(path)
    specs: dict[str, CalendarSpec] = {}
    owner: dict[Exchange, str] = {}
    for name, body in _calendars(reader, reader.parse(), user=False).items():
        where = reader.line(("calendars", name), key="exchanges")
        try:
            exchanges = tuple(Exchange(e) for e in body.get("exchanges", []))
            library_from = _date(body["library_from"]) if "library_from" in body else None
        except ValueError as error:
            raise reader.fail(f"calendar {name!r}: {error}", where) from None
        for exchange in exchanges:
            if exchange in owner:
                raise reader.fail(f"{exchange.value} is in calendars {owner[exchange]!r} and {name!r}", where)
            owner[exchange] = name
        specs[name] = CalendarSpec(name, exchanges, body.get("library"), library_from, _hours(reader, body, name),
                                   _days(reader, body, name, user=False))
    lacking = [e.value for e in Exchange if e not in owner]
    if lacking:
        raise reader.fail(f"no calendar lists {', '.join(lacking)}", None)
    return specs


def with_user_file(specs: dict[str, CalendarSpec], path: Path) -> dict[str, CalendarSpec]:
    """`specs` with a user's sessions and closures, which win date by date; no file, no change."""
    if not path.exists():
        return specs
    reader = _Reader(path)
    out = dict(specs)
    for name, body in _calendars(reader, reader.parse(), user=True).items():
        if name not in specs:
            raise reader.fail(f"unknown calendar {name!r} (kitefetch's are {', '.join(sorted(specs))})",
                              reader.mention(name))
        out[name] = replace(specs[name], days={**specs[name].days, **_days(reader, body, name, user=True)})
    return out
