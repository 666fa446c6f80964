"""An institution registers a trainer in the browser and sees its teacher-to-class limit; the
马兰花 page lists an accredited trainer's activity."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.registry.models import Region
from jixing.trainers import actions
from jixing.trainers.models import TrainerProfile
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def test_it_registers_a_trainer_and_shows_malanhua(page, live_server, personas) -> None:
    p = personas
    login(page, live_server, p.ivan)
    page.goto(f"{live_server.url}/trainers/")
    page.fill("#id_id_number", p.lixia_person.id_number)
    page.select_option("#id_category", "entrepreneurship")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/trainers/*/")
    profile = TrainerProfile.objects.get(person=p.lixia_person)
    assert "创业指导师" in page.content()
    screenshot(page, "trainers_detail")
    # the province accredits (here through the action: provincial officers sign in with a second factor)
    from jixing.evaluation import engineer_actions
    from jixing.evaluation.engineer_models import DigitalField

    s = engineer_actions.create_engineer_session(by=p.judy, organisation=p.evaluation_body,
                                                 field=DigitalField.objects.get(key="big-data"), level="junior",
                                                 date=dt.date(2026, 10, 1), site="济南")
    c = engineer_actions.add_engineer_candidate(s, by=p.judy, person=p.lixia_person)
    engineer_actions.record_engineer_score(c, by=p.judy, score="88")
    cert = engineer_actions.lock_engineer_session(s, by=p.bob)[0]
    actions.add_qualification(profile, by=p.ivan, number=cert.number)
    actions.accredit_malanhua(profile, by=p.alice, accredited_on=dt.date(2026, 1, 5))
    actions.record_activity(by=p.ivan, kind="volunteer", title="创培在身边·走进历下", county=Region.objects.get(pk="370102"),
                            held_on=dt.date.today(), person_times=42, trainers=[profile])
    page.goto(f"{live_server.url}/trainers/malanhua/")
    assert "创培在身边·走进历下" in page.content() and "42" in page.content()
    screenshot(page, "trainers_malanhua")
