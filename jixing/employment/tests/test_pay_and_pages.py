"""Skill-linked pay reports and statistics, the trainee's recommended posts, the API flow from
demand to referral, and every page rendering for the roles that use it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from jixing.core.testing import make_organisation
from jixing.employment.models import Referral, SkillPayReport

from . import factories as f

pytestmark = pytest.mark.django_db


def pay_post(**kw):
    data = {"year": "2024", "level": "3", "workers": "40", "average_monthly_pay": "6200", "starting_monthly_pay": "5000"}
    data.update(kw)
    return data


def test_it_keeps_one_pay_report_per_enterprise_year_and_level(client, employers):
    client.force_login(employers.eve)
    client.post(reverse("employment:pay"), pay_post())
    client.post(reverse("employment:pay"), pay_post(workers="42", average_monthly_pay="6300", enterprise=employers.other_ent.pk))
    r = SkillPayReport.objects.get()
    assert (r.enterprise, r.year, r.level_id, r.workers, r.average_monthly_pay) == (employers.ent, 2024, 3, 42, Decimal("6300.00"))
    response = client.post(reverse("employment:pay"), pay_post(year="2026"))  # today is 2025-12-01
    assert response.status_code == 200 and response.context["form"].errors.get("year")


def test_it_aggregates_pay_by_level_and_city_weighted_by_workers(client, employers):
    SkillPayReport.objects.create(enterprise=employers.ent, year=2024, level_id=3, workers=30,
                                  average_monthly_pay=Decimal("6000"), starting_monthly_pay=Decimal("5000"),
                                  reported_by=employers.eve)
    SkillPayReport.objects.create(enterprise=employers.other_ent, year=2024, level_id=3, workers=10,
                                  average_monthly_pay=Decimal("8000"), starting_monthly_pay=None, reported_by=employers.olga)
    SkillPayReport.objects.create(enterprise=employers.other_ent, year=2024, level_id=5, workers=5,
                                  average_monthly_pay=Decimal("11000"), reported_by=employers.olga)
    client.force_login(employers.p.alice)
    response = client.get(reverse("employment:pay"))
    stats = response.context["stats"]
    cells = {lv.pk: c for lv, c in stats.by_level}
    assert (cells[3].workers, cells[3].average, cells[3].starting) == (40, Decimal("6500.00"), Decimal("5000.00"))
    assert cells[5].average == Decimal("11000.00") and cells[1].average is None
    assert [(code, name) for code, name, _cells in stats.cities] == [("370100", "济南市"), ("370200", "青岛市")]
    chart = json.loads(response.context["chart"] and json.dumps(response.context["chart"]))
    assert chart["average"][2] == 6500.0
    assert 'id="pay-chart"' in response.content.decode()
    client.force_login(employers.p.bob)  # Jinan sees Jinan enterprises only
    cells = {lv.pk: c for lv, c in client.get(reverse("employment:pay")).context["stats"].by_level}
    assert cells[3].average == Decimal("6000.00") and cells[5].workers == 0
    client.force_login(employers.p.ivan)  # a training institution is not an enterprise
    assert client.get(reverse("employment:pay")).status_code == 403


def test_it_recommends_open_posts_that_fit_the_trainees_training(client, employers):
    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave, level=3)
    other_occ = f.demand(employers.ent, employers.eve, occ=f.occupation(1), title="面点师")
    too_high = f.demand(employers.ent, employers.eve, level=5, title="技师岗")
    qingdao = f.demand(employers.other_ent, employers.olga, level=2, title="青岛焊工")
    closed = f.demand(employers.ent, employers.eve, title="已关闭岗位", status="closed")
    client.force_login(p.trent)
    rows = client.get(reverse("employment:recommended")).context["rows"]
    assert [d for d, _reasons in rows] == [employers.demand, qingdao]
    assert other_occ not in [d for d, _ in rows] and too_high not in [d for d, _ in rows]
    assert closed not in [d for d, _ in rows]
    assert client.get(reverse("employment:demand_detail", args=[closed.pk])).status_code == 404


def test_it_runs_demand_to_referral_through_the_api(client, employers):
    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    client.force_login(employers.eve)
    created = client.post("/api/v1/employment/demands", {
        "title": "装配钳工", "occupation": f.occupation(0).pk, "level": 3, "posts": 2, "wage_min": "4500",
        "wage_max": "6500", "deadline": "2026-06-30", "employer": employers.other_ent.pk, "status": "closed",
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    demand = created.json()
    assert (demand["employer"], demand["status"], demand["county"]) == (employers.ent.pk, "open", "370102")
    assert client.get(f"/api/v1/employment/demands/{demand['id']}/matches").status_code == 403
    client.force_login(p.dave)
    matches = client.get(f"/api/v1/employment/demands/{demand['id']}/matches").json()
    assert [m["person"] for m in matches] == [p.lixia_person.pk] and matches[0]["tier"] == "same_county"
    assert matches[0]["id_number_masked"] == p.lixia_person.masked_id_number
    referral = client.post("/api/v1/employment/referrals", {"demand": demand["id"], "person": p.lixia_person.pk},
                           content_type="application/json")
    assert referral.status_code == 201 and referral.json()["status"] == "referred"
    again = client.post("/api/v1/employment/referrals", {"demand": demand["id"], "person": p.lixia_person.pk},
                        content_type="application/json")
    assert again.status_code == 422
    stranger = client.post("/api/v1/employment/referrals", {"demand": demand["id"], "person": p.qingdao_person.pk},
                           content_type="application/json")
    assert stranger.status_code == 404
    client.force_login(employers.eve)
    rid = referral.json()["id"]
    bad = client.post(f"/api/v1/employment/referrals/{rid}/result",
                      {"to": "hired", "start_date": "2025-11-03", "monthly_wage": "5000"}, content_type="application/json")
    assert bad.status_code == 409  # referred → hired is not in the table
    ok = client.post(f"/api/v1/employment/referrals/{rid}/result", {"to": "interviewed"}, content_type="application/json")
    assert ok.json()["status"] == "interviewed"
    assert Referral.objects.get().status == "interviewed"


PAGES = [
    ("employment:demand_list", ["alice", "bob", "frank", "audrey", "ivan", "eve"]),
    ("employment:referral_list", ["alice", "dave", "ivan", "eve", "trent", "audrey"]),
    ("employment:placement_list", ["alice", "dave", "ivan", "eve", "trent", "audrey"]),
    ("employment:verification_queue", ["alice", "dave"]),
    ("employment:outcomes", ["alice", "bob", "frank", "grace", "audrey", "ivan"]),
    ("employment:pay", ["alice", "bob", "frank", "audrey", "eve"]),
    ("employment:recommended", ["trent"]),
    ("employment:insurance", ["alice", "audrey"]),
    ("employment:demand_create", ["bob", "eve"]),
    ("employment:placement_create", ["ivan", "eve", "trent"]),
]


@pytest.mark.parametrize(("url_name", "users"), PAGES)
def test_it_renders_every_page_for_the_roles_that_use_it(client, employers, url_name, users):
    people = {**{u: getattr(employers.p, u) for u in users if hasattr(employers.p, u)}, "eve": employers.eve}
    for username in users:
        client.force_login(people[username])
        response = client.get(reverse(url_name))
        assert response.status_code == 200, (url_name, username)
    client.force_login(employers.p.sam)  # the system administrator does no business work
    assert client.get(reverse(url_name)).status_code == 403


def test_it_renders_details_for_their_readers(client, employers):
    from jixing.employment import actions

    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    referral = actions.refer_candidate(employers.demand, p.lixia_person, by=p.dave)
    actions.record_referral_result(referral, "interviewed", by=employers.eve)
    placement = actions.record_referral_result(referral, "hired", by=employers.eve, start_date=dt.date(2025, 11, 3),
                                               monthly_wage=Decimal("5600")).placement
    for user in (p.dave, employers.eve, p.ivan, p.trent, p.audrey):
        client.force_login(user)
        assert client.get(reverse("employment:placement_detail", args=[placement.pk])).status_code == 200
    for user in (p.dave, employers.eve, p.ivan, p.trent, p.audrey):
        client.force_login(user)
        assert client.get(reverse("employment:demand_detail", args=[employers.demand.pk])).status_code == 200
    rival = f.make_user("rita", "institution", organisation=make_organisation("对手学校", "370102", seed=9))
    client.force_login(rival)
    assert client.get(reverse("employment:placement_detail", args=[placement.pk])).status_code == 404


def test_it_puts_employment_cards_on_the_workbench(client, employers):
    from jixing.employment import actions

    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    actions.report_placement(by=employers.eve, person=p.lixia_person, kind="employed", start_date=dt.date(2025, 9, 1),
                             monthly_wage=Decimal("5000"))
    actions.refer_candidate(employers.demand, p.lixia_person, by=p.dave)
    client.force_login(p.dave)
    body = client.get(reverse("web:home")).content.decode()
    assert reverse("employment:verification_queue") in body
    client.force_login(employers.eve)
    cards = [c for c in client.get(reverse("web:home")).context["stat_cards"] if c.template.startswith("employment/")]
    assert cards[0].data == {"open_demands": 1, "to_answer": 1}
    client.force_login(p.trent)
    body = client.get(reverse("web:home")).content.decode()
    assert employers.demand.title in body
