"""Education subsidy (求学圆梦): study records and education claims."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.money import yuan
from jixing.plan.models import Action
from jixing.registry.models import Organisation

from .. import queries
from ..models import ZERO, Claim, PayeeAccount, StudyLevel, StudyMode, StudyRecord, SubsidyItem
from .claims import _own_claim
from .common import MAX_AMOUNT, _require_trainee, today

# ---------------------------------------------------------------- 求学圆梦 (education)

EDUCATION_FUND_SOURCE = "mass_organisation"  # 求学圆梦 is run by the 省总工会: 群团组织相关资金
EDUCATION_ACTION = "key_groups"  # action 6 names "求学圆梦行动" (reference/actions.csv)


@dataclass(frozen=True)
class ChsiFormats:
    """The shapes a 学信网 学籍在线验证报告's report number and 在线验证码 are checked against.
    A dated **assumption** (docs/education_subsidy.md, "学信网 report formats"): no official
    format was read; change the patterns and ``as_of`` here when one is. A value of another
    shape is refused with a message that names the field, the shape expected and that the
    shape is this system's assumption of ``as_of`` (never a silent refusal)."""

    report: re.Pattern[str]
    report_shape: str
    code: re.Pattern[str]
    code_shape: str
    as_of: dt.date
    status: str = "assumption"


CHSI_FORMATS = ChsiFormats(
    report=re.compile(r"^[0-9A-Z]{10,20}$"), report_shape="10–20 letters or digits",
    code=re.compile(r"^(?:[0-9A-Z]{16}|[0-9]{12})$"), code_shape="16 letters or digits, or 12 digits",
    as_of=dt.date(2026, 12, 2),
)
# Both values are upper-cased; spaces and hyphens people copy along are dropped (normalise_chsi).
CHSI_CODE_RE = CHSI_FORMATS.code
CHSI_REPORT_RE = CHSI_FORMATS.report


def _chsi_shape_note() -> str:
    return _("This shape is the system's assumption of %(day)s, not yet confirmed with 学信网: if your report "
             "prints it differently, ask the HRSS office to check the report.") % {"day": CHSI_FORMATS.as_of.isoformat()}


def normalise_chsi(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def record_study(
    *, by: Any, school: str, programme: str, level: str, mode: str, enrolled_on: dt.date,
    chsi_report_number: str, chsi_verification_code: str, employer: Organisation | None, frontline_post: str,
    tuition_paid: Decimal | str | int = ZERO, graduated_on: dt.date | None = None, student_number: str = "",
    evidence_note: str = "",
) -> StudyRecord:
    """A person records their own academic study (求学圆梦) with its 学信网 enrolment
    verification report, employer and frontline post; the claim for it is separate."""
    person = _require_trainee(by)
    errors: dict[str, str] = {}
    school, programme = (school or "").strip(), (programme or "").strip()
    post = (frontline_post or "").strip()
    report, code = normalise_chsi(chsi_report_number), normalise_chsi(chsi_verification_code)
    if not school:
        errors["school"] = _("Enter the school.")
    if not programme:
        errors["programme"] = _("Enter the programme.")
    if level not in StudyLevel.values:
        errors["level"] = _("Choose junior college or bachelor's degree.")
    if mode not in StudyMode.values:
        errors["mode"] = _("Choose a study mode.")
    if not CHSI_FORMATS.report.match(report):
        errors["chsi_report_number"] = " ".join((_(
            "The 学信网 report number must be 10 to 20 letters or digits, as printed on the report."),
            _chsi_shape_note()))
    if not CHSI_FORMATS.code.match(code):
        errors["chsi_verification_code"] = " ".join((_(
            "The 学信网 online verification code must be 16 letters or digits (older reports: 12 digits)."),
            _chsi_shape_note()))
    if employer is None:
        errors["employer"] = _("Choose your employer: the subsidy is for employed frontline workers.")
    if not post:
        errors["frontline_post"] = _("Enter your frontline post (e.g. 数控车工, 装配工).")
    if graduated_on is not None and graduated_on < enrolled_on:
        errors["graduated_on"] = _("The graduation date cannot be before the enrolment date.")
    if enrolled_on > today():
        errors["enrolled_on"] = _("The enrolment date cannot be in the future.")
    try:
        tuition = yuan(tuition_paid if tuition_paid not in (None, "") else ZERO)
    except (TypeError, ValueError, ArithmeticError):
        errors["tuition_paid"] = _("Enter an amount in yuan, e.g. 1200.00.")
        tuition = ZERO
    if tuition < 0:
        errors["tuition_paid"] = _("The tuition paid cannot be negative.")
    elif tuition >= MAX_AMOUNT:
        errors["tuition_paid"] = _("The amount is too large.")
    if errors:
        raise ValidationError(errors)
    study = StudyRecord(
        person=person, school=school[:120], programme=programme[:120], level=level, mode=mode,
        student_number=(student_number or "").strip()[:40], enrolled_on=enrolled_on, graduated_on=graduated_on,
        tuition_paid=tuition, employer=employer, frontline_post=post[:60], chsi_report_number=report,
        chsi_verification_code=code, evidence_note=(evidence_note or "").strip()[:300], created_by=by,
    )
    try:
        with transaction.atomic():
            study.save()
            audit.record("funds.study.create", actor=by, obj=study, after={
                "school": study.school, "programme": study.programme, "level": study.level, "mode": study.mode,
                "enrolled_on": enrolled_on.isoformat(), "chsi_report_number": report,
                "employer": employer.pk if employer is not None else None, "frontline_post": study.frontline_post,
                "graduated_on": graduated_on.isoformat() if graduated_on else None, "tuition_paid": str(tuition),
            })
    except IntegrityError:
        raise ValidationError({"programme": _("You have already recorded this programme at this school and level.")})
    return study


def create_education_claim(*, by: Any, study: StudyRecord, payee_account: PayeeAccount | None = None) -> Claim:
    """A person's own 求学圆梦 claim on a study record (docs/education_subsidy.md): newly enrolled
    since the city's start date, insured at the employer, once per 学历层次; the city's fixed
    EDUCATION amount. Reviewed by the trade union, not the HRSS chain (``_require_reviewer``)."""
    if getattr(by, "role", None) != Role.TRAINEE or by.person_id != study.person_id:
        raise PermissionDenied(_("Only the person who studied may claim this subsidy."))
    person = study.person
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.EDUCATION,
        fund_code=EDUCATION_FUND_SOURCE, draft=queries.evaluate_study(person, study),
        refused=_("This study cannot be claimed for."),
        action=Action.objects.filter(code=EDUCATION_ACTION).first(), detail={"study": study.pk},
    )
