"""Spot checks (抽查, issue 13): a reproducible weekly draw per county, assigned to county
officers; the visit record with photos (type and size limits); a clean visit verifies the
session's declared attendance."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from jixing.core.models import AuditEvent
from jixing.training import attendance_actions, queries, rules
from jixing.training.models import Attendance, ProjectStatus, SpotCheck, SpotCheckDraw, SpotCheckPhoto

from .factories import at, make_class, make_enrollment, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)  # a Monday


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def classes(personas):
    project = make_project(personas)
    project.status = ProjectStatus.RUNNING
    project.save(update_fields=["status"])
    made = [make_class(project, start=START, days=5) for _ in range(10)]
    make_sessions(made[0], make_teacher(personas.institution))
    return made


def test_the_draw_is_reproducible_from_its_seed_and_audited(personas, classes):
    draw = attendance_actions.draw_spot_checks(by=personas.dave, county_id="370102", week=START + dt.timedelta(days=2),
                                               rate=Decimal("0.3"))
    assert draw.week == START and len(draw.selected) == 3 and draw.candidates == sorted(c.pk for c in classes)
    assert rules.draw_sample(draw.candidates, draw.rate, draw.seed) == draw.selected
    assert {c.assigned_to_id for c in draw.checks.all()} == {personas.dave.pk}  # the county's only officer
    event = AuditEvent.objects.get(event="training.spot_check.draw")
    assert (event.detail["seed"], event.detail["selected"]) == (draw.seed, draw.selected)
    with pytest.raises(ValidationError):
        attendance_actions.draw_spot_checks(by=personas.dave, county_id="370102", week=START)
    with pytest.raises(PermissionDenied):
        attendance_actions.draw_spot_checks(by=personas.erin, county_id="370102", week=START + dt.timedelta(days=7))
    assert rules.draw_sample([5, 3, 9, 1], Decimal("0.5"), "abc") == rules.draw_sample([1, 3, 5, 9], Decimal("0.5"), "abc")


def test_the_weekly_command_draws_each_county_once(personas, classes):
    out = io.StringIO()
    call_command("draw_spot_checks", "--week", "2026-03-04", "--rate", "0.2", "--json", stdout=out)
    assert '"370102"' in out.getvalue() and SpotCheckDraw.objects.get().selected
    call_command("draw_spot_checks", "--week", "2026-03-04", stdout=io.StringIO())
    assert SpotCheckDraw.objects.count() == 1


@pytest.fixture
def visit(personas, classes):
    klass = classes[0]
    draw = attendance_actions.draw_spot_checks(by=personas.dave, county_id="370102", week=START, rate=Decimal("1"))
    check = draw.checks.get(training_class=klass)
    session = klass.sessions.order_by("starts_at").first()
    enrollment = make_enrollment(klass, personas.lixia_person)
    return check, session, enrollment


def test_a_visit_records_present_against_recorded_with_photos(client, personas, visit):
    check, session, enrollment = visit
    Attendance.objects.create(enrollment=enrollment, session=session, person=personas.lixia_person,
                              training_class=session.training_class, check_in_at=session.starts_at, method="teacher")
    client.force_login(personas.dave)
    with time_machine.travel(at(START, 9), tick=False):
        page = client.post(reverse("training:spot_check_detail", args=[check.pk]), {
            "session": session.pk, "present_count": "1", "note": "全员在场",
            "photos": [SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg"), SimpleUploadedFile("b.jpg", jpeg(), "image/jpeg")],
        })
    assert page.status_code == 302, page.content.decode()[:2000]
    check.refresh_from_db()
    assert (check.present_count, check.recorded_count, check.result) == (1, 1, "clean")
    assert SpotCheckPhoto.objects.filter(spot_check=check, content_type="image/jpeg").count() == 2
    assert queries.verified_sessions([session.pk]) == {session.pk}
    [evidence] = queries.attendance_evidence([enrollment])[enrollment.pk][:1]
    assert evidence.verified and evidence.provenance == "declared"


@override_settings(JIXING_TRAINING_SPOT_CHECK_PHOTO_MAX_BYTES=2000)
@pytest.mark.parametrize(("upload", "text"), [
    (lambda: SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg"), "不是照片"),
    (lambda: SimpleUploadedFile("big.jpg", jpeg((900, 900)), "image/jpeg"), "过大"),
])
def test_a_photo_that_is_not_an_image_or_too_large_is_refused(client, personas, visit, upload, text):
    check, session, _enrollment = visit
    client.force_login(personas.dave)
    with time_machine.travel(at(START, 9), tick=False):
        page = client.post(reverse("training:spot_check_detail", args=[check.pk]), {
            "session": session.pk, "present_count": "0", "photos": [upload()]})
    assert page.status_code == 400 and text in page.content.decode()
    check.refresh_from_db()
    assert not check.is_visited and not SpotCheckPhoto.objects.exists()


def test_only_the_assigned_officer_records_and_only_while_the_session_runs(personas, visit):
    check, session, _enrollment = visit
    with pytest.raises(PermissionDenied):
        attendance_actions.record_spot_check(check, by=personas.bob, session=session, present_count=1,
                                             at=at(START, 9))
    with pytest.raises(ValidationError):
        attendance_actions.record_spot_check(check, by=personas.dave, session=session, present_count=1,
                                             at=at(START, 20))
    assert not SpotCheck.objects.filter(visited_at__isnull=False).exists()
