"""Browser journey: an outside institution requests stations on a base's calendar, the base
accepts, and the calendar shows the stations held (screenshots to look at)."""

from __future__ import annotations

import pytest

from jixing.bases import actions
from jixing.bases.models import Booking, BookingStatus
from jixing.web.tests.browser import login, screenshot

from .conftest import at, book

pytestmark = pytest.mark.browser


def test_it_books_stations_on_the_calendar_and_the_base_accepts(page, live_server, scene) -> None:
    for start, days, stations in ((2, 1, 4), (6, 0, 10), (8, 2, 6)):
        actions.accept_booking(book(scene, scene.quinn, start=start, stations=stations, days=days), by=scene.bella)
    book(scene, scene.quinn, start=12, stations=3)  # a request waiting
    month = at(2).strftime("%Y-%m")
    login(page, live_server, scene.p.ivan)
    page.goto(f"{live_server.url}/bases/{scene.base.pk}/?month={month}")
    page.wait_for_selector("table.cal")
    page.click("text=申请工位")
    day = at(4).date().isoformat()
    page.fill("#id_first_day", day)
    page.fill("#id_last_day", at(5).date().isoformat())
    page.fill("#id_stations", "5")
    page.fill("#id_purpose", "电工技能提升培训班第3期")
    page.click("form button[type=submit]")
    page.wait_for_selector(".badge.warn")
    booking = Booking.objects.get(purpose="电工技能提升培训班第3期")
    screenshot(page, "bases-booking-requested")

    page.context.clear_cookies()
    login(page, live_server, scene.bella)
    page.goto(f"{live_server.url}/bases/bookings/{booking.pk}/")
    page.click("button:has-text('同意')")
    page.wait_for_selector(".badge.ok")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ACCEPTED
    page.goto(f"{live_server.url}/bases/{scene.base.pk}/?month={month}")
    page.wait_for_selector("table.cal td.l3")
    screenshot(page, "bases-calendar")
