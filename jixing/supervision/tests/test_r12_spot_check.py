"""R12 (issue 13): a spot check counting fewer trainees than recorded, beyond the threshold,
opens a finding at once (supervision listens to training's signal) with the visit as evidence;
a clean visit or one within the threshold does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from jixing.core.testing import make_user
from jixing.supervision.models import Finding, RuleSetting
from jixing.training import attendance_actions

from . import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)


@pytest.fixture
def visit(reference):
    org = f.organisation()
    klass = f.training_class(f.project(org))
    session = f.session(klass, f.at(DAY, 9))
    trainees = [f.person() for _ in range(10)]
    with time_machine.travel(f.at(DAY, 9, 30), tick=False):  # rows recorded before the visit at 10:00
        for p in trainees:
            f.attend(p, session, f.at(DAY, 8, 55))
    officer = make_user("dora", "hrss_officer", region_id=klass.county_id)
    draw = attendance_actions.draw_spot_checks(by=officer, county_id=klass.county_id, week=DAY, rate=Decimal("1"))
    return draw.checks.get(), session, officer, klass


def record(check, session, officer, present: int):
    return attendance_actions.record_spot_check(check, by=officer, session=session, present_count=present,
                                                note="现场清点", at=f.at(DAY, 10))


def test_it_opens_a_finding_with_the_visit_as_evidence(visit, django_capture_on_commit_callbacks):
    check, session, officer, klass = visit
    with django_capture_on_commit_callbacks(execute=True):
        record(check, session, officer, present=6)
    [finding] = Finding.objects.filter(code="R12")
    assert (finding.severity, finding.subject_id, finding.organisation_id) == (
        "high", str(klass.pk), klass.project.organiser_id)
    ev = finding.evidence
    assert (ev["present"], ev["recorded"], ev["discrepancy"], ev["spot_check"]) == (6, 10, "0.400", check.pk)
    assert len(ev["records"]) == 10 and ev["officer"] == "dora" and ev["note"] == "现场清点"
    assert "在场 6 人" in finding.explanation and "记录签到 10 人" in finding.explanation


def test_a_clean_visit_opens_nothing(visit, django_capture_on_commit_callbacks):
    check, session, officer, _klass = visit
    with django_capture_on_commit_callbacks(execute=True):
        record(check, session, officer, present=10)
    assert not Finding.objects.filter(code="R12").exists()


def test_a_discrepancy_within_the_threshold_opens_nothing(visit, django_capture_on_commit_callbacks):
    check, session, officer, _klass = visit
    RuleSetting.objects.create(code="R12", params={"threshold_percent": 10})
    with django_capture_on_commit_callbacks(execute=True):
        record(check, session, officer, present=9)  # 10 % missing: not above the threshold
    assert not Finding.objects.filter(code="R12").exists()
    check.refresh_from_db()
    assert check.result == "discrepancy"  # still not clean: the declared rows are not verified
