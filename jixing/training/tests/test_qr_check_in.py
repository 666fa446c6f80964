"""Rotating QR check-in (issue 13): the token's rotation and replay window, the geofence edge,
the roster, location required; refusals write nothing but a denied audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_user
from jixing.training import attendance_actions, qr, rules
from jixing.training.models import Attendance, Provenance

from .factories import at, make_class, make_enrollment, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)
SITE = (Decimal("36.651200"), Decimal("117.120000"))


@pytest.fixture
def scheduled_class(personas):
    klass = make_class(make_project(personas), start=START, days=3)
    sessions = make_sessions(klass, make_teacher(personas.institution))
    enrollment = make_enrollment(klass, personas.lixia_person)
    return {"klass": klass, "sessions": sessions, "enrollment": enrollment}


def url(session, token):
    return reverse("training:check_in", args=[session.pk, token])


def test_it_rotates_the_token_every_step_and_accepts_one_step_back(scheduled_class):
    session = scheduled_class["sessions"][0]
    t0 = at(START, 8, 0)  # 08:00:00 is a step boundary (30 s steps from the epoch)
    token = qr.current_token(session.pk, t0)
    assert qr.current_token(session.pk, t0 + dt.timedelta(seconds=29)) == token
    assert qr.current_token(session.pk, t0 + dt.timedelta(seconds=30)) != token
    assert qr.check_token(session.pk, token, t0).ok
    assert qr.check_token(session.pk, token, t0 + dt.timedelta(seconds=59)).ok  # one step back
    assert qr.check_token(session.pk, token, t0 + dt.timedelta(seconds=60)).code == "expired"  # replay too late
    assert qr.check_token(session.pk, token, t0 - dt.timedelta(seconds=1)).code == "expired"  # from the future
    other = scheduled_class["sessions"][1]
    assert qr.check_token(other.pk, token, t0).code == "forged"  # another session's code
    step, mac = token.split(".")
    assert qr.check_token(session.pk, f"{int(step) + 1}.{mac}", t0 + dt.timedelta(seconds=30)).code == "forged"
    assert qr.check_token(session.pk, "nonsense", t0).code == "malformed"


@pytest.mark.parametrize(("metres", "ok"), [(0, True), (299, True), (300, True), (302, False)])
def test_it_accepts_the_geofence_up_to_its_radius(metres, ok):
    lat, lon = SITE
    north = lat + Decimal(metres / 111_195).quantize(Decimal("0.000001"))  # ~111.195 km per degree of latitude
    distance = rules.distance_metres(north, lon, lat, lon)
    assert abs(distance - metres) < 1
    assert rules.within_geofence(distance, 300) is ok


def test_a_trainee_checks_in_and_out_captured(client, personas, scheduled_class):
    session = scheduled_class["sessions"][0]
    client.force_login(personas.trent)
    with time_machine.travel(at(START, 7, 50), tick=False):
        token = qr.current_token(session.pk, at(START, 7, 50))
        assert client.get(url(session, token)).status_code == 200
        answer = client.post(url(session, token), {"lat": "36.651300", "lon": "117.120100"})
        assert answer.status_code == 302 and answer["Location"] == reverse("training:my_session", args=[session.pk])
    with time_machine.travel(at(START, 12, 5), tick=False):
        client.logout()  # the phone was idle for hours: the 30-minute timeout signed it out
        client.force_login(personas.trent)
        token = qr.current_token(session.pk, at(START, 12, 5))
        assert client.post(url(session, token), {"lat": "36.651300", "lon": "117.120100"}).status_code == 302
        assert "12:05" in client.get(reverse("training:my_session", args=[session.pk])).content.decode()
    record = Attendance.objects.get()
    assert (record.method, record.provenance, record.latitude, record.credited_hours) == (
        "qr", Provenance.CAPTURED, Decimal("36.651300"), Decimal("4.0"))


@pytest.mark.parametrize(("data", "shift", "reason", "text"), [
    ({"lat": "36.651300", "lon": "117.120100"}, 61, "expired", "已过期"),
    ({}, 0, "no_location", "位置"),
    ({"lat": "36.696200", "lon": "117.120000"}, 0, "outside_geofence", "5.0 公里"),
])
def test_it_refuses_with_the_reason_and_records_nothing(client, personas, scheduled_class, data, shift, reason, text):
    session = scheduled_class["sessions"][0]
    client.force_login(personas.trent)
    token = qr.current_token(session.pk, at(START, 7, 50))
    with time_machine.travel(at(START, 7, 50) + dt.timedelta(seconds=shift), tick=False):
        answer = client.post(url(session, token), data)
    assert answer.status_code == 400
    assert text in answer.content.decode()
    assert not Attendance.objects.exists()
    event = AuditEvent.objects.filter(event="training.attendance.qr_refused").get()
    assert (event.outcome, event.detail["reason"]) == ("denied", reason)


def test_it_refuses_a_forged_code_and_a_person_off_the_roster(client, personas, scheduled_class):
    session = scheduled_class["sessions"][0]
    with time_machine.travel(at(START, 7, 50), tick=False):
        token = qr.current_token(session.pk, at(START, 7, 50))
        client.force_login(personas.trent)
        forged = token[:-2] + ("00" if not token.endswith("00") else "11")
        answer = client.post(url(session, forged), {"lat": "36.651300", "lon": "117.120100"})
        assert answer.status_code == 400 and "无效" in answer.content.decode()
        other = qr.current_token(scheduled_class["sessions"][1].pk, at(START, 7, 50))
        assert client.post(url(session, other), {"lat": "36.651300", "lon": "117.120100"}).status_code == 400
        client.force_login(make_user("tina", Role.TRAINEE, person=personas.shizhong_person))
        answer = client.post(url(session, token), {"lat": "36.651300", "lon": "117.120100"})
        assert answer.status_code == 400 and "花名册" in answer.content.decode()
        client.force_login(personas.ivan)
        assert client.get(url(session, token)).status_code == 403
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(event="training.attendance.qr_refused").count() == 3


@override_settings(JIXING_TRAINING_GEOFENCE_METRES=50)
def test_the_radius_is_a_parameter(personas, scheduled_class):
    session = scheduled_class["sessions"][0]
    with pytest.raises(ValidationError) as refused:
        attendance_actions.qr_check_in(session, by=personas.trent, token=qr.current_token(session.pk, at(START, 8)),
                                       latitude=Decimal("36.651900"), longitude=Decimal("117.120000"), at=at(START, 8))
    assert "50" in refused.value.messages[0]


def test_the_session_page_shows_a_rotating_svg_qr_to_the_organiser(client, personas, scheduled_class):
    session = scheduled_class["sessions"][0]
    with time_machine.travel(at(START, 7, 50), tick=False):
        client.force_login(personas.ivan)
        page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
        assert reverse("training:session_qr", args=[session.pk]) in page
        image = client.get(reverse("training:session_qr", args=[session.pk]))
        assert image["Content-Type"] == "image/svg+xml" and image.content.startswith(b"<svg")
        client.force_login(personas.dave)
        assert client.get(reverse("training:session_qr", args=[session.pk])).status_code == 403


def test_a_future_session_shows_not_started_not_absent(client, personas, scheduled_class):
    client.force_login(personas.ivan)
    with time_machine.travel(at(START, 7), tick=False):
        page = client.get(reverse("training:session_detail", args=[scheduled_class["sessions"][1].pk])).content.decode()
        assert "未开始" in page and "缺勤" not in page
    with time_machine.travel(at(START + dt.timedelta(days=2), 7), tick=False):
        client.logout()
        client.force_login(personas.ivan)
        page = client.get(reverse("training:session_detail", args=[scheduled_class["sessions"][0].pk])).content.decode()
        assert "缺勤" in page and "未开始" not in page
