"""``base_utilisation --json``: one summary object with each base's months."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from jixing.bases import actions

from .conftest import book

pytestmark = pytest.mark.django_db


def test_it_prints_utilisation_by_base_and_month_as_json(scene) -> None:
    booking = book(scene, scene.p.ivan, stations=10, hours=8)
    actions.accept_booking(booking, by=scene.bella)
    out = StringIO()
    call_command("base_utilisation", "--year", str(booking.starts_at.year), "--region", "370100", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    [row] = payload["bases"]
    month = next(m for m in row["months"] if m["month"] == booking.starts_at.month)
    assert row["bookings"] == 1 and row["outside_institutions"] == 1
    assert month["booked_hours"] == "80"  # 10 stations × 8 hours
    out = StringIO()
    call_command("base_utilisation", "--year", str(booking.starts_at.year), "--region", "370200", "--json", stdout=out)
    assert json.loads(out.getvalue())["bases"] == []
