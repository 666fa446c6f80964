"""The department rule in employment (issue 11, defect 2): a sector officer sees the demands,
referrals and placements of their own department's actions only (within their region below the
province), and no enterprise's pay report — through the pages, the API and the querysets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixing.accounts.models import Role
from jixing.core.testing import make_user
from jixing.employment.models import JobDemand, Placement, Referral, SkillPayReport
from jixing.registry.models import Department

from . import factories as f

CIVIL_ACTION = 4  # 养老家政: civil affairs is among its departments (reference/actions.csv)
OTHER_ACTION = 2  # 乡村振兴: not civil affairs


def _chain(employers, *, action: int, person_county: str, seq: int, title: str) -> tuple[JobDemand, Referral, Placement]:
    """A demand served by a project of ``action``, a trainee of it referred and placed."""
    p = employers.p
    person = f.person(f"人{seq}", person_county, seq)
    enrollment = f.completed_training(person, p.institution, p.ivan, action_number=action, county=person_county)
    demand = f.demand(employers.ent, employers.eve, title=title, county=person_county)
    project = enrollment.training_class.project
    project.job_demand = demand
    project.save(update_fields=["job_demand"])
    referral = Referral.objects.create(demand=demand, person=person, enrollment=enrollment, referred_by=p.ivan,
                                       referring_organisation=p.institution)
    placement = Placement.objects.create(
        person=person, enrollment=enrollment, referral=referral, kind="employed", employer=employers.ent,
        employer_uscc=employers.ent.uscc, employer_name=employers.ent.name, county_id=person_county,
        start_date=dt.date(2025, 5, 1), monthly_wage=Decimal("5200"), source="institution",
        reported_by=p.ivan, reporting_organisation=p.institution,
    )
    return demand, referral, placement


@pytest.fixture
def chains(employers):
    return {
        "civil_lixia": _chain(employers, action=CIVIL_ACTION, person_county="370102", seq=701, title="养老护理员"),
        "civil_qingdao": _chain(employers, action=CIVIL_ACTION, person_county="370202", seq=702, title="家政服务员"),
        "rural_lixia": _chain(employers, action=OTHER_ACTION, person_county="370102", seq=703, title="农机修理工"),
    }


@pytest.fixture
def fiona(personas):
    """A Jinan (city) civil-affairs officer."""
    return make_user("fiona", Role.SECTOR_OFFICER, department=Department.objects.get(code="civil"), region_id="370100")


def _ids(chains, *keys: str) -> list[set[int]]:
    return [{chains[k][i].pk for k in keys} for i in range(3)]


@pytest.mark.parametrize(("who", "expected"), [("frank", ("civil_lixia", "civil_qingdao")), ("fiona", ("civil_lixia",))])
def test_it_shows_a_sector_officer_only_their_actions_in_their_region(employers, chains, fiona, who, expected) -> None:
    user = fiona if who == "fiona" else employers.p.frank
    demands, referrals, placements = _ids(chains, *expected)
    assert set(JobDemand.objects.visible_to(user).values_list("pk", flat=True)) == demands
    assert set(Referral.objects.visible_to(user).values_list("pk", flat=True)) == referrals
    assert set(Placement.objects.visible_to(user).values_list("pk", flat=True)) == placements


def test_it_keeps_other_departments_employment_rows_out_of_the_api_and_pages(client, employers, chains) -> None:
    client.force_login(employers.p.frank)
    mine, other = chains["civil_lixia"], chains["rural_lixia"]
    listed = {row["id"] for row in client.get("/api/v1/employment/placements?limit=100").json()["items"]}
    assert mine[2].pk in listed and other[2].pk not in listed
    demands = {row["id"] for row in client.get("/api/v1/employment/demands?limit=100").json()["items"]}
    assert mine[0].pk in demands and other[0].pk not in demands
    assert client.get(f"/api/v1/employment/placements/{other[2].pk}").status_code == 404
    assert client.get(f"/api/v1/employment/placements/{mine[2].pk}").status_code == 200
    assert client.get(f"/employment/placements/{other[2].pk}/").status_code == 404
    assert client.get(f"/employment/demands/{other[0].pk}/").status_code == 404
    page = client.get("/employment/placements/").content.decode()
    assert "人701" in page and "人703" not in page


def test_it_shows_no_pay_report_to_a_sector_officer(employers) -> None:
    SkillPayReport.objects.create(enterprise=employers.ent, year=2025, level_id=3, workers=10,
                                  average_monthly_pay=Decimal("6000"), reported_by=employers.eve)
    assert not SkillPayReport.objects.visible_to(employers.p.frank).exists()
    assert SkillPayReport.objects.visible_to(employers.p.bob).count() == 1
    assert SkillPayReport.objects.visible_to(employers.p.carol).count() == 0
