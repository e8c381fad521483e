from datetime import date

from domain.adjustments import Adjustment, ChangeKind, ChangeStatus, StaleMark


def test_a_corporate_action_is_stale_until_every_series_is_settled():
    event = Adjustment.corporate_action("e", 1, date(2024, 6, 14), 2.0, ("NSE:X:day", "NSE:X:minute"))
    assert event.status is ChangeStatus.STALE and event.kind is ChangeKind.CORPORATE_ACTION
    event = event.settle("NSE:X:day", 10, 1)
    assert event.pending == ("NSE:X:minute",) and event.status is ChangeStatus.STALE
    event = event.settle("NSE:X:minute", 100, 3)
    assert event.status is ChangeStatus.HEALED and (event.candles_replaced, event.requests) == (110, 4)
    assert event.settle("NSE:X:minute", 5, 5) == event  # settled twice: nothing more


def test_a_revision_is_healed_when_recorded():
    event = Adjustment.revision("r", 1, "NSE:X:day", 1)
    assert event.status is ChangeStatus.HEALED and event.ex_date is None and event.factor is None


def test_stale_marks_merge_to_the_later_boundary():
    mark = StaleMark.adding(None, 100, "a")
    mark = StaleMark.adding(mark, 50, "b")
    assert mark == StaleMark(100, ("a", "b")) and StaleMark.adding(mark, 200, "a") == StaleMark(200, ("a", "b"))
    assert mark.without(("a",)) == StaleMark(100, ("b",)) and mark.without(("a", "b")) is None
