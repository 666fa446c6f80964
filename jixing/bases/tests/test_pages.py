"""The bases pages through HTTP: list, calendar, facility editing by the base's staff, booking
request and decision, the utilisation panel, and 404 for everyone outside a booking."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixing.bases import actions
from jixing.bases.models import Booking, BookingStatus, Facility

from .conftest import at, book

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_bases_and_shows_the_calendar_with_held_stations(scene) -> None:
    booking = book(scene, scene.p.ivan, stations=7)
    actions.accept_booking(booking, by=scene.bella)
    client = client_for(scene.quinn)
    page = client.get(reverse("bases:base_list"))
    assert page.status_code == 200 and "济南市公共实训基地" in page.content.decode()
    month = at(10).strftime("%Y-%m")
    page = client.get(reverse("bases:base_detail", args=[scene.base.pk]) + f"?month={month}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="l2' in html  # 7 of 10 stations held that day
    assert booking.code in html and scene.p.institution.name not in html  # quinn sees the slot, not who holds it
    assert reverse("bases:booking_request", args=[scene.workshop.pk]) in html
    assert client.get(reverse("bases:base_detail", args=[scene.base.pk]) + "?month=bad").status_code == 404


def test_base_staff_add_and_edit_facilities_others_get_404(scene) -> None:
    client = client_for(scene.bella)
    response = client.post(reverse("bases:facility_create"), {"name": "焊接车间", "kind": "workshop", "stations": "12",
                                                             "daily_hours": "8", "price_per_station_day": "25"})
    assert response.status_code == 302
    facility = Facility.objects.get(name="焊接车间")
    assert facility.is_free is False and str(facility.price_per_station_day) == "25.00"
    response = client.post(reverse("bases:facility_edit", args=[facility.pk]),
                           {"name": "焊接车间", "kind": "workshop", "stations": "0", "daily_hours": "8"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert client_for(scene.p.ivan).get(reverse("bases:facility_edit", args=[facility.pk])).status_code == 404
    assert client_for(scene.p.ivan).get(reverse("bases:facility_create")).status_code == 404


def test_an_institution_requests_stations_and_the_base_decides(scene) -> None:
    day = at(12).date().isoformat()
    response = client_for(scene.p.ivan).post(reverse("bases:booking_request", args=[scene.workshop.pk]), {
        "first_day": day, "starts": "08:30", "last_day": day, "ends": "17:30", "stations": "4", "purpose": "电工培训班",
        "status": "accepted"})  # an extra field changes nothing (B5)
    booking = Booking.objects.get()
    assert response.status_code == 302 and booking.status == BookingStatus.REQUESTED
    # another institution and another region: 404 on the booking and on its decision
    for user in (scene.quinn, scene.p.carol):
        assert client_for(user).get(reverse("bases:booking_detail", args=[booking.pk])).status_code == 404
    assert client_for(scene.quinn).post(reverse("bases:booking_move", args=[booking.pk, "accept"])).status_code == 404
    # the requester sees its booking but may not decide it
    assert client_for(scene.p.ivan).post(reverse("bases:booking_move", args=[booking.pk, "accept"])).status_code == 404
    assert Booking.objects.get().status == BookingStatus.REQUESTED
    # the Jinan officer reads it; the base declines without a reason (refused), then accepts
    assert client_for(scene.p.bob).get(reverse("bases:booking_detail", args=[booking.pk])).status_code == 200
    staff = client_for(scene.bella)
    page = staff.post(reverse("bases:booking_move", args=[booking.pk, "decline"]), {"note": ""})
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert staff.post(reverse("bases:booking_move", args=[booking.pk, "accept"]), {"note": "欢迎"}).status_code == 302
    assert Booking.objects.get().status == BookingStatus.ACCEPTED


def test_a_request_beyond_the_facility_is_refused_naming_the_field(scene) -> None:
    day = at(12).date().isoformat()
    page = client_for(scene.p.ivan).post(reverse("bases:booking_request", args=[scene.workshop.pk]), {
        "first_day": day, "starts": "08:30", "last_day": day, "ends": "17:30", "stations": "40", "purpose": "x"})
    assert page.status_code == 200 and "10" in page.content.decode()
    assert not Booking.objects.exists()


def test_the_base_cannot_request_its_own_stations(scene) -> None:
    day = at(12).date().isoformat()
    response = client_for(scene.bella).post(reverse("bases:booking_request", args=[scene.workshop.pk]), {
        "first_day": day, "starts": "08:30", "last_day": day, "ends": "17:30", "stations": "2", "purpose": "x"})
    assert response.status_code == 404 and not Booking.objects.exists()


def test_the_utilisation_panel_covers_the_officers_region(scene) -> None:
    booking = book(scene, scene.p.ivan, stations=10, hours=8)
    actions.accept_booking(booking, by=scene.bella)
    year = booking.starts_at.year
    jinan = client_for(scene.p.bob).get(reverse("bases:utilisation_panel") + f"?year={year}").content.decode()
    assert "济南市公共实训基地" in jinan
    qingdao = client_for(scene.p.carol).get(reverse("bases:utilisation_panel") + f"?year={year}").content.decode()
    assert "济南市公共实训基地" not in qingdao
    assert client_for(scene.p.ivan).get(reverse("bases:utilisation_panel")).status_code in (302, 403)


def test_the_dashboard_and_the_organisation_page_load_the_bases_panels(scene) -> None:
    officer = client_for(scene.p.bob)
    assert reverse("bases:utilisation_panel") in officer.get(reverse("stats:dashboard")).content.decode()
    page = officer.get(reverse("registry:organisation_detail", args=[scene.base.pk])).content.decode()
    assert reverse("bases:organisation_panel", args=[scene.base.pk]) in page
    panel = officer.get(reverse("bases:organisation_panel", args=[scene.base.pk])).content.decode()
    assert "智能制造实训车间" in panel
    assert client_for(scene.p.carol).get(reverse("bases:organisation_panel", args=[scene.base.pk])).status_code == 404


def test_the_class_page_panel_links_a_booking(scene) -> None:
    import datetime as dt

    from django.utils import timezone

    from jixing.training.tests.factories import make_class, make_project

    klass = make_class(make_project(scene.p), start=timezone.localdate() + dt.timedelta(days=10), days=2)
    booking = actions.request_booking(by=scene.p.ivan, facility=scene.workshop, starts_at=at(9), ends_at=at(12, 17),
                                      stations=5, purpose=klass.name)
    actions.accept_booking(booking, by=scene.bella)
    client = client_for(scene.p.ivan)
    url = reverse("training:class_base_booking", args=[klass.pk])
    assert booking.code in client.get(url).content.decode()
    assert client.post(url, {"booking": booking.pk}).status_code == 302
    klass.refresh_from_db()
    assert klass.base_booking_id == booking.pk
    assert client_for(scene.quinn).get(url).status_code == 404
