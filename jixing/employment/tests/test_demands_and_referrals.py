"""Job demands, matching and referral through the pages: who may post, close and refer; the
ranked candidates with their reasons; results recorded by the employer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jixing.core.models import AuditEvent, StatusChange
from jixing.core.testing import make_person
from jixing.employment import actions
from jixing.employment.models import (
    JobDemand,
    Placement,
    PlacementSource,
    Referral,
    ReferralStatus,
    VerificationStatus,
)

from . import factories as f

pytestmark = pytest.mark.django_db


def demand_post(**overrides):
    data = {"title": "数控车工", "occupation": f.occupation(0).pk, "level": 3, "posts": 4, "wage_min": "5000",
            "wage_max": "7000", "county": "", "deadline": "2026-03-31", "description": "两班倒"}
    data.update(overrides)
    return data


def test_it_lets_an_enterprise_post_a_demand_for_itself_and_ignores_extra_fields(client, employers):
    client.force_login(employers.eve)
    before = AuditEvent.objects.count()
    response = client.post(reverse("employment:demand_create"),
                           demand_post(employer=employers.other_ent.pk, status="closed", created_by=employers.p.alice.pk))
    assert response.status_code == 302
    d = JobDemand.objects.exclude(pk=employers.demand.pk).get()
    assert (d.employer, d.status, d.created_by, d.county_id, d.posts) == (employers.ent, "open", employers.eve, "370102", 4)
    assert AuditEvent.objects.filter(event="job_demand.created").count() == 1
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize(("field", "value"), [
    ("wage_max", "4000"),  # below wage_min
    ("deadline", "2025-11-30"),  # in the past (today is 2025-12-01)
    ("deadline", "2027-12-31"),  # more than a year ahead
    ("deadline", "20266-01-01"),  # a slip of the finger
    ("posts", "0"),
    ("wage_min", "10"),  # issue 15: "10–10 yuan per month" was accepted
    ("wage_max", "900000"),  # not a monthly wage
])
def test_it_refuses_an_invalid_demand_with_a_field_error(client, employers, field, value):
    client.force_login(employers.eve)
    response = client.post(reverse("employment:demand_create"), demand_post(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert JobDemand.objects.count() == 1


def test_it_refuses_demands_from_a_training_institution(client, employers):
    client.force_login(employers.p.ivan)
    assert client.post(reverse("employment:demand_create"), demand_post()).status_code == 403
    assert JobDemand.objects.count() == 1


def test_it_lets_an_officer_post_for_an_enterprise_of_her_region_only(client, employers):
    client.force_login(employers.p.bob)  # Jinan
    ok = client.post(reverse("employment:demand_create"), demand_post(employer=employers.ent.pk, county="370103"))
    assert ok.status_code == 302
    assert JobDemand.objects.filter(employer=employers.ent, county_id="370103").exists()
    refused = client.post(reverse("employment:demand_create"), demand_post(employer=employers.other_ent.pk))
    assert refused.status_code == 200 and refused.context["form"].errors.get("employer")


def test_it_scopes_demand_pages_to_the_region_and_answers_404_otherwise(client, employers):
    client.force_login(employers.p.carol)  # Qingdao officer
    assert client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).status_code == 404
    assert employers.demand.title not in client.get(reverse("employment:demand_list")).content.decode()
    client.force_login(employers.p.bob)
    assert client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).status_code == 200


def test_it_closes_and_reopens_through_the_transition_table(client, employers):
    url = reverse("employment:demand_status", args=[employers.demand.pk])
    client.force_login(employers.olga)  # another enterprise sees the open demand but may not manage it
    assert client.post(url, {"to": "closed"}).status_code == 403
    client.force_login(employers.eve)
    client.post(url, {"to": "filled"})
    employers.demand.refresh_from_db()
    assert employers.demand.status == "filled"
    client.post(url, {"to": "closed"})  # filled → closed is not in the table
    employers.demand.refresh_from_db()
    assert employers.demand.status == "filled"
    client.post(url, {"to": "open"})
    employers.demand.refresh_from_db()
    assert employers.demand.status == "open"
    assert StatusChange.objects.filter(object_id=str(employers.demand.pk)).count() == 2
    client.force_login(employers.olga)  # once closed, it is gone for others
    client.force_login(employers.eve)
    client.post(url, {"to": "closed"})
    client.force_login(employers.olga)
    assert client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).status_code == 404


@pytest.fixture
def trainees(employers):
    """Completed trainees of the Lixia institution in the demand's occupation (level 3 unless said)."""
    p = employers.p
    near = p.lixia_person  # Lixia, same county
    city = p.shizhong_person  # Shizhong, same city
    far = p.qingdao_person  # Qingdao
    low = make_person("钱低级", "370102", seq=46)
    other_occ = make_person("孙别行", "370102", seq=57)
    e_near = f.completed_training(near, p.institution, p.dave, completed_on=dt.date(2025, 6, 30))
    f.completed_training(city, p.institution, p.dave, level=4, completed_on=dt.date(2025, 6, 30))
    f.completed_training(far, p.institution, p.dave, completed_on=dt.date(2025, 6, 30))
    f.completed_training(low, p.institution, p.dave, level=2, completed_on=dt.date(2025, 6, 30))
    f.completed_training(other_occ, p.institution, p.dave, occ=f.occupation(1), completed_on=dt.date(2025, 6, 30))
    f.certificate(near, p.evaluation_body, p.judy, p.dave, level=3, issued_on=dt.date(2025, 7, 20))
    return {"near": near, "city": city, "far": far, "low": low, "other": other_occ, "e_near": e_near}


def test_it_lists_matching_trainees_same_county_first_with_reasons(client, employers, trainees):
    client.force_login(employers.p.dave)  # Lixia officer: sees Lixia projects' trainees
    response = client.get(reverse("employment:demand_detail", args=[employers.demand.pk]))
    rows = response.context["candidates"]
    assert [r.person for r in rows] == [trainees["near"], trainees["city"], trainees["far"]]
    first = rows[0]
    assert first.match.basis.kind == "certificate"
    assert len(first.match.reasons) == 4
    body = response.content.decode()
    assert trainees["near"].masked_id_number in body and trainees["near"].id_number not in body
    assert trainees["low"].name not in body and trainees["other"].name not in body


def test_it_shows_an_institution_only_its_own_trainees_and_an_enterprise_none(client, employers, trainees):
    from jixing.core.testing import make_organisation

    rival = make_organisation("对手培训学校", "370102", seed=5)
    rival_user = f.make_user("rita", "institution", organisation=rival)
    client.force_login(rival_user)
    assert client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).context["candidates"] == []
    client.force_login(employers.p.ivan)
    assert len(client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).context["candidates"]) == 3
    client.force_login(employers.eve)  # the employer records results but does not browse trainees
    response = client.get(reverse("employment:demand_detail", args=[employers.demand.pk]))
    assert response.context["can_refer"] is False and response.context["candidates"] == []


def test_it_refers_a_candidate_once_and_stores_why(client, employers, trainees):
    client.force_login(employers.p.dave)
    url = reverse("employment:demand_refer", args=[employers.demand.pk])
    client.post(url, {"person": trainees["near"].pk, "note": "优先面试", "status": "hired"})
    r = Referral.objects.get()
    assert (r.person, r.status, r.referred_by, r.enrollment) == (
        trainees["near"], ReferralStatus.REFERRED, employers.p.dave, trainees["e_near"])  # the training behind it
    assert r.match_score == 95 and len(r.match_reasons) == 4
    client.post(url, {"person": trainees["near"].pk})
    assert Referral.objects.count() == 1
    client.post(url, {"person": trainees["low"].pk})  # below the level: refused
    assert Referral.objects.count() == 1


def test_it_does_not_let_an_officer_of_another_region_refer(client, employers, trainees):
    client.force_login(employers.p.erin)  # Shizhong officer; the post is in Lixia
    client.post(reverse("employment:demand_refer", args=[employers.demand.pk]), {"person": trainees["city"].pk})
    assert not Referral.objects.exists()


def test_it_lets_the_employer_record_interview_and_hire_which_creates_a_placement(client, employers, trainees):
    referral = actions.refer_candidate(employers.demand, trainees["near"], by=employers.p.dave)
    url = reverse("employment:referral_result", args=[referral.pk])
    client.force_login(employers.olga)
    assert client.post(url, {"to": "interviewed"}).status_code == 404  # not her demand, not her referral
    client.force_login(employers.eve)
    client.post(url, {"to": "hired", "start_date": "2025-11-03", "monthly_wage": "5800"})  # must interview first
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED
    client.post(url, {"to": "interviewed", "interviewed_on": "2025-11-01"})
    client.post(url, {"to": "hired"})  # a hire needs start date and wage
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.INTERVIEWED
    client.post(url, {"to": "hired", "start_date": "2025-11-03", "monthly_wage": "5800"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.HIRED
    p = Placement.objects.get()
    assert (p.person, p.employer, p.start_date, p.monthly_wage, p.source, p.status, p.referral) == (
        trainees["near"], employers.ent, dt.date(2025, 11, 3), Decimal("5800.00"), PlacementSource.ENTERPRISE,
        VerificationStatus.UNVERIFIED, referral)
    assert p.enrollment == trainees["e_near"]


def test_it_shows_the_projects_linked_to_a_demand(client, employers, trainees):
    enrollment = trainees["e_near"]
    project = enrollment.training_class.project
    project.job_demand = employers.demand
    project.partner = employers.ent
    project.save()
    client.force_login(employers.p.dave)
    response = client.get(reverse("employment:demand_detail", args=[employers.demand.pk]))
    assert list(response.context["projects"]) == [project]
    assert project.code in response.content.decode()


def test_it_names_the_field_and_the_floor_when_a_wage_is_below_the_minimum_wage(client, employers):
    client.force_login(employers.eve)
    response = client.post(reverse("employment:demand_create"), demand_post(wage_min="10", wage_max="10"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    errors = response.context["form"].errors
    assert "最低" in errors["wage_min"][0] and "1700" in errors["wage_min"][0] and errors["wage_max"]
    assert JobDemand.objects.count() == 1


def test_the_api_refuses_a_wage_range_below_the_floor(client, employers):
    with pytest.raises(ValidationError) as caught:
        actions.create_job_demand(by=employers.eve, employer=employers.ent, title="x", occupation=f.occupation(0), level=None,
                                  posts=1, wage_min=Decimal("10"), wage_max=Decimal("10"), county=None,
                                  deadline=dt.date(2026, 1, 31))
    assert set(caught.value.message_dict) == {"wage_min", "wage_max"}
