"""Browser journey (issue 12, Build 6): the Lixia officer registers a migrant worker whose 户籍
is in Henan; the province's dashboard counts trained persons by household region."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.testing import make_person
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person
from jixing.stats.tests.factories import known_dataset
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_registers_a_henan_migrant_and_shows_origins_on_the_dashboard(page, live_server, personas):
    login(page, live_server, personas.dave)
    page.goto(f"{live_server.url}/registry/persons/new/")
    number = make_id_number("410102", dt.date(1991, 4, 5), 211)
    page.fill("#id_id_number", number)
    page.fill("#id_name", "孙豫生")
    page.select_option("#id_household_region", "410102")
    page.select_option("#id_current_region", "370102")
    page.select_option("#id_employment_status", "unemployed")
    screenshot(page, "regions-1-person-form")
    page.click("form button[type=submit]")
    page.wait_for_url("**/registry/persons/*/")
    screenshot(page, "regions-2-person")
    assert "中原区" in page.content()
    assert Person.objects.with_id_number(number).get().household_region_id == "410102"

    known_dataset(personas.alice)
    migrant = make_person("钱周口", "411602", seq=77)
    from jixing.registry.models import Organisation
    from jixing.stats.tests.factories import enroll, project, training_class

    org = Organisation.objects.get(name="济南家政培训学校")
    klass = training_class(project(organiser=org, county="370102", action=4, target="domestic_service", by=personas.alice),
                           start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 10))
    enrollment = enroll(klass, completed_on=dt.date(2026, 3, 10))
    enrollment.person = migrant
    enrollment.save()
    page.context.clear_cookies()
    login(page, live_server, personas.alice)
    page.goto(f"{live_server.url}/stats/?year=2026")
    page.wait_for_selector("text=按户籍地")
    screenshot(page, "regions-3-dashboard-origins")
    assert "河南省" in page.locator("text=按户籍地 >> xpath=..").inner_text()
