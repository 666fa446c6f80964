"""Plan pages and API: actions with departments, targets with their source sentences, and the
province's allocation of targets to cities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.plan.models import Target, TargetAllocation
from jixing.plan.queries import allocation_summary, target_time_progress, time_progress

pytestmark = pytest.mark.django_db


def allocation_url(code: str, year: int | None = None) -> str:
    url = reverse("plan:target_allocations", args=[code])
    return f"{url}?year={year}" if year else url


def test_it_lists_the_ten_actions_with_their_departments(client, personas):
    client.force_login(personas.ivan)
    response = client.get(reverse("plan:action_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["actions"]) == 10
    assert "养老家政技能提升培训行动" in html and "省民政厅" in html


def test_it_lists_every_target_with_its_quote(client, personas):
    client.force_login(personas.bob)
    html = client.get(reverse("plan:target_list")).content.decode()
    for target in Target.objects.all():
        assert target.seed_quote in html
    assert "1,500,000" in html and "60%" in html and "在校生人数的 1 倍" in html


def test_it_lets_the_province_allocate_and_shows_the_gap(client, personas):
    client.force_login(personas.alice)
    url = allocation_url("overall_subsidized")
    response = client.post(url, {"city_370100": "200000", "city_370200": "180000", "city_370300": ""})
    assert response.status_code == 302
    values = dict(TargetAllocation.objects.values_list("city_id", "value"))
    assert values == {"370100": Decimal("200000"), "370200": Decimal("180000")}
    assert TargetAllocation.objects.filter(year__isnull=True).count() == 2
    row = AuditEvent.objects.get(event="plan.allocations.set")
    assert row.after == {"370100": "200000.00", "370200": "180000.00"} and row.detail["created"] == 2
    html = client.get(url).content.decode()
    assert "已分解 380,000，全省目标 1,500,000。" in html
    assert "尚有 1,120,000 未分解。" in html
    assert "14 个市尚未分解任务。" in html


def test_it_says_when_the_cities_exceed_the_provincial_target(client, personas):
    client.force_login(personas.alice)
    client.post(allocation_url("domestic_service", 2026), {"city_370100": "40000", "city_370200": "30000"})
    assert TargetAllocation.objects.filter(year=2026).count() == 2
    html = client.get(allocation_url("domestic_service", 2026)).content.decode()
    assert "各市分解任务合计超出全省目标 5,000。" in html


def test_it_removes_a_share_left_blank(client, personas):
    target = Target.objects.get(code="digital")
    TargetAllocation.objects.create(target=target, city_id="370100", year=2025, value=3000)
    client.force_login(personas.alice)
    client.post(allocation_url("digital", 2025), {"city_370100": ""})
    assert not TargetAllocation.objects.filter(target=target).exists()


@pytest.mark.parametrize("value", ["-1", "1.5", "abc"])
def test_it_rejects_negative_fractional_or_nonsense_values(client, personas, value):
    client.force_login(personas.alice)
    response = client.post(allocation_url("overall_subsidized"), {"city_370100": "1000", "city_370200": value})
    assert response.status_code == 400
    assert not TargetAllocation.objects.exists()


def test_it_keeps_cities_from_allocating(client, personas):
    client.force_login(personas.bob)
    url = allocation_url("overall_subsidized")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="city_370100"' not in page.content.decode()
    assert client.post(url, {"city_370100": "1500000"}).status_code == 403
    assert not TargetAllocation.objects.exists()


def test_it_ignores_fields_that_are_not_cities(client, personas):
    client.force_login(personas.alice)
    response = client.post(allocation_url("overall_subsidized"), {"city_370100": "5", "city_370102": "9", "city_999900": "9"})
    assert response.status_code == 302
    assert list(TargetAllocation.objects.values_list("city_id", flat=True)) == ["370100"]


def test_it_does_not_split_shares_or_unknown_years(client, personas):
    client.force_login(personas.alice)
    assert client.get(allocation_url("frontline_share_of_staff_education_funds")).status_code == 404
    assert client.get(allocation_url("digital", 2031)).status_code == 404


def test_it_enforces_csrf_on_allocations(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.alice)
    assert client.post(allocation_url("overall_subsidized"), {"city_370100": "1"}).status_code == 403
    assert not TargetAllocation.objects.exists()


def test_it_shows_a_city_its_share_on_the_workbench(client, personas):
    target = Target.objects.get(code="overall_subsidized")
    TargetAllocation.objects.create(target=target, city_id="370100", year=None, value=Decimal("210000"))
    TargetAllocation.objects.create(target=target, city_id="370200", year=None, value=Decimal("190000"))
    client.force_login(personas.dave)
    html = client.get(reverse("web:home")).content.decode()
    assert "济南市分解任务" in html and "210,000" in html and "190,000" not in html


def test_it_computes_time_progress_by_calendar_days():
    assert time_progress(dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2024, 12, 31)) == 0
    assert time_progress(dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 7, 1)) == Decimal("0.4986")  # 182 of 365 days
    assert time_progress(dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31)) == 1
    yearly = Target(period="yearly")
    assert target_time_progress(yearly, dt.date(2026, 7, 2)) == Decimal("0.5014")  # 183 of 365 days of 2026
    assert target_time_progress(Target(period="2025-2027"), dt.date(2028, 1, 5)) == 1


def test_it_sums_allocations(personas):
    target = Target.objects.get(code="youth")
    TargetAllocation.objects.create(target=target, city_id="370100", year=2025, value=Decimal("30000"))
    TargetAllocation.objects.create(target=target, city_id="370200", year=2025, value=Decimal("20000"))
    TargetAllocation.objects.create(target=target, city_id="370200", year=2026, value=Decimal("99999"))
    summary = allocation_summary(target, 2025)
    assert (summary.total, summary.state, summary.missing_cities) == (Decimal("50000"), "equal", 14)


# ------------------------------------------------------------------ API

def test_it_serves_actions_with_departments_over_the_api(client, personas):
    client.force_login(personas.trent)
    body = client.get("/api/v1/plan/actions").json()
    assert [a["number"] for a in body] == list(range(1, 11))
    assert "civil" in {d["code"] for d in body[3]["departments"]}


def test_it_serves_targets_with_quotes_and_allocations_over_the_api(client, personas):
    target = Target.objects.get(code="overall_subsidized")
    TargetAllocation.objects.create(target=target, city_id="370100", year=None, value=Decimal("210000"))
    client.force_login(personas.bob)
    body = {t["code"]: t for t in client.get("/api/v1/plan/targets").json()}
    assert len(body) == Target.objects.count()
    overall = body["overall_subsidized"]
    assert overall["seed_quote"].startswith("从2025年到2027年底") and overall["action"] is None
    assert overall["allocations"] == [{"city": "370100", "year": None, "value": "210000.00"}]
    assert body["digital"]["action"] == 1


def test_it_requires_authentication_for_the_plan_api(client, personas):
    assert client.get("/api/v1/plan/targets").status_code == 401
