"""Attendance: check-in/out, credited hours, rate, completion at closing, locking, face check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jixing.core.models import StatusChange
from jixing.training import actions
from jixing.training.models import Attendance, CheckInMethod, EnrollmentStatus

from .factories import at, make_class, make_project, make_sessions, make_teacher, make_trainee

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)
AFTER = dt.datetime(2026, 3, 10, 9, 0, tzinfo=at(START, 0).tzinfo)


@pytest.fixture
def setup(personas):
    project = make_project(personas, hours=20)
    klass = make_class(project, start=START, days=5)  # five 4-hour sessions = 20 hours
    sessions = make_sessions(klass, make_teacher(personas.institution))
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    return klass, sessions, enrollment


def attend(personas, enrollment, session, *, late_minutes=0, leave_early_minutes=0, check_out=True):
    return actions.record_attendance(
        enrollment, session, by=personas.ivan,
        check_in_at=session.starts_at + dt.timedelta(minutes=late_minutes),
        check_out_at=session.ends_at - dt.timedelta(minutes=leave_early_minutes) if check_out else None,
        method=CheckInMethod.TEACHER, device_id="T-01",
    )


def test_it_records_attendance_and_updates_the_rate(personas, setup):
    _klass, sessions, enrollment = setup
    record = attend(personas, enrollment, sessions[0])
    assert record.credited_hours == Decimal("4.0") and record.person_id == personas.lixia_person.pk
    enrollment.refresh_from_db()
    assert enrollment.attendance_rate == Decimal("0.200")
    attend(personas, enrollment, sessions[1], late_minutes=60)
    enrollment.refresh_from_db()
    assert enrollment.attendance_rate == Decimal("0.350")  # 4 + 3 of 20 hours


def test_it_counts_a_check_in_without_check_out_as_not_attended(personas, setup):
    _klass, sessions, enrollment = setup
    record = attend(personas, enrollment, sessions[0], check_out=False)
    enrollment.refresh_from_db()
    assert record.credited_hours == 0 and enrollment.attendance_rate == 0
    actions.check_out(record, by=personas.ivan, at=sessions[0].ends_at)
    enrollment.refresh_from_db()
    assert enrollment.attendance_rate == Decimal("0.200")


@pytest.mark.parametrize(("offset_minutes", "ok"), [(-31, False), (-30, True), (239, True), (241, False)])
def test_it_accepts_a_check_in_only_within_the_session_window(personas, setup, offset_minutes, ok):
    _klass, sessions, enrollment = setup
    when = sessions[0].starts_at + dt.timedelta(minutes=offset_minutes)
    if ok:
        actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=when)
    else:
        with pytest.raises(ValidationError):
            actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=when)
    assert Attendance.objects.count() == (1 if ok else 0)


def test_it_refuses_a_duplicate_check_in(personas, setup):
    _klass, sessions, enrollment = setup
    attend(personas, enrollment, sessions[0])
    with pytest.raises(ValidationError) as err:
        attend(personas, enrollment, sessions[0])
    assert err.value.code == "duplicate"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"check_out_at": "before"}, "check_out_at"),
    ({"latitude": Decimal("91")}, "latitude"),
    ({"longitude": Decimal("-181")}, "longitude"),
    ({"method": "telepathy"}, "method"),
])
def test_it_validates_an_attendance_record(personas, setup, kwargs, field):
    _klass, sessions, enrollment = setup
    if kwargs.get("check_out_at") == "before":
        kwargs["check_out_at"] = sessions[0].starts_at - dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as err:
        actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=sessions[0].starts_at, **kwargs)
    assert field in err.value.message_dict


def test_it_refuses_attendance_for_a_session_of_another_class(personas, setup):
    _klass, _sessions, enrollment = setup
    other = make_class(make_project(personas), start=START)
    foreign = make_sessions(other, make_teacher(personas.institution, "钱老师", seq=502), first_hour=14)[0]
    with pytest.raises(ValidationError):
        actions.record_attendance(enrollment, foreign, by=personas.ivan, check_in_at=foreign.starts_at)


def test_it_lets_only_the_institution_or_the_trainee_record(personas, setup):
    _klass, sessions, enrollment = setup
    for outsider in (personas.dave, personas.alice, personas.judy):
        with pytest.raises(PermissionDenied):
            actions.record_attendance(enrollment, sessions[0], by=outsider, check_in_at=sessions[0].starts_at)
    actions.record_attendance(enrollment, sessions[0], by=personas.trent, check_in_at=sessions[0].starts_at,
                              method=CheckInMethod.QR)


def test_it_asks_the_face_provider_for_a_score(personas, setup):
    _klass, sessions, enrollment = setup
    with pytest.raises(ValidationError) as err:
        actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=sessions[0].starts_at,
                                  method=CheckInMethod.FACE, photo_ref="mismatch-001.jpg")
    assert err.value.message_dict["photo_ref"]
    record = actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=sessions[0].starts_at,
                                       method=CheckInMethod.FACE, photo_ref="photos/2026/03/02/a.jpg")
    assert record.face_score >= 85


def test_it_uses_the_provider_named_in_settings(personas, setup, settings):
    settings.JIXING_FACE_CHECK_PROVIDER = "jixing.training.tests.test_attendance.AlwaysLowProvider"
    _klass, sessions, enrollment = setup
    with pytest.raises(ValidationError):
        actions.record_attendance(enrollment, sessions[0], by=personas.ivan, check_in_at=sessions[0].starts_at,
                                  method=CheckInMethod.FACE, photo_ref="a.jpg")


class AlwaysLowProvider:
    def verify(self, *, person_id, photo_ref):
        from jixing.training.face import FaceCheckResult

        return FaceCheckResult(score=Decimal("40"), passed=False)


# ---------------------------------------------------------------- completion and locking


def test_it_decides_completion_when_the_class_closes(personas, setup):
    klass, sessions, enrollment = setup
    weak = actions.enroll(klass, personas.shizhong_person, by=personas.ivan)
    gone = actions.enroll(klass, make_trainee("退学者", seq=91), by=personas.ivan)
    actions.withdraw(gone, by=personas.ivan, reason="找到工作")
    for s in sessions[:4]:  # 16 of 20 hours = 80%
        attend(personas, enrollment, s)
    for s in sessions[:3]:
        attend(personas, weak, s)
    attend(personas, weak, sessions[3], leave_early_minutes=10)  # 15.8 hours < 80%
    with time_machine.travel(AFTER):
        summary = actions.close_class(klass, by=personas.ivan)
    assert summary == {"completed": 1, "not_completed": 1}
    enrollment.refresh_from_db()
    weak.refresh_from_db()
    gone.refresh_from_db()
    assert (enrollment.status, enrollment.completed_on, enrollment.attendance_rate) == (
        EnrollmentStatus.COMPLETED, klass.end_date, Decimal("0.800"))
    assert weak.status == EnrollmentStatus.NOT_COMPLETED and weak.completed_on is None
    assert gone.status == EnrollmentStatus.WITHDRAWN
    assert StatusChange.objects.filter(object_id=str(enrollment.pk), to_status=EnrollmentStatus.COMPLETED).exists()


def test_it_uses_the_projects_required_rate(personas):
    project = make_project(personas, required_attendance_rate=Decimal("0.600"))
    klass = make_class(project, start=START, days=5)
    sessions = make_sessions(klass, make_teacher(personas.institution))
    enrollment = actions.enroll(klass, personas.lixia_person, by=personas.ivan)
    for s in sessions[:3]:
        attend(personas, enrollment, s)
    with time_machine.travel(AFTER):
        actions.close_class(klass, by=personas.dave)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED


def test_it_refuses_to_close_before_the_class_ends(personas, setup):
    klass, _sessions, _enrollment = setup
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, 0, tzinfo=AFTER.tzinfo)), pytest.raises(ValidationError):
        actions.close_class(klass, by=personas.ivan)


def test_it_locks_attendance_once_the_class_is_closed(personas, setup):
    klass, sessions, enrollment = setup
    open_record = attend(personas, enrollment, sessions[0], check_out=False)
    with time_machine.travel(AFTER):
        actions.close_class(klass, by=personas.ivan)
    with pytest.raises(ValidationError) as err:
        attend(personas, enrollment, sessions[1])
    assert err.value.code == "locked"
    with pytest.raises(ValidationError) as err:
        actions.check_out(open_record, by=personas.ivan, at=sessions[0].ends_at)
    assert err.value.code == "locked"
    with pytest.raises(ValidationError):
        actions.add_session(klass, by=personas.ivan, starts_at=at(START, 14), ends_at=at(START, 15),
                            hours=Decimal(1), teacher=sessions[0].teacher, topic="补课")
    with pytest.raises(actions.EnrollmentRefused):
        actions.enroll(klass, make_trainee("迟到者", seq=92), by=personas.ivan)
    assert Attendance.objects.count() == 1
