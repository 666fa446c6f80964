"""A trainee's own API: study records, education, outside-certificate and living allowance claims, card accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.permissions import require_api_roles
from jixing.registry.models import Occupation, Organisation
from jixing.training.models import Enrollment

from .. import actions, queries
from ..models import Claim, PayeeAccount, StudyRecord
from .claims import _CLAIM_RELATED, ClaimDetailOut
from .common import router


class StudyOut(Schema):
    id: int
    school: str
    programme: str
    level: str
    mode: str
    student_number: str
    enrolled_on: dt.date
    graduated_on: dt.date | None
    tuition_paid: Decimal
    employer: int | None = Field(None, description="employer organisation id")
    frontline_post: str
    chsi_report_number: str = Field(description="学信网 学籍在线验证报告 number")
    evidence_note: str
    claim: str | None = Field(None, description="number of the live 求学圆梦 claim, if claimed")

    @staticmethod
    def resolve_employer(obj: StudyRecord) -> int | None:
        return obj.employer_id

    @staticmethod
    def resolve_claim(obj: StudyRecord) -> str | None:
        line = getattr(obj, "live_line", None)
        return line.claim.number if line is not None else None


class StudyIn(Schema):
    school: str = Field(max_length=120)
    programme: str = Field(max_length=120)
    level: str = Field(max_length=20, description="college (专科) or bachelor (本科)")
    mode: str = Field(max_length=20, description="adult_exam, open_university, self_study or online")
    student_number: str = Field("", max_length=40)
    enrolled_on: dt.date
    graduated_on: dt.date | None = None
    tuition_paid: Decimal = Field(Decimal("0"), max_digits=16, decimal_places=2)
    employer_id: int | None = None
    frontline_post: str = Field("", max_length=60, description="the person's frontline post (一线岗位)")
    chsi_report_number: str = Field("", max_length=40, description="学信网 学籍在线验证报告 number: 10-20 letters/digits")
    chsi_verification_code: str = Field("", max_length=40, description="the report's 在线验证码: 16 letters/digits")
    evidence_note: str = Field("", max_length=300)


class EducationClaimIn(Schema):
    """Any ``amount``, ``status`` or ``budget`` in the body is ignored."""

    payee_account_id: int | None = None


def _studies_out(user: Any) -> list[StudyRecord]:
    out = []
    for study, line, _draft in queries.my_studies(user):
        study.live_line = line  # type: ignore[attr-defined]
        out.append(study)
    return out


@router.get("/my/studies", response=list[StudyOut])
def my_studies(request: HttpRequest) -> Any:
    """The signed-in person's own study records (求学圆梦)."""
    require_api_roles(request, Role.TRAINEE)
    return _studies_out(request.user)


@router.post("/my/studies", response={201: StudyOut})
def record_study(request: HttpRequest, payload: StudyIn) -> Any:
    require_api_roles(request, Role.TRAINEE)
    employer = None
    if payload.employer_id is not None:
        employer = Organisation.objects.filter(pk=payload.employer_id).first()
        if employer is None:
            raise ValidationError({"employer_id": _("No such employer.")})
    study = actions.record_study(
        by=request.user, school=payload.school, programme=payload.programme, level=payload.level, mode=payload.mode,
        student_number=payload.student_number, enrolled_on=payload.enrolled_on, graduated_on=payload.graduated_on,
        tuition_paid=payload.tuition_paid, employer=employer, evidence_note=payload.evidence_note,
        frontline_post=payload.frontline_post, chsi_report_number=payload.chsi_report_number,
        chsi_verification_code=payload.chsi_verification_code,
    )
    return Status(201, study)


@router.post("/my/studies/{study_id}/claim", response={201: ClaimDetailOut})
def create_education_claim(request: HttpRequest, study_id: int, payload: EducationClaimIn) -> Any:
    """Claim 求学圆梦 for one of the person's own study records; the amount is the rule engine's."""
    require_api_roles(request, Role.TRAINEE)
    study = get_for_user(StudyRecord.objects.select_related("person", "employer"), request.user, study_id)
    account = None
    if payload.payee_account_id is not None:
        account = PayeeAccount.objects.visible_to(request.user).filter(pk=payload.payee_account_id).first()
        if account is None:
            raise ValidationError({"payee_account_id": _("Choose one of your own bank accounts.")})
    claim = actions.create_education_claim(by=request.user, study=study, payee_account=account)
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))


class OutsideCertificateClaimIn(Schema):
    """A certificate of the imported national register: every part must agree. Any ``amount``,
    ``status`` or ``budget`` in the body is ignored."""

    number: str = Field(..., min_length=1, max_length=40, description="证书编号")
    occupation_id: int = Field(..., description="职业(工种): the occupation's id")
    level: int = Field(..., ge=1, le=8, description="skill level order of the eight-level ladder (新八级工: 1 学徒工 … 8 首席技师)")
    payee_account_id: int | None = None


def _own_account(request: HttpRequest, account_id: int | None) -> PayeeAccount | None:
    if account_id is None:
        return None
    account = PayeeAccount.objects.visible_to(request.user).filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"payee_account_id": _("Choose one of your own bank accounts.")})
    return account


@router.post("/my/outside-certificate-claims", response={201: ClaimDetailOut})
def create_outside_certificate_claim(request: HttpRequest, payload: OutsideCertificateClaimIn) -> Any:
    """Claim 技能提升补贴 on a certificate from another filed evaluation body, found in the
    imported national register by number + the person's ID number + occupation + level."""
    require_api_roles(request, Role.TRAINEE)
    occupation = Occupation.objects.filter(pk=payload.occupation_id).first()
    if occupation is None:
        raise ValidationError({"occupation_id": _("Unknown occupation.")})
    claim = actions.create_outside_certificate_claim(
        by=request.user, number=payload.number, occupation=occupation, level_order=payload.level,
        payee_account=_own_account(request, payload.payee_account_id))
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))


class LivingAllowanceClaimIn(Schema):
    """Any ``amount``, ``status`` or ``budget`` in the body is ignored."""

    payee_account_id: int | None = None


@router.post("/my/enrollments/{enrollment_id}/living-allowance-claim", response={201: ClaimDetailOut})
def create_living_allowance_claim(request: HttpRequest, enrollment_id: int, payload: LivingAllowanceClaimIn) -> Any:
    """Claim 生活费补贴 for one of the trainee's own completed enrollments; paid to the person's
    social security card account only, the amount is the rule engine's."""
    require_api_roles(request, Role.TRAINEE)
    enrollment = get_for_user(Enrollment.objects.select_related("person", "training_class__project"),
                              request.user, enrollment_id)
    claim = actions.create_living_allowance_claim(
        by=request.user, enrollment=enrollment, payee_account=_own_account(request, payload.payee_account_id))
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))


class CardAccountIn(Schema):
    bank_name: str = Field(..., min_length=1, max_length=120, description="开户银行")
    account_number: str = Field(..., min_length=1, max_length=40, description="社会保障卡金融账户 number: 8 to 30 digits")


class PayeeAccountOut(Schema):
    id: int
    holder_name: str
    bank_name: str
    masked_number: str
    kind: str
    source: str


@router.post("/my/card-account", response={201: PayeeAccountOut})
def register_card_account(request: HttpRequest, payload: CardAccountIn) -> Any:
    """Register the person's own 社会保障卡 financial account (技能提升补贴 and 生活费补贴 are paid
    only to it). An account already registered with the same number is marked as the card's."""
    require_api_roles(request, Role.TRAINEE)
    person = request.user.person  # type: ignore[union-attr]
    assert person is not None, "a trainee account has a person (user_trainee_has_person)"
    return Status(201, actions.register_card_account(
        by=request.user, person=person, bank_name=payload.bank_name, account_number=payload.account_number))
