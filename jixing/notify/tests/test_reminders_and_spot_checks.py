"""Spot checks assigned and classes starting tomorrow reach the people who must act (issue 18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from jixing.accounts.models import Role
from jixing.core.testing import make_user
from jixing.funds.tests import factories as f
from jixing.notify.catalogue import BY_NAME
from jixing.notify.models import Delivery, Notification
from jixing.notify.queries import text_of
from jixing.training.attendance_actions import draw_spot_checks
from jixing.training.models import ClassStartReminder, EnrollmentStatus, ProjectStatus, SpotCheck
from jixing.training.reminders import remind_class_starts

pytestmark = pytest.mark.django_db


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def test_it_tells_the_officer_a_spot_check_is_assigned_to(personas, committed) -> None:
    w = f.funded_class(personas, trainees=1)
    w.project.status = ProjectStatus.RUNNING
    w.project.save(update_fields=["status"])
    make_user("qiu", Role.HRSS_OFFICER, region_id="370202")  # Qingdao's officer hears nothing
    draw = committed(draw_spot_checks, by=personas.dave, county_id="370102", week=w.klass.start_date,
                     rate=Decimal("1"), seed="fixed")
    check = SpotCheck.objects.get(draw=draw)
    assert check.assigned_to == personas.dave
    # dave drew it and is still told: the assignment is the system's round robin
    assert told("training.spot_check.assigned") == {"dave"}
    n = Notification.objects.get(event="training.spot_check.assigned")
    assert n.url == f"/training/spot-checks/{check.pk}/"
    assert n.params["class"] == w.klass.code and n.params["week"] == draw.week.isoformat()
    assert w.klass.code in text_of(n)
    assert BY_NAME["training.spot_check.assigned"].published


@pytest.fixture
def starting(personas):
    """A running class starting tomorrow with two enrolled trainees (with accounts) and one
    who withdrew; another class starting the day after."""
    today = dt.date(2026, 12, 2)
    proj = f.project(personas)
    proj.status = ProjectStatus.RUNNING
    proj.save(update_fields=["status"])
    tomorrow = f.klass(proj, end=today + dt.timedelta(days=20))
    tomorrow.start_date = today + dt.timedelta(days=1)
    tomorrow.save(update_fields=["start_date"])
    later = f.klass(proj, end=today + dt.timedelta(days=21))
    later.start_date = today + dt.timedelta(days=2)
    later.save(update_fields=["start_date"])
    a, b, gone, other = f.trainee("甲学员"), f.trainee("乙学员"), f.trainee("丙退出"), f.trainee("丁后天")
    for person, klass, status in [(a, tomorrow, EnrollmentStatus.ENROLLED), (b, tomorrow, EnrollmentStatus.ENROLLED),
                                  (gone, tomorrow, EnrollmentStatus.WITHDRAWN), (other, later, EnrollmentStatus.ENROLLED)]:
        f.enroll(klass, person, status=status, rate="0")
    for person, name in [(a, "ta"), (b, "tb"), (gone, "tg"), (other, "to")]:
        f.person_user(person, name)
    return today, tomorrow, later


def test_it_tells_trainees_and_the_institution_the_day_before_a_class_starts(personas, starting, committed) -> None:
    today, tomorrow, _later = starting
    run = committed(remind_class_starts, today=today)
    assert run.classes == [tomorrow.code] and run.trainees == 2
    assert told("training.class.starts_tomorrow") == {"ivan"}
    assert told("training.enrollment.class_starts_tomorrow") == {"ta", "tb"}  # not the one who withdrew
    trainee_note = Notification.objects.get(event="training.enrollment.class_starts_tomorrow", user__username="ta")
    assert trainee_note.url.startswith("/training/enrollments/")
    assert trainee_note.params["start"] == "2026-12-03" and trainee_note.params["number"] == tomorrow.code
    assert tomorrow.code in text_of(trainee_note)
    # SMS is queued for the trainee (consent is checked when sending), never for the institution's staff
    assert Delivery.objects.filter(notification=trainee_note, channel="sms").exists()
    assert not Delivery.objects.filter(notification__user=personas.ivan, channel="sms").exists()


def test_it_never_reminds_twice_for_the_same_class_and_day(personas, starting, committed) -> None:
    today, tomorrow, _later = starting
    committed(remind_class_starts, today=today)
    before = Notification.objects.count()
    again = committed(remind_class_starts, today=today)
    assert again.classes == [] and again.already == 1
    assert Notification.objects.count() == before
    assert ClassStartReminder.objects.filter(training_class=tomorrow).count() == 1
    # moved to another date: reminded again for the new date
    tomorrow.start_date = today + dt.timedelta(days=3)
    tomorrow.save(update_fields=["start_date"])
    moved = committed(remind_class_starts, today=today + dt.timedelta(days=2))
    assert moved.classes == [tomorrow.code]
    assert ClassStartReminder.objects.filter(training_class=tomorrow).count() == 2


def test_the_command_reminds_and_reports_json(personas, starting, committed, capsys) -> None:
    today, tomorrow, later = starting
    committed(call_command, "remind_class_starts", "--today", (today + dt.timedelta(days=1)).isoformat(), "--json")
    out = capsys.readouterr().out
    assert f'"classes": ["{later.code}"]' in out and '"trainees": 1' in out
    assert told("training.enrollment.class_starts_tomorrow") == {"to"}


def test_the_scheduler_runs_the_reminder_daily(settings) -> None:
    from jixing.ops.schedule import parse_schedule

    jobs = {job.name: job for job in parse_schedule(settings.JIXING_SCHEDULE)}
    assert jobs["remind_class_starts"].kind == "daily"
    assert jobs["remind_class_starts"].command[0] == "remind_class_starts"
