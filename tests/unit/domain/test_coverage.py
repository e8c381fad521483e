from domain.coverage import Coverage


def test_adjacent_and_overlapping_spans_merge():
    c = Coverage.of([(10, 20), (21, 30), (25, 40), (50, 60)])
    assert c.spans == ((10, 40), (50, 60))


def test_missing_reports_holes_and_edges():
    c = Coverage.of([(10, 20), (30, 40)])
    assert c.missing(0, 50) == [(0, 9), (21, 29), (41, 50)]
    assert c.missing(12, 18) == []
    assert c.missing(15, 35) == [(21, 29)]
    assert Coverage().missing(1, 2) == [(1, 2)]


def test_covers_and_bounds():
    c = Coverage().add(5, 9).add(1, 4)
    assert c.spans == ((1, 9),) and c.covers(2, 8) and not c.covers(0, 3)
    assert (c.first, c.last) == (1, 9)
