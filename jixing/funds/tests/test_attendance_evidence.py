"""Money counts evidence (issue 13): a claim line's attendance counts captured sessions fully,
declared ones only up to the city's share, and declared sessions a clean spot check verified
in full; the reviewer sees captured / declared / missing per line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jixing.funds import queries
from jixing.funds.tests import factories as f
from jixing.training import rules
from jixing.training.models import (
    Attendance,
    Provenance,
    SpotCheck,
    SpotCheckDraw,
    SpotCheckResult,
)

pytestmark = pytest.mark.django_db
D = Decimal


def session(pk: int, provenance: str, *, verified: bool = False) -> rules.SessionEvidence:
    return rules.SessionEvidence(session_id=pk, hours=D("1"), credited=D("0") if provenance == "missing" else D("1"),
                                 provenance=provenance, verified=verified)


@pytest.mark.parametrize(("declared", "rate", "counted"), [
    (4, D("1.000"), 4),   # 4 of 20 declared = exactly the 20 % share: all count
    (5, D("0.950"), 4),   # one above the share: the fifth counts nothing
    (10, D("0.700"), 4),
])
def test_declared_sessions_count_up_to_the_share(declared, rate, counted):
    rows = [session(i, "captured") for i in range(20 - declared)] + [
        session(100 + i, "declared") for i in range(declared)]
    ev = rules.evidenced_attendance(rows, D("0.200"))
    assert (ev.rate, ev.declared_counted, ev.declared_limit, ev.captured, ev.declared) == (
        rate, counted, 4, 20 - declared, declared)
    assert ev.declared_uncounted == declared - counted


def test_verified_declared_sessions_count_in_full_and_missing_ones_nothing():
    rows = ([session(i, "captured") for i in range(10)] + [session(100 + i, "declared", verified=i < 3) for i in range(8)]
            + [session(200, "missing"), session(201, "missing")])
    ev = rules.evidenced_attendance(rows, D("0.200"))
    assert (ev.declared_verified, ev.declared_counted, ev.missing, ev.rate) == (3, 4, 2, D("0.850"))
    assert rules.evidenced_attendance([], D("0.2")).rate == D("0")


def _declared_enrollment(w: f.FundedClass, *, captured: int, declared: int):
    """An enrollment with ``captured`` then ``declared`` attended sessions of the 20."""
    person = f.trainee()
    enrollment = f.enroll(w.klass, person, rate="0", provenance=Provenance.CAPTURED)
    sessions = list(w.klass.sessions.order_by("starts_at"))
    Attendance.objects.bulk_create([Attendance(
        enrollment=enrollment, session=s, person_id=person.pk, training_class=w.klass, check_in_at=s.starts_at,
        check_out_at=s.ends_at, method="teacher", credited_hours=s.hours,
        provenance=Provenance.CAPTURED if i < captured else Provenance.DECLARED,
    ) for i, s in enumerate(sessions[:captured + declared])])
    enrollment.attendance_rate = D(captured + declared) / 20
    enrollment.save(update_fields=["attendance_rate"])
    return enrollment, sessions


def test_a_line_above_the_declared_share_fails_until_a_spot_check_verifies(personas):
    w = f.funded_class(personas, trainees=1)
    enrollment, sessions = _declared_enrollment(w, captured=10, declared=8)  # 90 % attended, 40 % declared
    [draft] = queries.evaluate_enrollments(w.project, [enrollment], item="vocational_training", payee_kind="institution")
    attendance = next(c for c in draft.checks if c.code == "attendance")
    assert not attendance.ok
    assert "70.0%" in attendance.text and "系统采集 10 次" in attendance.text and "机构申报 8 次" in attendance.text
    assert "抽查" in attendance.text
    # a clean spot check of two declared sessions lets them count in full: 10 + 2 + 4 = 16 of 20 = 80 %
    for week, s in enumerate(sessions[10:12]):  # one spot check per draw (class × week)
        draw = SpotCheckDraw.objects.create(county_id=w.klass.county_id, week=dt.date(2026, 1, 5 + 7 * week),
                                            rate=D("0.1"), seed=f"s{week}", candidates=[w.klass.pk],
                                            selected=[w.klass.pk])
        SpotCheck.objects.create(draw=draw, training_class=w.klass, county_id=w.klass.county_id, session=s,
                                 visited_at=s.starts_at, present_count=1, recorded_count=1,
                                 result=SpotCheckResult.CLEAN)
    [draft] = queries.evaluate_enrollments(w.project, [enrollment], item="vocational_training", payee_kind="institution")
    attendance = next(c for c in draft.checks if c.code == "attendance")
    assert attendance.ok and "80.0%" in attendance.text and "抽查核实 2 次" in attendance.text


def test_the_share_comes_from_the_city_rule_table(personas):
    w = f.funded_class(personas, trainees=1)
    w.table.declared_attendance_share = D("0.400")
    w.table.save(update_fields=["declared_attendance_share"])
    enrollment, _sessions = _declared_enrollment(w, captured=10, declared=8)
    [draft] = queries.evaluate_enrollments(w.project, [enrollment], item="vocational_training", payee_kind="institution")
    assert next(c for c in draft.checks if c.code == "attendance").ok  # 10 + 8 (limit 8) = 90 %


def test_the_reviewer_sees_captured_declared_missing_per_line(client, personas):
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, "submitted")
    client.force_login(personas.dave)
    page = client.get(reverse("funds:claim_detail", args=[claim.pk])).content.decode()
    assert page.count('class="attendance-evidence"') == 2
    assert "系统采集 19" in page and "缺勤 1" in page
