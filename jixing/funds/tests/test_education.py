"""求学圆梦 (鲁人社字〔2025〕87号): a frontline worker records their own study and claims the
education subsidy for it; the claim then goes through the ordinary review flow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jixing.funds import actions, queries
from jixing.funds.models import ClaimLine, ClaimStatus, StudyRecord, SubsidyItem
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db


def education_table(personas, amount: str = "3000"):
    rates = [*f.jinan_rates(), {"item": SubsidyItem.EDUCATION, "payee_kind": "person", "amount": D(amount),
                                "note": "求学圆梦"}]
    return f.rule_table(personas, rates=rates)


def employer():
    org, _user = f.enterprise_user(None)  # type: ignore[arg-type]
    return org


def study(personas, *, graduated_days_ago: int | None = 60, tuition: str = "4800", with_employer: bool = True,
          programme: str = "机械设计制造及其自动化", user=None):
    graduated = f.today() - dt.timedelta(days=graduated_days_ago) if graduated_days_ago is not None else None
    return actions.record_study(
        by=user or personas.trent, school="山东开放大学", programme=programme, level="bachelor", mode="open_university",
        student_number="2301234567", enrolled_on=f.today() - dt.timedelta(days=1000), graduated_on=graduated,
        tuition_paid=tuition, employer=employer() if with_employer else None, evidence_note="毕业证书编号 123",
    )


def account(personas):
    person = personas.lixia_person
    return actions.register_payee_account(by=personas.trent, holder_name=person.name, bank_name="中国农业银行",
                                          account_number="6228480012345678901")


# ---------------------------------------------------------------- the claim


def test_it_walks_an_education_claim_to_payable(personas) -> None:
    education_table(personas)
    budget = f.budget(personas, source="mass_organisation")
    s = study(personas)
    claim = actions.create_education_claim(by=personas.trent, study=s, payee_account=account(personas))
    assert (claim.subsidy_item, claim.payee_kind, claim.person, claim.status) == (
        "education", "person", personas.lixia_person, ClaimStatus.DRAFT)
    assert claim.amount == D("3000.00") and claim.fund_source.code == "mass_organisation"
    line = claim.lines.get()
    assert line.study == s and line.subsidy_item == "education" and line.certificate is None
    assert {c["code"] for c in line.checks} == {"graduated", "within_12_months", "employed", "tuition_paid", "not_claimed"}
    assert all(c["ok"] for c in line.checks)
    actions.submit_claim(claim, by=personas.trent)
    actions.county_review(claim, by=personas.dave)
    actions.city_approve(claim, by=personas.bob)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and claim.budget == budget
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE


def test_it_takes_the_rule_amount_and_caps_it_at_the_tuition_paid(personas) -> None:
    education_table(personas, amount="3000")
    s = study(personas, tuition="1800.50")
    claim = actions.create_education_claim(by=personas.trent, study=s)
    line = claim.lines.get()
    assert claim.amount == D("1800.50") and line.amount == D("1800.50")
    codes = [r["code"] for r in line.reasons]
    assert codes == ["table", "base", "tuition_cap", "total"]
    cap = next(r for r in line.reasons if r["code"] == "tuition_cap")
    assert "1800.50" in cap["text"] and "3000.00" in cap["text"] and "学费" in cap["text"]
    assert line.reasons[1]["amount"] == "3000.00"


def test_it_uses_the_rule_amount_when_the_tuition_is_higher(personas) -> None:
    education_table(personas, amount="2500")
    claim = actions.create_education_claim(by=personas.trent, study=study(personas, tuition="9000"))
    assert claim.amount == D("2500.00")
    assert "tuition_cap" not in [r["code"] for r in claim.lines.get().reasons]


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"graduated_days_ago": None}, "尚未毕业"),
    ({"graduated_days_ago": -30}, "晚于今天"),
    ({"graduated_days_ago": 400}, "超过12个月"),
    ({"with_employer": False}, "未登记工作单位"),
    ({"tuition": "0"}, "未登记已缴学费"),
])
def test_it_refuses_with_chinese_reasons(personas, kwargs, reason) -> None:
    education_table(personas)
    s = study(personas, **kwargs)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_education_claim(by=personas.trent, study=s)
    assert reason in " ".join(exc.value.messages), exc.value.messages
    assert not ClaimLine.objects.filter(study=s).exists()


def test_it_refuses_when_the_city_has_no_education_rate(personas) -> None:
    f.rule_table(personas)  # no EDUCATION row
    with pytest.raises(actions.ClaimRefused):
        actions.create_education_claim(by=personas.trent, study=study(personas))


def test_it_lets_only_the_person_who_studied_claim(personas) -> None:
    education_table(personas)
    s = study(personas)
    other = f.person_user(f.trainee("王其他"), "otto")
    for who in (other, personas.ivan, personas.dave):
        with pytest.raises(PermissionDenied):
            actions.create_education_claim(by=who, study=s)
    with pytest.raises(PermissionDenied):
        actions.record_study(by=personas.ivan, school="x", programme="y", level="college", mode="online",
                             enrolled_on=f.today(), tuition_paid="1")


def test_it_refuses_to_claim_a_study_twice(personas) -> None:
    education_table(personas)
    s = study(personas)
    first = actions.create_education_claim(by=personas.trent, study=s)
    with pytest.raises(actions.ClaimRefused, match="已申领"):
        actions.create_education_claim(by=personas.trent, study=s)
    line = first.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(claim=first, person=line.person, subsidy_item=SubsidyItem.EDUCATION, study=s,
                                 year=line.year, amount=D("1"))
    actions.cancel_claim(first, by=personas.trent)
    again = actions.create_education_claim(by=personas.trent, study=s)  # a withdrawn claim frees the study
    assert again.lines.get().study == s


def test_it_records_a_study_once_and_validates_it(personas) -> None:
    study(personas)
    with pytest.raises(ValidationError) as exc:
        study(personas)
    assert "programme" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.record_study(by=personas.trent, school="山东大学", programme="会计", level="master", mode="online",
                             enrolled_on=f.today(), graduated_on=f.today() - dt.timedelta(days=1), tuition_paid="-1")
    assert set(exc.value.message_dict) == {"level", "graduated_on", "tuition_paid"}
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyRecord.objects.create(person=personas.lixia_person, school="s", programme="p", level="college",
                                   mode="online", enrolled_on=f.today(), tuition_paid=D("-1"), created_by=personas.trent)


def test_it_rechecks_the_study_on_submit(personas) -> None:
    education_table(personas)
    s = study(personas)
    claim = actions.create_education_claim(by=personas.trent, study=s, payee_account=account(personas))
    StudyRecord.objects.filter(pk=s.pk).update(employer=None)
    with pytest.raises(actions.ClaimRefused, match="未登记工作单位"):
        actions.submit_claim(claim, by=personas.trent)


# ---------------------------------------------------------------- API


def test_it_records_studies_and_claims_through_the_api(personas, client) -> None:
    education_table(personas)
    acct = account(personas)
    client.force_login(personas.trent)
    response = client.post("/api/v1/funds/my/studies", {
        "school": "山东开放大学", "programme": "电气自动化技术", "level": "college", "mode": "adult_exam",
        "enrolled_on": (f.today() - dt.timedelta(days=900)).isoformat(),
        "graduated_on": (f.today() - dt.timedelta(days=30)).isoformat(), "tuition_paid": "2000.00",
        "employer_id": employer().pk,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    study_id = response.json()["id"]
    response = client.post(f"/api/v1/funds/my/studies/{study_id}/claim",
                           {"payee_account_id": acct.pk, "amount": "99999", "status": "payable"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "2000.00" and body["status"] == "draft" and body["subsidy_item"] == "education"
    assert body["lines"][0]["study"] == study_id
    rows = client.get("/api/v1/funds/my/studies").json()
    assert [(r["id"], r["claim"]) for r in rows] == [(study_id, body["number"])]
    assert client.post(f"/api/v1/funds/claims/{body['id']}/submit").status_code == 200
    again = client.post(f"/api/v1/funds/my/studies/{study_id}/claim", {}, content_type="application/json")
    assert again.status_code == 422 and "已申领" in str(again.json())


def test_it_keeps_the_api_to_the_persons_own_studies(personas, client) -> None:
    education_table(personas)
    s = study(personas)
    client.force_login(f.person_user(f.trainee("王其他"), "otto"))
    assert client.get("/api/v1/funds/my/studies").json() == []
    assert client.post(f"/api/v1/funds/my/studies/{s.pk}/claim", {}, content_type="application/json").status_code == 404
    client.force_login(personas.ivan)
    assert client.get("/api/v1/funds/my/studies").status_code == 403
    assert client.post("/api/v1/funds/my/studies", {}, content_type="application/json").status_code in (403, 422)


# ---------------------------------------------------------------- pages


def test_it_records_and_claims_a_study_on_the_my_subsidies_page(personas, client) -> None:
    education_table(personas)
    acct = account(personas)
    org = employer()
    client.force_login(personas.trent)
    page = client.get("/funds/my/")
    assert page.status_code == 200 and 'id="studies"' in page.content.decode()
    response = client.post("/funds/my/studies/", {
        "school": "山东理工大学", "programme": "会计学", "level": "bachelor", "mode": "self_study",
        "enrolled_on": (f.today() - dt.timedelta(days=800)).isoformat(),
        "graduated_on": (f.today() - dt.timedelta(days=20)).isoformat(), "tuition_paid": "3600", "employer": org.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    s = StudyRecord.objects.get(person=personas.lixia_person)
    assert s.employer == org and s.created_by == personas.trent
    assert "山东理工大学" in client.get("/funds/my/").content.decode()
    bad = client.post("/funds/my/studies/", {"school": "x", "programme": "y", "level": "bachelor", "mode": "online",
                                             "enrolled_on": "2025-01-01", "tuition_paid": "-5"})
    assert bad.status_code == 400
    response = client.post("/funds/my/studies/claim/", {"study": s.pk, "payee_account": acct.pk, "amount": "1"})
    claim = queries.my_subsidies(personas.trent).get(study=s).claim
    assert response.status_code == 302 and response["Location"] == f"/funds/claims/{claim.pk}/"
    assert claim.amount == D("3000.00")
    detail = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert "山东理工大学" in detail and "会计学" in detail and "3,600.00" in detail
    other = f.person_user(f.trainee("王其他"), "otto")
    client.force_login(other)
    assert client.post("/funds/my/studies/claim/", {"study": s.pk, "payee_account": acct.pk}).status_code in (302, 403)
    assert ClaimLine.objects.filter(study=s).count() == 1


def test_a_paid_education_subsidy_counts_towards_the_frontline_education_target(personas) -> None:
    """Target frontline_education (每年补贴不少于1万名一线职工学历与能力提升) counts persons paid
    the 求学圆梦 subsidy in the year, in the claim's region, once each."""
    from types import SimpleNamespace

    from jixing.stats import queries as stats_queries

    education_table(personas)
    f.budget(personas, source="mass_organisation")
    claim = actions.create_education_claim(by=personas.trent, study=study(personas), payee_account=account(personas))
    actions.submit_claim(claim, by=personas.trent)
    actions.county_review(claim, by=personas.dave)
    actions.city_approve(claim, by=personas.bob)
    claim.refresh_from_db()
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    year = f.today().year
    assert queries.education_subsidised_persons(year=year) == set()  # payable is not yet paid
    f.paid_batch(SimpleNamespace(p=personas))  # type: ignore[arg-type]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID

    person = personas.lixia_person.pk
    assert queries.education_subsidised_persons(year=year) == {person}
    assert queries.education_subsidised_persons(year=year, region_prefix="3701") == {person}
    assert queries.education_subsidised_persons(year=year, region_prefix="3702") == set()
    assert queries.education_subsidised_persons(year=year - 1) == set()

    def frontline(scope):
        rows = stats_queries.progress_rows(scope, year=year, today=f.today())
        return next(r for r in rows if r.target.code == "frontline_education").progress.actual

    assert frontline(stats_queries.StatsScope()) == 1
    assert frontline(stats_queries.StatsScope(region_prefix="3702")) == 0
