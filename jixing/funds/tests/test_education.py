"""求学圆梦 by the 2025 trade-union notices (issue 12, Build 5; docs/education_subsidy.md): a
frontline worker newly enrolled since the city's start date records the study with its 学信网
学籍在线验证报告, employer and post; the claim is a fixed amount once per 学历层次, checked
against contributions at the employer, and reviewed by trade-union officers, not HRSS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jixing.accounts.models import Role
from jixing.core.testing import make_user
from jixing.core.workflow import IllegalTransition
from jixing.employment.models import InsuranceContribution
from jixing.funds import actions, queries
from jixing.funds.models import Claim, ClaimLine, ClaimStatus, StudyRecord, SubsidyItem
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db
START = dt.date(2024, 9, 1)


def education_table(personas, amount: str = "1000", **kw):
    rates = [*f.jinan_rates(), {"item": SubsidyItem.EDUCATION, "payee_kind": "person", "amount": D(amount),
                                "note": "求学圆梦"}]
    table = f.rule_table(personas, rates=rates)
    if kw:
        for key, value in kw.items():
            setattr(table, key, value)
        table.save()
    return table


def employer():
    org, _user = f.enterprise_user(None)  # type: ignore[arg-type]
    return org


def insure(person, org, months: int = 3) -> None:
    month = f.today().replace(day=1)
    for _ in range(months):
        InsuranceContribution.objects.create(person=person, employer=org, employer_uscc=org.uscc, month=month,
                                             base=D("4500.00"))
        month = (month - dt.timedelta(days=1)).replace(day=1)


def study(personas, *, enrolled_on: dt.date = dt.date(2025, 3, 1), level: str = "bachelor", insured: bool = True,
          programme: str = "机械设计制造及其自动化", school: str = "山东开放大学", user=None, tuition: str = "0",
          report: str = "2025A1B2C3D4E5", code: str = "A1B2C3D4E5F6G7H8"):
    org = employer()
    person = (user or personas.trent).person
    if insured and not InsuranceContribution.objects.filter(person=person).exists():
        insure(person, org)
    return actions.record_study(
        by=user or personas.trent, school=school, programme=programme, level=level, mode="open_university",
        enrolled_on=enrolled_on, chsi_report_number=report, chsi_verification_code=code, employer=org,
        frontline_post="数控车工", tuition_paid=tuition, evidence_note="学籍在线验证报告",
    )


def account(personas):
    person = personas.lixia_person
    return actions.register_payee_account(by=personas.trent, holder_name=person.name, bank_name="中国农业银行",
                                          account_number="6228480012345678901")


@pytest.fixture
def union(personas):
    return {"lixia": make_user("ulan", Role.UNION_OFFICER, region_id="370102"),
            "jinan": make_user("ujin", Role.UNION_OFFICER, region_id="370100"),
            "qingdao": make_user("uqing", Role.UNION_OFFICER, region_id="370200")}


# ---------------------------------------------------------------- the union review path


def test_it_walks_an_education_claim_through_the_trade_union_to_payable(personas, union) -> None:
    education_table(personas)
    budget = f.budget(personas, source="mass_organisation")
    s = study(personas)
    claim = actions.create_education_claim(by=personas.trent, study=s, payee_account=account(personas))
    assert (claim.subsidy_item, claim.payee_kind, claim.person, claim.status) == (
        "education", "person", personas.lixia_person, ClaimStatus.DRAFT)
    assert claim.amount == D("1000.00") and claim.fund_source.code == "mass_organisation"
    line = claim.lines.get()
    assert line.study == s and line.study_level == "bachelor"
    assert {c["code"] for c in line.checks} == {
        "enrolled", "verification_report", "frontline_post", "employed_insured", "once_per_level"}
    assert all(c["ok"] for c in line.checks)
    claim = actions.submit_claim(claim, by=personas.trent)
    # HRSS officers no longer review these claims, at any level
    for hrss in (personas.dave, personas.bob, personas.alice):
        with pytest.raises(PermissionDenied):
            actions.approve_claim(claim, by=hrss)
    with pytest.raises(PermissionDenied):
        actions.return_claim(claim, by=personas.dave, reason="材料不全需要补充")
    with pytest.raises(PermissionDenied):  # another region's union
        actions.county_review(claim, by=union["qingdao"])
    assert list(queries.review_queue(personas.dave)) == []
    assert list(queries.review_queue(union["lixia"])) == [claim]
    actions.county_review(claim, by=union["lixia"])
    with pytest.raises(PermissionDenied):  # city approval is the city union's
        actions.city_approve(claim, by=union["lixia"])
    assert list(queries.review_queue(union["jinan"])) == [claim]
    actions.city_approve(claim, by=union["jinan"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE and claim.budget == budget
    assert (claim.county_reviewed_by, claim.city_approved_by) == (union["lixia"], union["jinan"])
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYABLE


def test_it_keeps_union_officers_to_the_education_claims_of_their_region(personas, union) -> None:
    w = f.funded_class(personas)
    vocational = f.claim_in(w, ClaimStatus.SUBMITTED)
    assert not Claim.objects.visible_to(union["lixia"]).filter(pk=vocational.pk).exists()
    with pytest.raises(PermissionDenied):
        actions.county_review(vocational, by=union["lixia"])
    assert list(queries.review_queue(union["lixia"])) == []
    assert list(queries.review_queue(personas.dave)) == [vocational]


def test_it_lets_the_union_return_and_reject_and_the_person_resubmit(personas, union) -> None:
    education_table(personas)
    claim = actions.create_education_claim(by=personas.trent, study=study(personas), payee_account=account(personas))
    claim = actions.submit_claim(claim, by=personas.trent)
    actions.return_claim(claim, by=union["lixia"], reason="请补充学籍在线验证报告")
    claim = actions.submit_claim(claim, by=personas.trent)
    actions.reject_claim(claim, by=union["jinan"], reason="非一线岗位职工")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and not claim.lines.filter(status="live").exists()
    with pytest.raises(IllegalTransition):
        actions.approve_claim(claim, by=union["lixia"])


# ---------------------------------------------------------------- amount and gates


def test_it_pays_the_fixed_amount_whatever_the_tuition(personas) -> None:
    education_table(personas, amount="1000")
    claim = actions.create_education_claim(by=personas.trent, study=study(personas, tuition="600"))
    assert claim.amount == D("1000.00")
    assert "tuition_cap" not in [r["code"] for r in claim.lines.get().reasons]


def test_it_caps_at_the_tuition_only_when_the_city_table_says_so(personas) -> None:
    education_table(personas, amount="1000", education_tuition_cap=True)
    claim = actions.create_education_claim(by=personas.trent, study=study(personas, tuition="600.50"))
    line = claim.lines.get()
    assert claim.amount == D("600.50")
    assert [r["code"] for r in line.reasons] == ["table", "base", "tuition_cap", "total"]


@pytest.mark.parametrize(("enrolled_on", "ok"), [
    (dt.date(2024, 8, 31), False), (dt.date(2024, 9, 1), True), (dt.date(2025, 3, 1), True), (dt.date(2023, 9, 1), False),
])
def test_it_funds_only_students_enrolled_on_or_after_the_start_date(personas, enrolled_on, ok) -> None:
    education_table(personas)
    s = study(personas, enrolled_on=enrolled_on)
    if ok:
        assert actions.create_education_claim(by=personas.trent, study=s).amount == D("1000.00")
        return
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_education_claim(by=personas.trent, study=s)
    text = " ".join(exc.value.messages)
    assert enrolled_on.isoformat() in text and "2024-09-01" in text and "早于" in text, text
    assert not ClaimLine.objects.filter(study=s).exists()


def test_it_takes_the_start_date_from_the_city_table(personas) -> None:
    education_table(personas, education_enrolled_from=dt.date(2025, 9, 1))
    with pytest.raises(actions.ClaimRefused, match="2025-09-01"):
        actions.create_education_claim(by=personas.trent, study=study(personas, enrolled_on=dt.date(2025, 3, 1)))


def test_it_refuses_a_person_not_insured_at_the_employer_on_the_claim_date(personas) -> None:
    education_table(personas)
    s = study(personas, insured=False)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_education_claim(by=personas.trent, study=s)
    assert "缴费" in " ".join(exc.value.messages) and s.employer.name in " ".join(exc.value.messages)
    # contributions by another employer do not count
    month = f.today().replace(day=1)
    InsuranceContribution.objects.create(person=s.person, employer=None, employer_uscc="91370100MA3C00001X",
                                         month=month, base=D("4000"))
    with pytest.raises(actions.ClaimRefused):
        actions.create_education_claim(by=personas.trent, study=s)
    # last month's contribution at the employer is enough (files arrive a month late)
    InsuranceContribution.objects.create(person=s.person, employer=s.employer, employer_uscc=s.employer.uscc,
                                         month=(month - dt.timedelta(days=1)).replace(day=1), base=D("4000"))
    assert actions.create_education_claim(by=personas.trent, study=s).amount == D("1000.00")


def test_it_refuses_a_second_claim_at_the_same_level(personas) -> None:
    education_table(personas)
    first_study = study(personas)
    first = actions.create_education_claim(by=personas.trent, study=first_study)
    second_study = study(personas, school="山东大学", programme="工商管理")  # another bachelor's programme
    with pytest.raises(actions.ClaimRefused, match="每人每个层次"):
        actions.create_education_claim(by=personas.trent, study=second_study)
    # the database holds it too, whatever the code above does
    line = first.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimLine.objects.create(claim=first, person=line.person, subsidy_item=SubsidyItem.EDUCATION,
                                 study=second_study, study_level="bachelor", year=line.year, amount=D("1"))
    # another level is another claim
    college = study(personas, level="college", school="济南职业学院", programme="电气自动化技术")
    assert actions.create_education_claim(by=personas.trent, study=college).lines.get().study_level == "college"
    # a withdrawn claim frees the level
    actions.cancel_claim(first, by=personas.trent)
    assert actions.create_education_claim(by=personas.trent, study=second_study).amount == D("1000.00")


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


def test_it_rechecks_the_study_on_submit(personas) -> None:
    education_table(personas)
    s = study(personas)
    claim = actions.create_education_claim(by=personas.trent, study=s, payee_account=account(personas))
    InsuranceContribution.objects.filter(person=s.person).delete()
    with pytest.raises(actions.ClaimRefused, match="缴费"):
        actions.submit_claim(claim, by=personas.trent)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("field", "value"), [
    ("chsi_report_number", "12345"), ("chsi_report_number", "2025-报告-0001"), ("chsi_report_number", "A" * 21),
    ("chsi_verification_code", "ABC123"), ("chsi_verification_code", "A1B2C3D4E5F6G7H8Z"),
    ("chsi_verification_code", "A1B2C3D4E5F6G7H!"),
])
def test_it_refuses_a_chsi_number_of_the_wrong_shape_naming_the_field(personas, field, value) -> None:
    values = {"report": "2025A1B2C3D4E5", "code": "A1B2C3D4E5F6G7H8"}
    values["report" if field == "chsi_report_number" else "code"] = value
    with pytest.raises(ValidationError) as exc:
        study(personas, **values)
    assert set(exc.value.message_dict) == {field}
    assert "学信网" in exc.value.message_dict[field][0]
    assert not StudyRecord.objects.exists()


def test_the_chsi_formats_are_a_dated_assumption_named_in_the_refusal(personas) -> None:
    """The shapes are a dated parameter marked as an assumption (docs/education_subsidy.md), and
    a refusal says so, with the date, instead of refusing silently."""
    from pathlib import Path

    formats = actions.CHSI_FORMATS
    assert formats.status == "assumption" and formats.as_of == dt.date(2026, 12, 2)
    doc = (Path(__file__).resolve().parents[3] / "docs" / "education_subsidy.md").read_text(encoding="utf-8")
    assert "CHSI_FORMATS" in doc and "assumption** (2026-12-02)" in doc
    with pytest.raises(ValidationError) as exc:
        study(personas, report="12345", code="ABC123")
    for field in ("chsi_report_number", "chsi_verification_code"):
        message = exc.value.message_dict[field][0]
        assert "2026-12-02" in message and "学信网" in message


def test_it_accepts_chsi_numbers_with_spaces_and_lower_case(personas) -> None:
    s = study(personas, report="2025 a1b2-c3d4e5", code="a1b2 c3d4 e5f6 g7h8")
    assert (s.chsi_report_number, s.chsi_verification_code) == ("2025A1B2C3D4E5", "A1B2C3D4E5F6G7H8")
    assert study(personas, school="山东大学", code="123456789012").chsi_verification_code == "123456789012"


def test_it_requires_the_employer_and_frontline_post(personas) -> None:
    with pytest.raises(ValidationError) as exc:
        actions.record_study(by=personas.trent, school="山东大学", programme="会计", level="master", mode="online",
                             enrolled_on=f.today() + dt.timedelta(days=3), chsi_report_number="2025A1B2C3D4E5",
                             chsi_verification_code="A1B2C3D4E5F6G7H8", employer=None, frontline_post=" ",
                             tuition_paid="-1")
    assert set(exc.value.message_dict) == {"level", "employer", "frontline_post", "enrolled_on", "tuition_paid"}
    with pytest.raises(PermissionDenied):
        actions.record_study(by=personas.ivan, school="x", programme="y", level="college", mode="online",
                             enrolled_on=f.today(), chsi_report_number="2025A1B2C3D4E5",
                             chsi_verification_code="A1B2C3D4E5F6G7H8", employer=employer(), frontline_post="车工")


# ---------------------------------------------------------------- API and pages


def test_it_records_studies_and_claims_through_the_api(personas, client) -> None:
    education_table(personas)
    acct = account(personas)
    org = employer()
    insure(personas.lixia_person, org)
    client.force_login(personas.trent)
    body = {"school": "山东开放大学", "programme": "电气自动化技术", "level": "college", "mode": "adult_exam",
            "enrolled_on": "2025-03-01", "employer_id": org.pk, "frontline_post": "维修电工",
            "chsi_report_number": "short", "chsi_verification_code": "A1B2C3D4E5F6G7H8"}
    bad = client.post("/api/v1/funds/my/studies", body, content_type="application/json")
    assert bad.status_code == 422 and "chsi_report_number" in str(bad.json())
    response = client.post("/api/v1/funds/my/studies", {**body, "chsi_report_number": "2025A1B2C3D4E5"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["frontline_post"] == "维修电工"
    study_id = response.json()["id"]
    response = client.post(f"/api/v1/funds/my/studies/{study_id}/claim",
                           {"payee_account_id": acct.pk, "amount": "99999", "status": "payable"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    claim = response.json()
    assert claim["amount"] == "1000.00" and claim["status"] == "draft" and claim["subsidy_item"] == "education"
    rows = client.get("/api/v1/funds/my/studies").json()
    assert [(r["id"], r["claim"]) for r in rows] == [(study_id, claim["number"])]


def test_it_records_a_study_on_the_page_and_shows_what_each_check_found(personas, client) -> None:
    education_table(personas)
    account(personas)
    org = employer()
    client.force_login(personas.trent)
    form = {"school": "山东理工大学", "programme": "会计学", "level": "bachelor", "mode": "self_study",
            "enrolled_on": "2024-06-01", "employer": org.pk, "frontline_post": "仓储理货员",
            "chsi_report_number": "2025A1B2C3D4E5", "chsi_verification_code": "A1B2C3D4"}
    bad = client.post("/funds/my/studies/", form)
    assert bad.status_code == 400 and "16" in bad.content.decode() and not StudyRecord.objects.exists()
    response = client.post("/funds/my/studies/", {**form, "chsi_verification_code": "A1B2C3D4E5F6G7H8"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/funds/my/").content.decode()
    # enrolled before the start date and not insured: both reasons with what was found
    assert "2024-06-01" in page and "2024-09-01" in page and "缴费" in page


def test_it_lets_the_union_officer_open_the_review_queue_and_the_claim(personas, union, client) -> None:
    education_table(personas)
    claim = actions.create_education_claim(by=personas.trent, study=study(personas), payee_account=account(personas))
    claim = actions.submit_claim(claim, by=personas.trent)
    client.force_login(union["lixia"])
    queue = client.get("/funds/review/")
    assert queue.status_code == 200 and claim.number in queue.content.decode()
    detail = client.get(f"/funds/claims/{claim.pk}/")
    assert detail.status_code == 200 and "山东开放大学" in detail.content.decode()
    response = client.post(f"/funds/claims/{claim.pk}/approve/", {"note": "报告已核验"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COUNTY_REVIEWED and claim.county_reviewed_by == union["lixia"]
    client.force_login(union["qingdao"])
    assert client.get(f"/funds/claims/{claim.pk}/").status_code == 404
    client.force_login(personas.dave)
    assert claim.number not in client.get("/funds/review/").content.decode()


def test_a_paid_education_subsidy_counts_towards_the_frontline_education_target(personas, union) -> None:
    """Target frontline_education (每年补贴不少于1万名一线职工学历与能力提升) counts persons paid
    the 求学圆梦 subsidy in the year, in the claim's region, once each."""
    from types import SimpleNamespace

    education_table(personas)
    f.budget(personas, source="mass_organisation")
    claim = actions.create_education_claim(by=personas.trent, study=study(personas), payee_account=account(personas))
    claim = actions.submit_claim(claim, by=personas.trent)
    actions.county_review(claim, by=union["lixia"])
    actions.city_approve(claim, by=union["jinan"])
    claim.refresh_from_db()
    actions.close_public_notice(claim, on=claim.notice_ends_on + dt.timedelta(days=1))
    year = f.today().year
    assert queries.education_subsidised_persons(year=year) == set()
    f.paid_batch(SimpleNamespace(p=personas))  # type: ignore[arg-type]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert queries.education_subsidised_persons(year=year) == {personas.lixia_person.pk}
    assert queries.education_subsidised_persons(year=year, region_prefix="3702") == set()
