"""技能提升补贴 through the actions (issue 12): insurance months on the certificate date, a
pension-only person, the benefit day, routing to the insured city, the card account, a
blacklisted person, outside certificates matched and mismatched, the card-bank import and the
living allowance paid to the trainee."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jixing.funds import actions
from jixing.funds.models import AccountKindOfPayee, AccountSource, ClaimStatus, PayeeKind, SubsidyItem
from jixing.funds.tests import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup(personas):
    f.rule_table(personas)
    f.rule_table(personas, city="370200")
    person = personas.lixia_person
    cert = f.certificate(person, lvl=3, issued_on=f.today() - dt.timedelta(days=200))
    return personas, person, cert


def problems_of(exc: actions.ClaimRefused) -> str:
    return "；".join(text for _label, texts in exc.lines for text in texts)


def test_it_refuses_eleven_months_and_accepts_twelve(setup) -> None:
    personas, person, cert = setup
    f.insured(person, months=11, until=cert.issued_on)
    card = f.card_account(personas, person)
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    assert "累计缴费 11 个月，需满 12 个月" in problems_of(exc.value)
    f.insured(person, months=1, until=cert.issued_on - dt.timedelta(days=400), employer_uscc="91370102MA3C4ZZZ9X")
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    line = claim.lines.get()
    assert line.insured_months == 12 and claim.amount == D("1500.00")
    assert any(c["code"] == "insurance_months" and c["ok"] and "12 个月" in c["text"] for c in line.checks)
    assert any(c["code"] == "card_account" and c["ok"] for c in line.checks)


def test_it_does_not_count_pension_only_rows(setup) -> None:
    personas, person, cert = setup
    f.insured(person, months=40, until=cert.issued_on, kind="pension")
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=f.card_account(personas, person))
    assert "累计缴费 0 个月" in problems_of(exc.value) and "40 个月只缴纳了其他险种" in problems_of(exc.value)


def test_it_accepts_a_person_drawing_benefit_on_the_issue_day(setup) -> None:
    from jixing.employment.models import UnemploymentBenefitPeriod

    personas, person, cert = setup
    f.insured(person, months=3, until=cert.issued_on - dt.timedelta(days=120))
    UnemploymentBenefitPeriod.objects.create(person=person, starts_on=cert.issued_on - dt.timedelta(days=60),
                                             ends_on=cert.issued_on, city="3701")
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=f.card_account(personas, person))
    assert any(c["code"] == "insurance_months" and "正在领取失业保险金" in c["text"] for c in claim.lines.get().checks)


def test_it_routes_the_claim_to_the_insured_city_not_where_the_person_lives(setup) -> None:
    personas, person, cert = setup
    assert person.current_region_id == "370102"
    f.insured(person, months=12, until=cert.issued_on, city="3702")
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=f.card_account(personas, person))
    assert claim.county_id == "370200" and claim.rule_table.city_id == "370200"
    assert any(c["code"] == "insured_city" and "3702" in c["text"] for c in claim.lines.get().checks)


def test_it_requires_the_social_security_card_account(setup) -> None:
    personas, person, cert = setup
    f.insured(person, months=12, until=cert.issued_on)
    plain = actions.register_payee_account(by=personas.trent, holder_name=person.name, bank_name="中国农业银行",
                                           account_number="6228480012345670000")
    with pytest.raises(ValidationError) as exc:
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=plain)
    assert "payee_account" in exc.value.message_dict
    from jixing.funds.models import Claim, ClaimLine

    assert not Claim.objects.exists() and not ClaimLine.objects.exists()  # nothing half-written
    with pytest.raises(ValidationError):
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=None)
    # the person marks the same account as their card account: now it is accepted
    card = actions.register_card_account(by=personas.trent, person=person, bank_name="中国农业银行",
                                         account_number="6228480012345670000")
    assert card.pk == plain.pk and card.kind == AccountKindOfPayee.SOCIAL_SECURITY_CARD
    claim = actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    with pytest.raises(ValidationError):
        actions.set_claim_payee_account(claim, by=personas.trent, payee_account=actions.register_payee_account(
            by=personas.trent, holder_name=person.name, bank_name="招商银行", account_number="6225880000000001"))


def test_it_refuses_a_blacklisted_person(setup) -> None:
    from jixing.registry.actions import restrict_person

    personas, person, cert = setup
    f.insured(person, months=12, until=cert.issued_on)
    restrict_person(person, by=personas.dave, kind="blacklist", reason="骗取补贴被列入黑名单",
                    starts_on=f.today() - dt.timedelta(days=10), reference="JC-2026-001")
    with pytest.raises(actions.ClaimRefused) as exc:
        actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=f.card_account(personas, person))
    assert "JC-2026-001" in problems_of(exc.value)


def _register_file(tmp_path, rows):
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["证书编号", "姓名", "公民身份号码", "职业(工种)", "等级", "发证日期", "评价机构"])
        w.writerows(rows)
    return path


def _run(command, path, user="dave"):
    out = io.StringIO()
    call_command(command, str(path), "--json", "--user", user, stdout=out)
    return json.loads(out.getvalue())


def test_it_claims_on_an_outside_certificate_found_exactly(setup, tmp_path) -> None:
    from jixing.evaluation.models import OutsideCertificate

    personas, person, own = setup
    occ = f.occupation(1)
    issued = f.today() - dt.timedelta(days=90)
    summary = _run("import_certificates", _register_file(tmp_path, [
        ["Y0001", person.name, person.id_number, occ.name, "四级/中级工", issued.isoformat(), "青岛某评价中心"],
        ["Y0002", person.name, person.id_number, occ.name, "九级", issued.isoformat(), "青岛某评价中心"],  # unknown level
        [own.number, person.name, person.id_number, occ.name, "五级", issued.isoformat(), "某机构"],  # disagrees with ours
    ]))
    assert summary["created"] == 1
    assert {(r["row"], r["field"]) for r in summary["rejected"]} == {(3, "等级"), (4, "证书编号")}
    outside = OutsideCertificate.objects.get()
    f.insured(person, months=12, until=issued)
    card = f.card_account(personas, person)
    with pytest.raises(ValidationError) as exc:  # wrong level: not an exact match
        actions.create_outside_certificate_claim(by=personas.trent, number="Y0001", occupation=occ, level_order=4,
                                                 payee_account=card)
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError):  # another occupation
        actions.create_outside_certificate_claim(by=personas.trent, number="Y0001", occupation=f.occupation(2),
                                                 level_order=3, payee_account=card)
    with pytest.raises(ValidationError):  # not in the register
        actions.create_outside_certificate_claim(by=personas.trent, number="Y9999", occupation=occ, level_order=3,
                                                 payee_account=card)
    claim = actions.create_outside_certificate_claim(by=personas.trent, number="y0001", occupation=occ, level_order=3,
                                                     payee_account=card)
    line = claim.lines.get()
    assert line.outside_certificate_id == outside.pk and line.certificate_id is None and line.insured_months == 12
    with pytest.raises(actions.ClaimRefused):  # same occupation and level once
        actions.create_outside_certificate_claim(by=personas.trent, number="Y0001", occupation=occ, level_order=3,
                                                 payee_account=card)


def test_it_refuses_an_outside_certificate_of_another_person(setup, tmp_path) -> None:
    personas, person, _own = setup
    other = personas.shizhong_person
    occ = f.occupation(1)
    _run("import_certificates", _register_file(tmp_path, [
        ["Y0100", other.name, other.id_number, occ.name, "四级", (f.today() - dt.timedelta(days=30)).isoformat(), "某中心"]]))
    with pytest.raises(ValidationError) as exc:
        actions.create_outside_certificate_claim(by=personas.trent, number="Y0100", occupation=occ, level_order=3,
                                                 payee_account=f.card_account(personas, person))
    assert "another ID number" in str(exc.value) or "不是您的" in str(exc.value)


def test_it_imports_card_accounts_from_the_card_banks_file(setup, tmp_path) -> None:
    personas, person, _cert = setup
    path = tmp_path / "cards.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["公民身份号码", "姓名", "社保卡银行账号", "开户银行"])
        w.writerow([person.id_number, person.name, "6217000011112222333", "中国工商银行济南分行"])
        w.writerow([person.id_number[:-1] + "X", person.name, "6217000011112222333", "某行"])  # bad ID
        w.writerow([personas.shizhong_person.id_number, "不对的名字", "6217000011112222444", "某行"])  # name differs
        w.writerow([personas.shizhong_person.id_number, personas.shizhong_person.name, "12AB", "某行"])  # bad number
    summary = _run("import_card_accounts", path)
    assert summary["created"] == 1 and {r["row"] for r in summary["rejected"]} == {3, 4, 5}
    account = person.payee_accounts.get()
    assert account.kind == AccountKindOfPayee.SOCIAL_SECURITY_CARD and account.source == AccountSource.CARD_BANK_FILE
    assert account.masked_number == "**** 2333"


def test_it_pays_the_living_allowance_to_the_trainee_only(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    with pytest.raises(ValidationError):
        actions.create_claim(by=personas.ivan, project=w.project, enrollment_ids=[w.enrollments[0].pk],
                             subsidy_item=SubsidyItem.LIVING_ALLOWANCE, payee_account=w.account)
    enrollment = w.enrollments[0]
    from jixing.core.testing import make_user

    trainee = make_user("lina", "trainee", person=enrollment.person)
    from jixing.registry.models import PersonGroup, TargetGroup

    PersonGroup.objects.get_or_create(person=enrollment.person, group=TargetGroup.objects.get(code="employment_difficulty"),
                                      defaults={"valid_from": dt.date(2020, 1, 1)})
    card = actions.register_card_account(by=trainee, person=enrollment.person, bank_name="中国农业银行",
                                         account_number="6228480099990000111")
    claim = actions.create_living_allowance_claim(by=trainee, enrollment=enrollment, payee_account=card)
    assert claim.payee_kind == PayeeKind.PERSON and claim.payee_account == card and claim.status == ClaimStatus.DRAFT
    assert claim.amount > 0
