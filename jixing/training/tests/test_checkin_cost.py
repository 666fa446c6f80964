"""The cost of one QR check-in (issue 13's throughput goal): its query count is pinned so it
cannot silently regress."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixing.training import qr
from jixing.training.models import Attendance

from .factories import at, make_class, make_enrollment, make_project, make_sessions, make_teacher

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


def test_one_check_in_costs_few_queries(client, personas):
    klass = make_class(make_project(personas), start=START, days=3)
    session = make_sessions(klass, make_teacher(personas.institution))[0]
    make_enrollment(klass, personas.lixia_person)
    client.force_login(personas.trent)
    with time_machine.travel(at(START, 7, 50), tick=False):
        path = reverse("training:check_in", args=[session.pk, qr.current_token(session.pk, at(START, 7, 50))])
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(path, {"lat": "36.651300", "lon": "117.120100"})
    assert answer.status_code == 302
    assert Attendance.objects.filter(session=session, latitude=Decimal("36.651300")).count() == 1
    if os.environ.get("JIXING_SHOW_QUERIES"):
        for q in queries.captured_queries:
            print(q["time"], q["sql"][:300])
    # session, user, session+class, enrollment+its attendance row, the class FOR SHARE, the
    # enrollment FOR NO KEY UPDATE with the duplicate check, the insert, the rate refresh, the
    # audit chain (lock, head, insert), the session touch; plus the test transaction's savepoints (4)
    assert len(queries) <= 16, [q["sql"][:80] for q in queries.captured_queries]


def test_a_same_person_check_in_that_raced_past_the_lock_is_refused_as_duplicate(personas, monkeypatch):
    """The duplicate check runs in the locking statement; a row committed while it waited is
    caught by the unique constraint and refused with the same message, nothing written."""
    from django.core.exceptions import ValidationError

    from jixing.training import actions
    from jixing.training.actions import attendance as attendance_writes
    from jixing.training.models import CheckInMethod, EnrollmentStatus, Provenance

    klass = make_class(make_project(personas), start=START, days=3)
    session = make_sessions(klass, make_teacher(personas.institution))[0]
    enrollment = make_enrollment(klass, personas.lixia_person)
    kwargs = {"by": personas.trent, "check_in_at": at(START, 7, 55), "check_out_at": None,
              "method": CheckInMethod.QR, "provenance": Provenance.CAPTURED}
    actions.write_attendance(enrollment, session, **kwargs)
    monkeypatch.setattr(attendance_writes, "_lock_enrollment", lambda *_a: (EnrollmentStatus.ENROLLED, False))
    with pytest.raises(ValidationError) as refused:
        actions.write_attendance(enrollment, session, **kwargs)
    assert refused.value.code == "duplicate"
    assert Attendance.objects.filter(session=session).count() == 1
