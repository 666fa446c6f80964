"""The bases API: facilities, booking request and decision, calendar, utilisation, programmes;
404 for a booking outside the caller's reach, 422 for bad input, 409 for an illegal move."""

from __future__ import annotations

import pytest
from django.test import Client

from jixing.bases.models import Booking, BookingStatus

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/bases"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_runs_a_booking_through_the_api(scene) -> None:
    ivan, staff = client_for(scene.p.ivan), client_for(scene.bella)
    bases = ivan.get(f"{API}/").json()
    assert [b["name"] for b in bases] == ["济南市公共实训基地"] and bases[0]["facilities"][0]["stations"] == 10
    body = {"facility_id": scene.workshop.pk, "starts_at": at(10).isoformat(), "ends_at": at(10, 17).isoformat(),
            "stations": 6, "purpose": "电工培训班"}
    created = ivan.post(f"{API}/bookings", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert ivan.post(f"{API}/bookings", {**body, "stations": 99}, content_type="application/json").status_code == 422
    assert client_for(scene.quinn).get(f"{API}/bookings/{pk}").status_code == 404
    assert client_for(scene.quinn).post(f"{API}/bookings/{pk}/accept", {}, content_type="application/json").status_code == 404
    assert ivan.post(f"{API}/bookings/{pk}/accept", {}, content_type="application/json").status_code == 404
    accepted = staff.post(f"{API}/bookings/{pk}/accept", {"note": "ok"}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert staff.post(f"{API}/bookings/{pk}/decline", {"note": "x"}, content_type="application/json").status_code == 422
    calendar = ivan.get(f"{API}/{scene.base.pk}/calendar?month={at(10):%Y-%m}").json()
    assert max(day["held"] for day in calendar[0]["days"]) == 6
    util = client_for(scene.p.bob).get(f"{API}/utilisation?year={at(10).year}").json()
    assert util[0]["bookings"] == 1 and util[0]["outside_institutions"] == 1
    assert ivan.post(f"{API}/bookings/{pk}/withdraw", {}, content_type="application/json").status_code == 200
    assert ivan.post(f"{API}/bookings/{pk}/withdraw", {}, content_type="application/json").status_code == 409
    assert Booking.objects.get().status == BookingStatus.WITHDRAWN


def test_base_staff_keep_facilities_through_the_api(scene) -> None:
    staff = client_for(scene.bella)
    body = {"name": "家政实训室", "kind": "simulation", "stations": 20, "is_free": False, "price_per_station_day": "15.00"}
    created = staff.post(f"{API}/facilities", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert staff.put(f"{API}/facilities/{pk}", {**body, "stations": 25}, content_type="application/json").json()["stations"] == 25
    other = client_for(scene.p.ivan)
    assert other.put(f"{API}/facilities/{pk}", body, content_type="application/json").status_code == 404
    assert other.post(f"{API}/facilities", body, content_type="application/json").status_code == 403
