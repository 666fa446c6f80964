"""Funds pages and API through HTTP: each role sees its pages and its scope only (B2, B3),
forms ignore extra fields (B5), state changes need POST and CSRF (B6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jixing.core.models import AuditEvent
from jixing.funds import actions, ledger
from jixing.funds.models import (
    AccountKind,
    Budget,
    Claim,
    ClaimStatus,
    PayeeAccount,
    StaffEducationReport,
)
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db


PAGES = ["/funds/budgets/", "/funds/claims/", "/funds/review/", "/funds/payments/", "/funds/recoveries/",
         "/funds/recoveries/overdue/", "/funds/rules/", "/funds/staff-education/", "/funds/my/", "/funds/bank-accounts/",
         "/funds/claims/new/"]
ALLOWED = {
    "alice": {"/funds/budgets/", "/funds/claims/", "/funds/review/", "/funds/recoveries/", "/funds/recoveries/overdue/",
              "/funds/rules/", "/funds/staff-education/"},
    "grace": {"/funds/budgets/", "/funds/claims/", "/funds/payments/", "/funds/recoveries/", "/funds/recoveries/overdue/",
              "/funds/rules/", "/funds/staff-education/"},
    "ivan": {"/funds/claims/", "/funds/recoveries/", "/funds/recoveries/overdue/", "/funds/rules/", "/funds/staff-education/",
             "/funds/bank-accounts/", "/funds/claims/new/"},
    "trent": {"/funds/claims/", "/funds/my/", "/funds/bank-accounts/"},
    "audrey": {"/funds/budgets/", "/funds/claims/", "/funds/payments/", "/funds/recoveries/", "/funds/recoveries/overdue/",
               "/funds/rules/", "/funds/staff-education/"},
    "sam": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_it_opens_each_page_only_for_its_roles(personas, client, who) -> None:
    f.funded_class(personas, trainees=1)
    client.force_login(getattr(personas, who))
    for url in PAGES:
        status = client.get(url).status_code
        assert (status == 200) == (url in ALLOWED[who]), (who, url, status)
        if url not in ALLOWED[who]:
            assert status == 403


def test_it_redirects_anonymous_users_to_login(client) -> None:
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_hides_claims_of_other_regions_and_organisations(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    for who, visible in [("dave", True), ("bob", True), ("alice", True), ("erin", False), ("carol", False),
                         ("ivan", True), ("grace", True)]:
        client.force_login(getattr(personas, who))
        assert client.get(f"/funds/claims/{claim.pk}/").status_code == (200 if visible else 404), who
        assert (claim.number in client.get("/funds/claims/").content.decode()) == visible, who
    other_org, kate = f.enterprise_user(personas)
    client.force_login(kate)
    assert client.get(f"/funds/claims/{claim.pk}/").status_code == 404
    # a trainee of the claim sees only their own line
    person = w.enrollments[0].person
    client.force_login(f.person_user(person))
    page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert person.name in page
    assert client.get("/funds/my/").status_code == 200


def test_it_refuses_a_review_by_an_officer_of_another_county_without_changing_anything(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    client.force_login(personas.erin)
    assert client.post(f"/funds/claims/{claim.pk}/approve/").status_code == 404
    client.force_login(personas.carol)
    assert client.post(f"/funds/claims/{claim.pk}/approve/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_it_walks_a_claim_through_the_pages(personas, client) -> None:
    w = f.funded_class(personas, trainees=2)
    client.force_login(personas.ivan)
    page = client.get(f"/funds/claims/new/?project={w.project.pk}").content.decode()
    assert "600.00" in page and w.enrollments[0].person.name in page
    response = client.post("/funds/claims/new/", {"project": w.project.pk, "subsidy_item": "vocational_training",
                                                  "enrollments": [e.pk for e in w.enrollments],
                                                  "payee_account": w.account.pk})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funds/claims/{claim.pk}/"
    client.post(f"/funds/claims/{claim.pk}/submit/", {"status": "paid"})
    client.force_login(personas.dave)
    assert claim.number in client.get("/funds/review/").content.decode()
    client.post(f"/funds/claims/{claim.pk}/approve/", {"note": "材料齐全", "amount": "1"})
    client.force_login(personas.bob)
    page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert "审批通过（占用预算）" in page
    client.post(f"/funds/claims/{claim.pk}/approve/")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and claim.amount == D("1200.00")
    assert ledger.budget_account(w.budget, AccountKind.COMMITTED).balance == D("1200.00")
    page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert "基础标准 600.00 元" in page and "出勤率 95.0%" in page


def test_it_shows_the_budget_shortfall_message_on_the_page(personas, client) -> None:
    w = f.funded_class(personas, trainees=2, amount="500")
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    client.force_login(personas.bob)
    response = client.post(f"/funds/claims/{claim.pk}/approve/", follow=True)
    assert "预算不足" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COUNTY_REVIEWED


def test_it_needs_csrf_for_state_changes(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(personas.dave)
    assert csrf_client.post(f"/funds/claims/{claim.pk}/approve/").status_code == 403
    assert csrf_client.get(f"/funds/claims/{claim.pk}/approve/").status_code == 405
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_it_writes_one_audit_row_per_action(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    before = AuditEvent.objects.count()
    client.force_login(personas.dave)
    client.post(f"/funds/claims/{claim.pk}/approve/")
    events = list(AuditEvent.objects.order_by("id")[before:].values_list("event", "actor__username", "object_id"))
    assert [e for e in events if not e[0].startswith("auth")] == [("funds.claim.county_review", "dave", str(claim.pk))]


# ---------------------------------------------------------------- budgets


def test_it_creates_and_allocates_budgets_down_the_region_tree(personas, client) -> None:
    province = f.province_finance()
    budget = actions.create_budget(by=province, fund_source=f.fund(), year=2026, region=f.region("370000"),
                                   amount="10000000", document="鲁财社〔2026〕1号")
    actions.allocate(budget, by=province, region=f.region("370100"), amount="4000000")
    jinan = Budget.objects.get(region_id="370100")
    assert jinan.parent == budget
    actions.allocate(jinan, by=personas.grace, region=f.region("370102"), amount="1500000")
    lixia = Budget.objects.get(region_id="370102")
    assert [ledger.budget_account(b, AccountKind.AVAILABLE).balance for b in (budget, jinan, lixia)] == [
        D("6000000.00"), D("2500000.00"), D("1500000.00")]
    # more than the parent's available balance: refused, nothing moved
    with pytest.raises(ValidationError, match="超过"):
        actions.allocate(jinan, by=personas.grace, region=f.region("370103"), amount="2500000.01")
    # only to a direct child region
    with pytest.raises(ValidationError):
        actions.allocate(budget, by=province, region=f.region("370102"), amount="1")
    # grace (Jinan) cannot move province or Qingdao money
    with pytest.raises(PermissionDenied):
        actions.allocate(budget, by=personas.grace, region=f.region("370200"), amount="1")
    client.force_login(personas.grace)
    assert client.get(f"/funds/budgets/{budget.pk}/").status_code == 404
    page = client.get(f"/funds/budgets/{jinan.pk}/").content.decode()
    assert "2,500,000.00" in page and "历下区" in page
    assert ledger.verify().ok


def test_it_creates_a_budget_through_the_page(personas, client) -> None:
    client.force_login(personas.grace)
    response = client.post("/funds/budgets/new/", {"fund_source": f.fund("unemployment_insurance").pk, "year": 2026,
                                                   "region": "370100", "amount": "800000", "document": "济财〔2026〕3号"})
    budget = Budget.objects.get()
    assert response.status_code == 302
    assert ledger.budget_account(budget, AccountKind.AVAILABLE).balance == D("800000.00")
    client.force_login(personas.bob)
    assert client.post("/funds/budgets/new/", {"fund_source": f.fund().pk, "year": 2026, "region": "370100",
                                               "amount": "1"}).status_code == 403


def test_it_lists_budgets_through_the_api_in_scope(personas, client) -> None:
    f.budget(personas, allocate_to_lixia="1000")
    client.force_login(personas.dave)
    rows = client.get("/api/v1/funds/budgets").json()
    assert [r["region"] for r in rows] == ["370102"] and rows[0]["balances"]["available"] == "1000.00"
    client.force_login(personas.carol)
    assert client.get("/api/v1/funds/budgets").json() == []


# ---------------------------------------------------------------- API claims


def test_it_creates_and_reviews_claims_through_the_api_ignoring_extra_fields(personas, client) -> None:
    w = f.funded_class(personas, trainees=2)
    client.force_login(personas.ivan)
    response = client.post("/api/v1/funds/claims", {
        "project_id": w.project.pk, "enrollment_ids": [e.pk for e in w.enrollments], "payee_account_id": w.account.pk,
        "amount": "99999.00", "status": "payable", "budget": w.budget.pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1200.00" and body["status"] == "draft"
    assert [r["code"] for r in body["lines"][0]["reasons"]][:2] == ["table", "base"]
    claim_id = body["id"]
    assert client.post(f"/api/v1/funds/claims/{claim_id}/submit").status_code == 200
    assert client.post(f"/api/v1/funds/claims/{claim_id}/approve", {}, content_type="application/json").status_code == 403
    client.force_login(personas.dave)
    queue = client.get("/api/v1/funds/review-queue").json()
    assert [c["id"] for c in queue["items"]] == [claim_id]
    assert client.post(f"/api/v1/funds/claims/{claim_id}/approve", {"note": "ok"}, content_type="application/json").json()["status"] == "county_reviewed"
    again = client.post(f"/api/v1/funds/claims/{claim_id}/approve", {}, content_type="application/json")
    assert again.status_code == 403  # dave is a county officer: the city step is not his
    client.force_login(personas.bob)
    assert client.post(f"/api/v1/funds/claims/{claim_id}/approve", {}, content_type="application/json").json()["status"] == "public_notice"


def test_it_refuses_an_unfinished_enrollment_through_the_api_with_chinese_reasons(personas, client) -> None:
    from jixing.training.models import EnrollmentStatus

    w = f.funded_class(personas, trainees=1)
    bad = f.enroll(w.klass, f.trainee("郑未完"), status=EnrollmentStatus.ENROLLED)
    client.force_login(personas.ivan)
    response = client.post("/api/v1/funds/claims", {"project_id": w.project.pk, "enrollment_ids": [bad.pk]},
                           content_type="application/json")
    assert response.status_code == 422
    assert "郑未完" in str(response.json()) and "未结业" in str(response.json())
    assert not Claim.objects.exists()


def test_it_computes_amounts_through_the_api(personas, client) -> None:
    f.rule_table(personas)
    client.force_login(personas.ivan)
    body = {"city": "370100", "item": "vocational_training", "payee_kind": "institution", "certificate_type": "skill_level",
            "level": 3, "employed_within_6_months": True}
    result = client.post("/api/v1/funds/rules/compute", body, content_type="application/json").json()
    assert result["amount"] == "1800.00" and result["rule_version"] == 1
    assert [r["code"] for r in result["reasons"]] == ["table", "base", "employed_6m", "total"]


# ---------------------------------------------------------------- rule versions


def test_it_freezes_a_used_rule_version_and_publishes_a_new_one(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    f.claim_in(w, ClaimStatus.DRAFT)
    w.table.refresh_from_db()
    assert w.table.is_used
    rate = w.table.rates.first()
    rate.amount = D("9999")
    with pytest.raises(PermissionError):
        rate.save()
    with pytest.raises(PermissionError):
        w.table.save()
    client.force_login(personas.bob)
    response = client.post(f"/funds/rules/{w.table.pk}/copy/", {"valid_from": (f.today() + dt.timedelta(days=1)).isoformat(),
                                                               "name": "济南市标准（2027）"})
    assert response.status_code == 302
    assert w.table.city.pk == "370100" and w.table.rates.count() == f.SubsidyRuleTable.objects.get(version=2).rates.count()
    client.force_login(personas.dave)
    assert client.post(f"/funds/rules/{w.table.pk}/copy/", {"valid_from": "2030-01-01"}).status_code == 302
    assert f.SubsidyRuleTable.objects.count() == 2  # a county officer cannot publish standards


# ---------------------------------------------------------------- payee accounts, staff education


def test_it_registers_bank_accounts_masked_and_deduplicated(personas, client) -> None:
    client.force_login(personas.ivan)
    for _ in range(2):
        client.post("/funds/bank-accounts/", {"holder_name": "历下技能培训学校", "bank_name": "工商银行", "account_number": "6222 0202 0011 2233 445"})
    assert PayeeAccount.objects.count() == 1
    page = client.get("/funds/bank-accounts/").content.decode()
    assert "**** 3445" in page and "6222020200112233445" not in page
    response = client.post("/funds/bank-accounts/", {"holder_name": "x", "bank_name": "y", "account_number": "12ab"})
    assert "8 至 30 位数字" in response.content.decode()


def test_it_flags_enterprises_below_60_percent_for_frontline_workers(personas, client) -> None:
    company, kate = f.enterprise_user(personas)
    year = f.today().year - 1
    client.force_login(kate)
    client.post("/funds/staff-education/", {"year": year, "extracted": "100000", "spent": "80000", "spent_frontline": "40000"})
    report = StaffEducationReport.objects.get()
    assert report.frontline_share == D("0.5000") and report.below_frontline_minimum
    response = client.post("/funds/staff-education/", {"year": year, "extracted": "100000", "spent": "80000",
                                                       "spent_frontline": "90000"})
    assert "不能超过" in response.content.decode()
    client.post("/funds/staff-education/", {"year": year, "extracted": "100000", "spent": "80000", "spent_frontline": "48000"})
    report.refresh_from_db()
    assert report.frontline_share == D("0.6000") and not report.below_frontline_minimum
    assert StaffEducationReport.objects.count() == 1
    client.force_login(personas.bob)
    stats = client.get(f"/api/v1/funds/staff-education/stats?year={year}").json()
    assert stats["reports"] == 1 and stats["below_minimum"] == 0 and stats["frontline_share"] == "0.6000"
    client.force_login(personas.carol)
    assert client.get(f"/api/v1/funds/staff-education/stats?year={year}").json()["reports"] == 0
    # a training institution (not an enterprise) cannot report
    client.force_login(personas.ivan)
    assert client.post("/funds/staff-education/", {"year": year, "extracted": "1", "spent": "1", "spent_frontline": "1"}).status_code == 403


def test_it_publishes_a_rule_version_through_the_api(personas, client) -> None:
    body = {
        "city": "370200", "valid_from": "2026-01-01", "name": "青岛市职业培训补贴标准", "basis": "青人社发〔2026〕1号",
        "rates": [{"item": "vocational_training", "amount": "700.00"},
                  {"item": "vocational_training", "certificate_type": "skill_level", "level": 3, "amount": "1600.00"}],
        "uplifts": [{"kind": "shortage", "percent": "15"}],
        "shortage_occupations": [f.occupation(0).key],
    }
    client.force_login(personas.bob)  # Jinan cannot set Qingdao's standards
    assert client.post("/api/v1/funds/rules", body, content_type="application/json").status_code == 403
    client.force_login(personas.carol)
    bad = client.post("/api/v1/funds/rules", {**body, "rates": [{"item": "free_money", "amount": "1"}]},
                      content_type="application/json")
    assert bad.status_code == 422
    created = client.post("/api/v1/funds/rules", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["version"] == 1 and created.json()["rates"] == 2
    result = client.post("/api/v1/funds/rules/compute", {"city": "370200", "item": "vocational_training",
                                                         "payee_kind": "institution", "certificate_type": "skill_level",
                                                         "level": 3, "occupation": f.occupation(0).key,
                                                         "on_date": "2026-02-01"}, content_type="application/json").json()
    assert result["amount"] == "1840.00"
    assert client.post("/api/v1/funds/rules/compute", {"city": "370200", "item": "vocational_training",
                                                       "payee_kind": "institution", "on_date": "2025-12-31"},
                       content_type="application/json").json()["eligible"] is False
