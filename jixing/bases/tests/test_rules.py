"""Pure booking and programme rules (鲁人社字〔2025〕87号 一(八), 一(九))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixing.bases import rules
from jixing.bases.rules import ProgrammeFacts, Slot

T0 = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


def h(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


@pytest.mark.parametrize(("slots", "window", "peak"), [
    ([], (0, 8), 0),
    ([Slot(h(0), h(8), 4)], (0, 8), 4),
    ([Slot(h(0), h(4), 4), Slot(h(4), h(8), 5)], (0, 8), 5),  # back to back: no overlap
    ([Slot(h(0), h(5), 4), Slot(h(4), h(8), 5)], (0, 8), 9),
    ([Slot(h(0), h(5), 4), Slot(h(4), h(8), 5)], (5, 8), 5),  # only the part inside the window counts
    ([Slot(h(0), h(2), 3), Slot(h(3), h(5), 3), Slot(h(1), h(4), 3)], (0, 8), 6),
    ([Slot(h(9), h(10), 7)], (0, 8), 0),
])
def test_peak_stations(slots, window, peak) -> None:
    assert rules.peak_stations(slots, h(window[0]), h(window[1])) == peak


@pytest.mark.parametrize(("held", "asked", "ok"), [
    ([], 10, True),
    ([Slot(h(0), h(8), 4)], 6, True),
    ([Slot(h(0), h(8), 4)], 7, False),
    ([Slot(h(-8), h(0), 10)], 10, True),  # the earlier booking ends as this one starts
    ([Slot(h(6), h(12), 5), Slot(h(0), h(2), 5)], 5, True),  # the two never meet inside the range
    ([Slot(h(6), h(12), 5), Slot(h(1), h(7), 5)], 1, False),
])
def test_check_capacity(held, asked, ok) -> None:
    decision = rules.check_capacity(slot=Slot(h(0), h(8), asked), accepted=held, facility_stations=10)
    assert decision.ok is ok
    assert bool(decision.reasons) is not ok


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(1, 10)), max_size=12))
def test_accepting_greedily_never_exceeds_capacity(requests) -> None:
    accepted: list[Slot] = []
    for start, length, stations in requests:
        slot = Slot(h(start), h(start + length), stations)
        if rules.check_capacity(slot=slot, accepted=accepted, facility_stations=10).ok:
            accepted.append(slot)
    assert rules.peak_stations(accepted, h(0), h(60)) <= 10


@pytest.mark.parametrize(("start", "end", "stations", "reason"), [
    (h(2), h(1), 1, "end after"),
    (h(1), h(1), 1, "end after"),
    (h(-30), h(1), 1, "past"),
    (h(1), h(2), 0, "at least one"),
    (h(1), h(2), 11, "only 10"),
    (h(1), h(1 + 24 * 400), 1, "at most 366"),
])
def test_check_request_refuses_with_reason(start, end, stations, reason) -> None:
    decision = rules.check_request(starts_at=start, ends_at=end, stations=stations, facility_stations=10, now=h(0))
    assert not decision.ok
    assert any(reason in r for r in decision.reasons)


def test_quote_fee() -> None:
    day = dt.date(2027, 3, 1)
    assert rules.quote_fee(price_per_station_day=None, stations=5, first_day=day, last_day=day) == Decimal("0.00")
    assert rules.quote_fee(price_per_station_day=Decimal("30"), stations=5, first_day=day,
                           last_day=day + dt.timedelta(days=2)) == Decimal("450.00")


def test_utilisation() -> None:
    assert rules.utilisation(booked_station_hours=Decimal(60), available_station_hours=240) == Decimal("0.25")
    assert rules.utilisation(booked_station_hours=Decimal(0), available_station_hours=0) is None


@pytest.mark.parametrize(("facts", "ok", "reason"), [
    (ProgrammeFacts("preparatory_technician", "technical_school", 5, 365, True, True), True, ""),
    (ProgrammeFacts("preparatory_technician", "private_institution", 5, 365, True, True), False, "technical school"),
    (ProgrammeFacts("preparatory_technician", "technical_school", 4, 365, True, True), False, "technician level"),
    (ProgrammeFacts("preparatory_technician", "technical_school", 5, 365, False, True), False, "full-time"),
    (ProgrammeFacts("preparatory_technician", "technical_school", 5, 365, True, False), False, "enrolment plan"),
    (ProgrammeFacts("short_course", "private_institution", 3, 90, True, False), True, ""),
    (ProgrammeFacts("short_course", "private_institution", 3, 91, True, False), False, "at most 90"),
    (ProgrammeFacts("short_course", "evaluation_institution", 3, 30, True, False), False, "does not run"),
])
def test_check_programme(facts, ok, reason) -> None:
    decision = rules.check_programme(facts)
    assert decision.ok is ok
    assert all(reason in r for r in decision.reasons[:1]) if reason else not decision.reasons
