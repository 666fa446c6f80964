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
    # another person's register certificate cannot be claimed by posting its id
    assert client.post("/funds/my/outside-claim/", {"outside_certificate": others.pk,
                                                     "payee_account": card.pk}).status_code == 403
    assert not Claim.objects.exists()
    response = client.post("/funds/my/outside-claim/", {"outside_certificate": mine.pk, "payee_account": card.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    line = ClaimLine.objects.get()
    assert line.outside_certificate_id == mine.pk and line.person_id == person.pk
    assert line.subsidy_item == SubsidyItem.SKILL_UPGRADE and line.insured_months == 12
    assert response["Location"] == f"/funds/claims/{line.claim_id}/"
    # once claimed, it is no longer offered and cannot be posted again
    assert client.post("/funds/my/outside-claim/", {"outside_certificate": mine.pk,
                                                     "payee_account": card.pk}).status_code == 403


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
