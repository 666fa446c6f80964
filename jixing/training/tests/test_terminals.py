"""Attendance terminals (issue 13): a row signed by a registered terminal is captured; an
unsigned row (even "人脸") is declared; forged, foreign and revoked signatures are refused
with the reason, nothing written, and a denied audit event kept."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jixing.accounts.models import ApiToken, Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.training import attendance_actions, terminals
from jixing.training.models import Attendance, Provenance, Terminal

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


@pytest.fixture
def course(personas):
    k = make_class(make_project(personas), start=START, days=3)
    make_sessions(k, make_teacher(personas.institution))
    make_enrollment(k, personas.lixia_person)
    make_enrollment(k, personas.shizhong_person)
    return k


def post_rows(client, personas, rows):
    _token, raw = ApiToken.issue(user=personas.ivan, name="考勤机")
    return client.post("/api/v1/training/attendance/bulk", json.dumps({"rows": rows}), content_type="application/json",
                       HTTP_X_API_TOKEN=raw)


def row(k, person, device="", day="2026-03-02", key: str | None = None, **changes):
    r = {"class_code": k.code, "id_number": person.id_number, "check_in": f"{day} 07:55", "check_out": f"{day} 12:00",
         "method": "人脸", "device_id": device}
    if key is not None:
        r["signature"] = terminals.sign(bytes.fromhex(key), [r[f] for f in terminals.SIGNED_FIELDS])
    r.update(changes)
    return r


def test_the_key_is_issued_once_and_kept_encrypted(client, personas):
    client.force_login(personas.ivan)
    page = client.post(reverse("training:terminal_list"), {"device_id": "FACE-0001", "name": "前台人脸机"})
    assert page.status_code == 200
    terminal = Terminal.objects.get()
    shown = page.context["issued"]["key"]
    assert len(shown) == 64 and shown in page.content.decode() and shown not in terminal.key_encrypted
    assert terminals.unseal(terminal.key_encrypted) == bytes.fromhex(shown)
    again = client.get(reverse("training:terminal_list")).content.decode()
    assert shown not in again and terminal.key_fingerprint in again
    event = AuditEvent.objects.get(event="training.terminal.register")
    assert shown not in json.dumps(event.after)


def test_signed_rows_are_captured_unsigned_face_rows_declared(client, personas, course):
    terminal, key = attendance_actions.register_terminal(by=personas.ivan, device_id="FACE-0001")
    answer = post_rows(client, personas, [
        row(course, personas.lixia_person, "FACE-0001", key=key),
        row(course, personas.shizhong_person, "FACE-0002"),  # unsigned 人脸 row: declared, method as stated
    ])
    assert answer.status_code == 200 and answer.json()["created"] == 2, answer.content
    signed = Attendance.objects.get(person_id=personas.lixia_person.pk)
    unsigned = Attendance.objects.get(person_id=personas.shizhong_person.pk)
    assert (signed.provenance, signed.terminal_id) == (Provenance.CAPTURED, terminal.pk)
    assert (unsigned.provenance, unsigned.method, unsigned.terminal_id) == (Provenance.DECLARED, "face", None)


def test_forged_foreign_and_revoked_signatures_are_refused(client, personas, course):
    _terminal, key = attendance_actions.register_terminal(by=personas.ivan, device_id="FACE-0001")
    revoked, old_key = attendance_actions.register_terminal(by=personas.ivan, device_id="FACE-0009")
    attendance_actions.revoke_terminal(revoked, by=personas.ivan, reason="设备丢失")
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    _foreign, foreign_key = attendance_actions.register_terminal(by=other, device_id="FACE-7777")
    good = row(course, personas.lixia_person, "FACE-0001", key=key)
    tampered = dict(good, check_out="2026-03-02 12:30")  # a cell changed after signing
    answer = post_rows(client, personas, [
        tampered,
        row(course, personas.shizhong_person, "FACE-0001", key="00" * 32),  # signed with a made-up key
        row(course, personas.lixia_person, "FACE-0009", day="2026-03-03", key=old_key),
        row(course, personas.lixia_person, "FACE-7777", day="2026-03-04", key=foreign_key),
    ])
    assert answer.status_code == 200
    rejected = {r["row"]: r["reason"] for r in answer.json()["rejected"]}
    assert answer.json()["created"] == 0 and not Attendance.objects.exists()
    assert "不符" in rejected[1] and "不符" in rejected[2]
    assert "吊销" in rejected[3] and "FACE-0009" in rejected[3]
    assert "不是本机构登记的考勤终端" in rejected[4]
    event = AuditEvent.objects.get(event="training.terminal.signature_refused")
    assert (event.outcome, event.detail["rows"]) == ("denied", 4)


def test_only_the_institution_revokes_its_terminal_with_a_reason(personas):
    terminal, _key = attendance_actions.register_terminal(by=personas.ivan, device_id="FACE-0001")
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        attendance_actions.revoke_terminal(terminal, by=personas.ivan, reason=" ")
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("另一学校", "370102", seed=9))
    with pytest.raises(PermissionDenied):
        attendance_actions.revoke_terminal(terminal, by=other, reason="不是我的")
    attendance_actions.revoke_terminal(terminal, by=personas.ivan, reason="设备报废")
    assert Terminal.objects.get().is_revoked
