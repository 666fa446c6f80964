"""Class filing (开班备案): the institution files a class before it starts, the county accepts or
returns it; enrollment and attendance open only on an accepted filing; a late filing is
refused, one at short notice is flagged (supervision R13) and counted in the dispatch report."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jixing.core.models import AuditEvent, StatusChange
from jixing.supervision.engine import run_rules
from jixing.supervision.models import Finding
from jixing.training import actions, rules
from jixing.training.models import FilingNotice, FilingStatus, TrainingClass

from .factories import TZ, make_class, make_enrollment, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


def on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=TZ), tick=False)


@pytest.fixture
def klass(personas):
    k = make_class(make_project(personas), start=START, days=3)
    TrainingClass.objects.filter(pk=k.pk).update(filing_status=FilingStatus.UNFILED)
    k.refresh_from_db()
    make_sessions(k, make_teacher(personas.institution))
    return k


def file(k, personas, day=START - dt.timedelta(days=10), plan="面向历下区失业人员招收30人"):
    with on(day):
        return actions.file_class(k, by=personas.ivan, roster_plan=plan)


@pytest.mark.parametrize(("filed_on", "late", "short"), [
    (dt.date(2026, 2, 20), False, False), (dt.date(2026, 2, 23), False, False), (dt.date(2026, 2, 24), False, True),
    (dt.date(2026, 3, 2), False, True), (dt.date(2026, 3, 3), True, False),
])
def test_filing_timing_rule(filed_on, late, short):
    timing = rules.filing_timing(start_date=START, filed_on=filed_on, notice_days=7)
    assert (timing.late, timing.short_notice) == (late, short)


def test_the_notice_period_in_force_is_the_latest_version():
    versions = [rules.NoticeVersion(dt.date(2025, 1, 1), 7), rules.NoticeVersion(dt.date(2026, 6, 1), 10)]
    assert rules.notice_in_force(versions, dt.date(2026, 5, 31)).notice_days == 7
    assert rules.notice_in_force(versions, dt.date(2026, 6, 1)).notice_days == 10
    assert rules.notice_in_force(versions, dt.date(2024, 1, 1)) is None


def test_it_files_and_the_county_accepts_then_enrollment_and_attendance_open(personas, klass, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="备案"):
        make_enrollment_via_action(klass, personas)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file(klass, personas)
    assert callbacks  # training.class.filed is published on commit
    assert (klass.filing_status, klass.filing_days_ahead, klass.filing_short_notice) == (FilingStatus.FILED, 10, False)
    with pytest.raises(ValidationError):  # still with the county
        make_enrollment_via_action(klass, personas)
    with pytest.raises(PermissionDenied):  # the institution cannot accept its own filing
        actions.accept_class_filing(klass, by=personas.ivan)
    with pytest.raises(PermissionDenied):  # another county's officer
        actions.accept_class_filing(klass, by=personas.erin)
    actions.accept_class_filing(klass, by=personas.dave)
    assert klass.filing_status == FilingStatus.ACCEPTED and klass.filing_decided_by == personas.dave
    enrollment = make_enrollment_via_action(klass, personas)
    assert enrollment.training_class_id == klass.pk
    moves = list(StatusChange.objects.filter(object_id=str(klass.pk)).values_list("from_status", "to_status"))
    assert moves == [("unfiled", "filed"), ("filed", "accepted")]
    assert set(AuditEvent.objects.filter(object_id=str(klass.pk)).values_list("event", flat=True)) >= {
        "training.class.file", "training.class.filing_accepted"}
    with pytest.raises(ValidationError):  # an accepted filing is not filed or decided again
        file(klass, personas)
    with pytest.raises(ValidationError):
        actions.return_class_filing(klass, by=personas.dave, reason="x")


def make_enrollment_via_action(klass, personas):
    return actions.enroll(klass, personas.lixia_person, by=personas.ivan)


def test_attendance_is_refused_without_an_accepted_filing(personas, klass):
    enrollment = make_enrollment(klass, personas.lixia_person)  # an enrollment written before filing existed
    session = klass.sessions.first()
    with pytest.raises(ValidationError, match="备案"):
        actions.record_attendance(enrollment, session, by=personas.ivan, check_in_at=session.starts_at)


def test_a_returned_filing_needs_a_reason_and_can_be_filed_again(personas, klass):
    file(klass, personas)
    with pytest.raises(ValidationError):
        actions.return_class_filing(klass, by=personas.dave, reason="  ")
    actions.return_class_filing(klass, by=personas.dave, reason="花名册计划不清")
    assert (klass.filing_status, klass.filing_reason) == (FilingStatus.RETURNED, "花名册计划不清")
    with pytest.raises(ValidationError):
        make_enrollment_via_action(klass, personas)
    file(klass, personas, day=START - dt.timedelta(days=8))
    assert klass.filing_status == FilingStatus.FILED and klass.filing_reason == ""
    actions.accept_class_filing(klass, by=personas.dave)
    assert klass.filing_accepted


def test_a_filing_after_the_start_date_is_refused_with_the_reason(personas, klass):
    with pytest.raises(ValidationError) as refused:
        file(klass, personas, day=START + dt.timedelta(days=1))
    assert "start_date" in refused.value.message_dict
    klass.refresh_from_db()
    assert klass.filing_status == FilingStatus.UNFILED and klass.filed_at is None  # nothing half-written


def test_an_incomplete_filing_is_refused_field_by_field(personas):
    k = make_class(make_project(personas), start=START, days=3)
    TrainingClass.objects.filter(pk=k.pk).update(filing_status=FilingStatus.UNFILED)
    k.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        file(k, personas, plan="")
    assert set(refused.value.message_dict) == {"roster_plan", "teachers", "sessions"}


def test_a_filing_inside_the_notice_period_is_flagged_in_supervision(personas, klass):
    FilingNotice.objects.create(valid_from=dt.date(2026, 1, 1), notice_days=5, basis="测试")
    file(klass, personas, day=START - dt.timedelta(days=3))
    assert klass.filing_short_notice and klass.filing_days_ahead == 3
    run_rules(codes=["R13"], full=True)
    [finding] = Finding.objects.filter(code="R13")
    assert finding.subject_id == str(klass.pk) and finding.evidence["days_ahead"] == 3
    assert finding.organisation_id == personas.institution.pk


def test_a_filing_in_time_is_not_flagged(personas, klass):
    file(klass, personas)
    run_rules(codes=["R13"], full=True)
    assert not Finding.objects.filter(code="R13").exists()


def test_the_dispatch_report_counts_filings_per_county(personas, klass):
    from jixing.stats.actions import dispatch_figures

    other = make_class(make_project(personas), start=START, days=3)
    TrainingClass.objects.filter(pk=other.pk).update(filing_status=FilingStatus.UNFILED)
    other.refresh_from_db()
    make_sessions(other, make_teacher(personas.institution, name="钱老师", seq=502))
    file(klass, personas)
    file(other, personas, day=START - dt.timedelta(days=2))
    actions.return_class_filing(other, by=personas.dave, reason="场地不符")
    data = dispatch_figures(period=dt.date(2026, 2, 1), today=dt.date(2026, 3, 10))
    assert data["class_filings"] == [{"code": "370102", "name": klass.county.name, "filed": 2, "accepted": 0,
                                      "returned": 1, "pending": 1, "short_notice": 1}]


def test_the_pages_file_and_decide(client, personas, klass):
    client.force_login(personas.ivan)
    with on(START - dt.timedelta(days=10)):
        answer = client.post(f"/training/classes/{klass.pk}/filing/", {"roster_plan": "历下区失业人员30人"})
    assert answer.status_code == 302
    client.force_login(personas.dave)
    queue = client.get("/training/filings/")
    assert klass.code in queue.content.decode()
    answer = client.post(f"/training/classes/{klass.pk}/filing/return/", {"reason": "", "next": "queue"})
    klass.refresh_from_db()
    assert answer.status_code == 302 and klass.filing_status == FilingStatus.FILED  # a return needs its reason
    client.post(f"/training/classes/{klass.pk}/filing/accept/", {"next": "queue"})
    klass.refresh_from_db()
    assert klass.filing_status == FilingStatus.ACCEPTED
    client.force_login(personas.erin)  # another county: the class is not theirs
    assert client.post(f"/training/classes/{klass.pk}/filing/accept/").status_code == 404
