"""Which stretches of time a series has been fetched for, so a holiday is never asked for twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.clock_time import day_end, day_start

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Sorted, disjoint, non-adjacent closed spans of epoch seconds."""

    spans: tuple[Span, ...] = ()

    @classmethod
    def of(cls, spans: Iterable[Span]) -> Coverage:
        return cls().add_all(spans)

    def add_all(self, spans: Iterable[Span]) -> Coverage:
        merged: list[list[int]] = []
        for start, end in sorted([*self.spans, *((int(a), int(b)) for a, b in spans)]):
            if start > end:
                continue
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return Coverage(tuple((a, b) for a, b in merged))

    def add(self, start: int, end: int) -> Coverage:
        return self.add_all([(start, end)])

    def missing(self, start: int, end: int) -> list[Span]:
        """The parts of [start, end] not covered, in order."""
        gaps: list[Span] = []
        cursor = start
        for a, b in self.spans:
            if b < cursor:
                continue
            if a > end:
                break
            if a > cursor:
                gaps.append((cursor, min(a - 1, end)))
            cursor = max(cursor, b + 1)
            if cursor > end:
                break
        if cursor <= end:
            gaps.append((cursor, end))
        return gaps

    def covers(self, start: int, end: int) -> bool:
        return not self.missing(start, end)

    @property
    def first(self) -> int | None:
        return self.spans[0][0] if self.spans else None

    @property
    def last(self) -> int | None:
        return self.spans[-1][1] if self.spans else None


def held_back_after(held: Iterable[tuple[date, int]], covered: Iterable[Span],
                    new: Iterable[tuple[date, int]]) -> tuple[tuple[date, int], ...]:
    """The days held back (IST day, candles Kite served there that no known session explains) after a write
    that marks `covered` fetched and holds back `new`: a day leaves the list once a write covers all of it (its
    session became known and it was fetched, or Kite no longer serves anything there); a day held back again
    takes its newest count. In day order."""
    fetched = Coverage.of(covered)
    days = {day: count for day, count in held if not fetched.covers(day_start(day), day_end(day))}
    days.update(new)
    return tuple(sorted(days.items()))
