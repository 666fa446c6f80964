"""Persona fixtures shared by every app's tests (healthchecks style: alice, bob, …).

Passwords here are test-only; no deployment ships a known password (SECURITY.md A1).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from jixing.accounts.models import Role, User
from jixing.registry.idgen import make_id_number, make_uscc
from jixing.registry.models import Department, Organisation, OrganisationKind, Person

TEST_PASSWORD = "Test-Only-Pa55!"


def make_user(username: str, role: str, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password=TEST_PASSWORD, role=role, **fields)
    # No password age for test personas, so tests that travel in time (time-machine) are not
    # sent to the change-password page; jixing/accounts/tests cover the periodic change (A1).
    User.objects.filter(pk=user.pk).update(password_changed_at=None)
    user.password_changed_at = None
    return user


def make_person(name: str, county: str, *, birth: dt.date = dt.date(1990, 5, 17), seq: int = 11, **fields: Any) -> Person:
    person = Person(name=name, household_region_id=county, current_region_id=county, **fields)
    person.set_id_number(make_id_number(county, birth, seq))
    person.set_phone(fields.pop("phone", "") or f"139{seq:08d}")
    person.save()
    return person


def make_organisation(name: str, county: str, kind: str = OrganisationKind.PRIVATE_INSTITUTION, *, seed: int = 1, **fields: Any) -> Organisation:
    if kind in (OrganisationKind.VOCATIONAL_COLLEGE, OrganisationKind.TECHNICAL_SCHOOL):
        fields.setdefault("enrolled_students", 1000)
    return Organisation.objects.create(
        uscc=make_uscc(county, random.Random(f"{name}{seed}")), name=name, kind=kind, county_id=county, **fields
    )


@dataclass
class Personas:
    alice: User  # province HRSS officer
    bob: User  # Jinan city HRSS officer
    carol: User  # Qingdao city HRSS officer
    dave: User  # Lixia county (Jinan) HRSS officer
    erin: User  # Shizhong county (Jinan) HRSS officer
    frank: User  # civil affairs department (province)
    grace: User  # Jinan finance officer
    ivan: User  # staff of a Lixia training institution
    judy: User  # staff of an evaluation institution
    trent: User  # trainee
    audrey: User  # audit administrator
    sam: User  # system administrator
    sue: User  # security administrator
    institution: Organisation
    evaluation_body: Organisation
    lixia_person: Person
    shizhong_person: Person
    qingdao_person: Person


def make_personas() -> Personas:
    institution = make_organisation("历下技能培训学校", "370102")
    evaluation_body = make_organisation("济南职业技能评价中心", "370103", OrganisationKind.EVALUATION_INSTITUTION)
    lixia_person = make_person("李历下", "370102", seq=13)
    shizhong_person = make_person("王市中", "370103", seq=24)
    qingdao_person = make_person("张青岛", "370202", seq=35)
    return Personas(
        alice=make_user("alice", Role.HRSS_OFFICER, region_id="370000"),
        bob=make_user("bob", Role.HRSS_OFFICER, region_id="370100"),
        carol=make_user("carol", Role.HRSS_OFFICER, region_id="370200"),
        dave=make_user("dave", Role.HRSS_OFFICER, region_id="370102"),
        erin=make_user("erin", Role.HRSS_OFFICER, region_id="370103"),
        frank=make_user("frank", Role.SECTOR_OFFICER, department=Department.objects.get(code="civil"), region_id="370000"),
        grace=make_user("grace", Role.FINANCE_OFFICER, region_id="370100"),
        ivan=make_user("ivan", Role.INSTITUTION, organisation=institution),
        judy=make_user("judy", Role.EVALUATOR, organisation=evaluation_body),
        trent=make_user("trent", Role.TRAINEE, person=lixia_person),
        audrey=make_user("audrey", Role.AUDITOR),
        sam=make_user("sam", Role.SYSTEM_ADMIN),
        sue=make_user("sue", Role.SECURITY_ADMIN),
        institution=institution,
        evaluation_body=evaluation_body,
        lixia_person=lixia_person,
        shizhong_person=shizhong_person,
        qingdao_person=qingdao_person,
    )
