"""The bases' scene: a Jinan public training base (staff: bella) with a 10-station workshop;
ivan's Lixia institution and a Qingdao institution (quinn) as outside institutions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from jixing.accounts.models import Role, User
from jixing.bases import actions
from jixing.bases.models import Booking, Facility
from jixing.core.testing import Personas, make_organisation, make_user
from jixing.registry.models import Organisation, OrganisationKind


@pytest.fixture(autouse=True)
def english_reasons():
    """Assertions on refusal reasons read the English msgids (pages are checked in Chinese)."""
    with translation.override("en"):
        yield


@dataclass
class Scene:
    p: Personas
    base: Organisation
    bella: User  # staff of the base
    quinn: User  # staff of a Qingdao institution
    workshop: Facility


@pytest.fixture
def scene(personas) -> Scene:
    base = make_organisation("济南市公共实训基地", "370112", OrganisationKind.PUBLIC_TRAINING_BASE)
    qingdao = make_organisation("青岛技能培训学校", "370202")
    bella = make_user("bella", Role.INSTITUTION, organisation=base)
    workshop = actions.create_facility(by=bella, base=base, data={"name": "智能制造实训车间", "kind": "workshop",
                                                                  "stations": 10, "is_free": True})
    return Scene(personas, base, bella, make_user("quinn", Role.INSTITUTION, organisation=qingdao), workshop)


def at(days: int, hour: int = 8) -> dt.datetime:
    """A moment ``days`` from today at ``hour`` o'clock, Shanghai time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def book(scene: Scene, user: User, *, start: int = 10, hours: int = 8, stations: int = 6, days: int = 0) -> Booking:
    return actions.request_booking(by=user, facility=scene.workshop, starts_at=at(start),
                                   ends_at=at(start + days, 8 + hours), stations=stations, purpose="电工培训班")
