"""A trainee's own claims through the page and the API (issue 12): 技能提升补贴 on an outside
certificate of the imported national register."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from jixing.evaluation.models import OutsideCertificate
from jixing.funds.models import Claim, ClaimLine, SubsidyItem
from jixing.funds.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside(personas, tmp_path):
    """Y0001 is the trainee's (四级 = order 3, 90 days old, insured 12 months); Y0100 is another person's."""
    f.rule_table(personas)
    f.rule_table(personas, city="370200")
    person, other = personas.lixia_person, personas.shizhong_person
    occ = f.occupation(1)
    issued = f.today() - dt.timedelta(days=90)
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["证书编号", "姓名", "公民身份号码", "职业(工种)", "等级", "发证日期", "评价机构"])
        w.writerow(["Y0001", person.name, person.id_number, occ.name, "四级/中级工", issued.isoformat(), "青岛某评价中心"])
        w.writerow(["Y0100", other.name, other.id_number, occ.name, "四级", issued.isoformat(), "某中心"])
    call_command("import_certificates", str(path), "--json", "--user", "dave", stdout=io.StringIO())
    f.insured(person, months=12, until=issued)
    card = f.card_account(personas, person)
    return person, occ, card


def test_it_lists_only_the_persons_outside_certificates_and_claims_one_on_the_page(personas, outside, client) -> None:
    person, _occ, card = outside
    mine, others = OutsideCertificate.objects.get(number="Y0001"), OutsideCertificate.objects.get(number="Y0100")
    client.force_login(personas.trent)
    page = client.get("/funds/my/").content.decode()
    assert "Y0001" in page and "青岛某评价中心" in page and "Y0100" not in page
    # another person's register certificate cannot be claimed by posting its id: 404, as the API
    assert client.post("/funds/my/outside-claim/", {"outside_certificate": others.pk,
                                                     "payee_account": card.pk}).status_code == 404
    assert not Claim.objects.exists()
    response = client.post("/funds/my/outside-claim/", {"outside_certificate": mine.pk, "payee_account": card.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    line = ClaimLine.objects.get()
    assert line.outside_certificate_id == mine.pk and line.person_id == person.pk
    assert line.subsidy_item == SubsidyItem.SKILL_UPGRADE and line.insured_months == 12
    assert response["Location"] == f"/funds/claims/{line.claim_id}/"
    # once claimed, it is no longer offered and cannot be posted again
    again = client.post("/funds/my/outside-claim/", {"outside_certificate": mine.pk, "payee_account": card.pk},
                        follow=True)
    assert "已申领" in again.content.decode() and ClaimLine.objects.count() == 1


def test_it_refuses_the_page_to_other_roles(personas, outside, client) -> None:
    client.force_login(personas.ivan)
    mine = OutsideCertificate.objects.get(number="Y0001")
    assert client.post("/funds/my/outside-claim/", {"outside_certificate": mine.pk}).status_code == 403
    assert not Claim.objects.exists()


def test_it_claims_on_an_outside_certificate_through_the_api(personas, outside, client) -> None:
    person, occ, card = outside
    client.force_login(personas.trent)
    url = "/api/v1/funds/my/outside-certificate-claims"
    wrong_level = client.post(url, {"number": "Y0001", "occupation_id": occ.pk, "level": 4,
                                    "payee_account_id": card.pk}, content_type="application/json")
    assert wrong_level.status_code == 422 and "level" in str(wrong_level.json())
    not_mine = client.post(url, {"number": "Y0100", "occupation_id": occ.pk, "level": 3,
                                 "payee_account_id": card.pk}, content_type="application/json")
    assert not_mine.status_code == 422 and not Claim.objects.exists()
    response = client.post(url, {"number": "y0001", "occupation_id": occ.pk, "level": 3,
                                 "payee_account_id": card.pk, "amount": "99999", "status": "payable"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["subsidy_item"] == "skill_upgrade"
    line = ClaimLine.objects.get()
    assert line.outside_certificate.number == "Y0001" and line.person_id == person.pk
    assert body["amount"] == str(line.amount) and line.amount < 99999
    again = client.post(url, {"number": "Y0001", "occupation_id": occ.pk, "level": 3, "payee_account_id": card.pk},
                        content_type="application/json")
    assert again.status_code in (409, 422) and Claim.objects.count() == 1


def test_it_refuses_the_api_to_other_roles(personas, outside, client) -> None:
    _person, occ, _card = outside
    client.force_login(personas.ivan)
    response = client.post("/api/v1/funds/my/outside-certificate-claims",
                           {"number": "Y0001", "occupation_id": occ.pk, "level": 3}, content_type="application/json")
    assert response.status_code == 403 and not Claim.objects.exists()


# ---------------------------------------------------------------- 生活费补贴 (the trainee's own)


@pytest.fixture
def living(personas):
    """A completed enrollment of a person in the employment-difficulty group, their trainee login and card."""
    from jixing.core.testing import make_user
    from jixing.funds import actions
    from jixing.registry.models import PersonGroup, TargetGroup

    w = f.funded_class(personas, trainees=2)
    enrollment = w.enrollments[0]
    trainee = make_user("lina", "trainee", person=enrollment.person)
    PersonGroup.objects.get_or_create(person=enrollment.person, group=TargetGroup.objects.get(code="employment_difficulty"),
                                      defaults={"valid_from": dt.date(2020, 1, 1)})
    card = actions.register_card_account(by=trainee, person=enrollment.person, bank_name="中国农业银行",
                                         account_number="6228480099990000111")
    return w, enrollment, trainee, card


def test_it_claims_the_living_allowance_on_the_page(living, client) -> None:
    w, enrollment, trainee, card = living
    client.force_login(trainee)
    page = client.get("/funds/my/").content.decode()
    assert enrollment.training_class.name in page and "/funds/my/living-allowance/" in page
    # another trainee's enrollment cannot be posted: 404, as the API (not 403: it is not in their data)
    other = w.enrollments[1]
    assert client.post("/funds/my/living-allowance/", {"enrollment": other.pk,
                                                       "payee_account": card.pk}).status_code == 404
    assert client.post("/funds/my/living-allowance/", {"enrollment": "x1", "payee_account": card.pk}).status_code == 404
    response = client.post("/funds/my/living-allowance/", {"enrollment": enrollment.pk, "payee_account": card.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    line = ClaimLine.objects.get()
    assert line.subsidy_item == SubsidyItem.LIVING_ALLOWANCE and line.enrollment_id == enrollment.pk
    assert line.claim.payee_account_id == card.pk and line.claim.organisation_id is None and line.amount > 0
    # claimed once: no longer offered
    assert "/funds/my/living-allowance/" not in client.get("/funds/my/").content.decode()


def test_it_claims_the_living_allowance_through_the_api(living, client, personas) -> None:
    w, enrollment, trainee, card = living
    client.force_login(trainee)
    other = client.post(f"/api/v1/funds/my/enrollments/{w.enrollments[1].pk}/living-allowance-claim",
                        {"payee_account_id": card.pk}, content_type="application/json")
    assert other.status_code == 404
    response = client.post(f"/api/v1/funds/my/enrollments/{enrollment.pk}/living-allowance-claim",
                           {"payee_account_id": card.pk, "amount": "99999", "status": "payable"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["subsidy_item"] == "living_allowance"
    assert body["amount"] == str(ClaimLine.objects.get().amount)
    again = client.post(f"/api/v1/funds/my/enrollments/{enrollment.pk}/living-allowance-claim",
                        {"payee_account_id": card.pk}, content_type="application/json")
    assert again.status_code in (409, 422) and Claim.objects.count() == 1
    client.force_login(personas.ivan)
    assert client.post(f"/api/v1/funds/my/enrollments/{enrollment.pk}/living-allowance-claim", {},
                       content_type="application/json").status_code == 403


# ---------------------------------------------------------------- 社会保障卡 account


def test_it_registers_the_persons_own_card_account_through_the_api(personas, client) -> None:
    from jixing.core.models import AuditEvent
    from jixing.funds.models import AccountKindOfPayee, AccountSource, PayeeAccount

    client.force_login(personas.trent)
    url = "/api/v1/funds/my/card-account"
    bad = client.post(url, {"bank_name": "中国农业银行", "account_number": "12AB"}, content_type="application/json")
    assert bad.status_code == 422 and "account_number" in str(bad.json()) and not PayeeAccount.objects.exists()
    response = client.post(url, {"bank_name": "中国农业银行", "account_number": "6228 4800 1234 5670 000"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["masked_number"] == "**** 0000" and "6228480012345670000" not in response.content.decode()
    account = PayeeAccount.objects.get()
    assert account.person_id == personas.lixia_person.pk and account.kind == AccountKindOfPayee.SOCIAL_SECURITY_CARD
    assert account.source == AccountSource.OWNER and body["kind"] == AccountKindOfPayee.SOCIAL_SECURITY_CARD
    assert AuditEvent.objects.filter(event="funds.payee_account.card").count() == 1
    # the same number again: the same account, not a second one
    again = client.post(url, {"bank_name": "中国农业银行", "account_number": "6228480012345670000"},
                        content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == account.pk and PayeeAccount.objects.count() == 1


def test_it_refuses_the_card_account_api_to_other_roles(personas, client) -> None:
    from jixing.funds.models import PayeeAccount

    client.force_login(personas.ivan)
    response = client.post("/api/v1/funds/my/card-account", {"bank_name": "某行", "account_number": "6228480012345670000"},
                           content_type="application/json")
    assert response.status_code == 403 and not PayeeAccount.objects.exists()


def test_it_answers_404_for_another_persons_certificate_and_study_on_the_pages(personas, client) -> None:
    """The person's own claim pages answer 404 (not 403) for another person's object, like the
    API, whether or not the rest of the form is valid; nothing is written."""
    from jixing.funds.models import StudyLevel, StudyMode, StudyRecord

    f.rule_table(personas)
    other = personas.shizhong_person
    cert = f.certificate(other, lvl=3, issued_on=f.today() - dt.timedelta(days=30))
    study = StudyRecord.objects.create(
        person=other, school="山东开放大学", programme="机电一体化", level=StudyLevel.COLLEGE,
        mode=StudyMode.OPEN_UNIVERSITY, enrolled_on=dt.date(2025, 3, 1), chsi_report_number="2025A1B2C3D4E5",
        chsi_verification_code="A1B2C3D4E5F6G7H8", frontline_post="装配工", tuition_paid=0, created_by=personas.dave)
    card = f.card_account(personas, personas.lixia_person)
    client.force_login(personas.trent)
    for url, body in (("/funds/my/claim/", {"certificate": cert.pk}), ("/funds/my/studies/claim/", {"study": study.pk})):
        assert client.post(url, {**body, "payee_account": card.pk}).status_code == 404
        assert client.post(url, body).status_code == 404  # the account missing changes nothing
    assert not Claim.objects.exists()


def test_a_restricted_trainee_is_refused_the_living_allowance_naming_the_restriction(living, client, personas) -> None:
    """Every claim of a person's own checks the restriction (not only 技能提升补贴): the answer
    names which restriction, since when and the document; nothing is written."""
    from django.utils import timezone

    from jixing.registry.actions import restrict_person

    _w, enrollment, trainee, card = living
    since = timezone.localdate() - dt.timedelta(days=5)
    restrict_person(enrollment.person, by=personas.dave, kind="blacklist", reason="冒领生活费补贴",
                    starts_on=since, reference="LX-BL-2026-3")
    client.force_login(trainee)
    response = client.post(f"/api/v1/funds/my/enrollments/{enrollment.pk}/living-allowance-claim",
                           {"payee_account_id": card.pk}, content_type="application/json")
    assert response.status_code == 422, response.content
    text = response.content.decode()
    assert "LX-BL-2026-3" in text and since.isoformat() in text
    assert not Claim.objects.exists()
