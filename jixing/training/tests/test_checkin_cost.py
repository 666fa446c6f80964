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
    # enrollment FOR NO KEY UPDATE, the duplicate check, the insert, the rate refresh, the audit
    # chain (lock, head, insert), the session touch; plus the test transaction's savepoints (4)
    assert len(queries) <= 17, [q["sql"][:80] for q in queries.captured_queries]
