"""Demo of department intake (issue 16 "Done when"): the agriculture department reports two
trainings of its 高素质农民培育 programme, the women's federation reports one of the same persons
again in an overlapping period — merged, counted once."""

from __future__ import annotations

import datetime as dt

from jixing.accounts.models import Role, User
from jixing.core.access import within_region
from jixing.core.masking import mask_id_number
from jixing.plan.models import Action, FundSource, Target
from jixing.registry.models import Department, Occupation, Person

from . import intake_actions, rollup


def _officer(code: str) -> User:
    user, _created = User.objects.get_or_create(username=code, defaults={
        "role": Role.SECTOR_OFFICER, "region_id": "370000", "is_demo": True,
        "department": Department.objects.get(code=code)})
    return user


def seed_department_intake(*, today: dt.date) -> int:
    persons = list(Person.objects.filter(within_region("current_region", "370100")).order_by("id")[:2])
    occupation = Occupation.objects.order_by("id").first()
    if len(persons) < 2 or occupation is None:
        return 0
    end = today - dt.timedelta(days=20)
    start = end - dt.timedelta(days=14)
    definitions = rollup.group_lines()
    agri, women = Department.objects.get(code="agri"), Department.objects.get(code="women")
    farmers = Target.objects.get(code="high_quality_farmers")

    def item(person: Person, department: Department, *, fund: str, action: int, shift: int,
             programme: str, target: Target | None) -> intake_actions.Intake:
        return intake_actions.Intake(
            row=0, department_id=department.pk, id_number_hash=person.id_number_hash, occupation_id=occupation.pk,
            start_date=start + dt.timedelta(days=shift), target_code=target.code if target else "", values={
                "county_id": person.current_region_id, "action_id": Action.objects.get(number=action).pk,
                "programme": programme, "fund_source_id": FundSource.objects.get(code=fund).pk,
                "target_id": target.pk if target else None, "name": person.name,
                "masked_id_number": mask_id_number(person.id_number), "person_id": person.pk, "declared_groups": "",
                "end_date": end + dt.timedelta(days=shift), "certificate_number": ""})

    counts = intake_actions.record_department_trainings([
        item(p, agri, fund="sector_department", action=2, shift=0, programme="高素质农民培育", target=farmers)
        for p in persons], by=_officer("agri"), definitions=definitions)
    merged = intake_actions.record_department_trainings([
        item(persons[0], women, fund="mass_organisation", action=4, shift=5, programme="巾帼家政技能培训", target=None),
    ], by=_officer("women"), definitions=definitions)
    return counts["counted"] + merged["merged"]
