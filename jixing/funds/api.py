"""Funds API under /api/v1/funds/: budgets, claims and their review, payment orders with
idempotency keys, recoveries, rule computation, staff education statistics.

Authentication is global (session with CSRF, or an organisation's ``X-API-Token``); each
endpoint checks roles with ``require_api_roles`` and reads through ``visible_to``. Input
schemas list their fields: a body with ``amount``/``status``/``budget`` on a claim changes
nothing (B5). Conflicts (a paid claim, a reused idempotency key) answer 409.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core import risk
from jixing.core.access import get_for_user
from jixing.core.api_contract import Year
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import require_api_roles
from jixing.registry.models import Occupation, Organisation, Person, Region, SkillLevel, TargetGroup
from jixing.training.models import Enrollment

from . import actions, queries, rules
from .models import (
    Budget,
    Claim,
    ClaimLine,
    PayeeAccount,
    PaymentBatch,
    PaymentOrder,
    RecoveryOrder,
    StudyRecord,
    SubsidyRuleTable,
)
from .queries import (
    BUDGET_READERS,
    BUDGET_WRITERS,
    CLAIM_MAKERS,
    CLAIM_READERS,
    PAYMENT_READERS,
    PAYMENT_WRITERS,
    RECOVERY_MAKERS,
    RECOVERY_READERS,
    REVIEWERS,
    RULE_READERS,
    STAFF_EDUCATION_READERS,
)

router = Router(tags=["funds"])


class Message(Schema):
    detail: str


# ---------------------------------------------------------------- budgets


class BalancesOut(Schema):
    available: Decimal
    committed: Decimal
    paid: Decimal
    receivable: Decimal
    written_off: Decimal


class BudgetOut(Schema):
    id: int
    fund_source: str = Field(description="fund source code")
    year: int
    region: str = Field(description="GB/T 2260 code")
    action: int | None = Field(None, description="action number, or null for all actions")
    parent: int | None
    balances: BalancesOut


def _budget_out(budget: Budget, balances: dict[str, Decimal]) -> dict[str, Any]:
    return {"id": budget.pk, "fund_source": budget.fund_source.code, "year": budget.year, "region": budget.region_id,
            "action": budget.action.number if budget.action is not None else None, "parent": budget.parent_id,
            "balances": balances}


@router.get("/budgets", response=list[BudgetOut])
def list_budgets(request: HttpRequest, year: Year | None = None, fund_source: str = "") -> Any:
    require_api_roles(request, *BUDGET_READERS)
    budgets = list(queries.budgets_for(request.user, year=year, fund_source=fund_source)[:1000])
    balances = queries.balances_of(budgets)
    return [_budget_out(b, balances[b.pk]) for b in budgets]


@router.get("/budgets/{budget_id}", response=BudgetOut)
def get_budget(request: HttpRequest, budget_id: int) -> Any:
    require_api_roles(request, *BUDGET_READERS)
    budget = get_for_user(Budget.objects.select_related("fund_source", "action"), request.user, budget_id)
    return _budget_out(budget, queries.balances_of([budget])[budget.pk])


class AllocationIn(Schema):
    region: str = Field(max_length=6, description="code of a region directly below the budget's region")
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    document: str = Field("", max_length=100)


class BudgetAllocationOut(Schema):
    id: int
    source_budget: int | None
    target_budget: int
    amount: Decimal


@router.post("/budgets/{budget_id}/allocations", response={201: BudgetAllocationOut})
def allocate(request: HttpRequest, budget_id: int, payload: AllocationIn) -> Any:
    require_api_roles(request, *BUDGET_WRITERS)
    budget = get_for_user(Budget.objects.select_related("region", "fund_source"), request.user, budget_id)
    region = Region.objects.filter(pk=payload.region).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code.")})
    allocation = actions.allocate(budget, by=request.user, region=region, amount=payload.amount, document=payload.document)
    return Status(201, {"id": allocation.pk, "source_budget": allocation.source_id, "target_budget": allocation.target_id,
                        "amount": allocation.amount})


# ---------------------------------------------------------------- claims


class CheckOut(Schema):
    code: str
    ok: bool
    text: str


class ReasonOut(Schema):
    code: str
    text: str
    amount: str | None = None


class LineAttendanceOut(Schema):
    """Sessions as money counts them (issue 13): captured fully, declared up to the city's share."""

    sessions: int
    captured: int
    declared: int
    declared_verified: int
    declared_counted: int
    declared_limit: int
    missing: int
    rate: Decimal


class LineOut(Schema):
    id: int
    person: str = Field(description="name")
    id_number_masked: str
    training_class: str | None
    certificate: str | None
    study: int | None = Field(None, description="study record id (求学圆梦)")
    amount: Decimal
    status: str
    reasons: list[ReasonOut]
    checks: list[CheckOut]
    rule_version: int | None
    attendance: LineAttendanceOut | None = None

    @staticmethod
    def resolve_attendance(obj: ClaimLine) -> Any:
        return queries.line_attendance([obj]).get(obj.pk)

    @staticmethod
    def resolve_person(obj: ClaimLine) -> str:
        return obj.person.name

    @staticmethod
    def resolve_id_number_masked(obj: ClaimLine) -> str:
        return obj.person.masked_id_number

    @staticmethod
    def resolve_training_class(obj: ClaimLine) -> str | None:
        return obj.training_class.code if obj.training_class is not None else None

    @staticmethod
    def resolve_certificate(obj: ClaimLine) -> str | None:
        return obj.certificate.number if obj.certificate is not None else None

    @staticmethod
    def resolve_study(obj: ClaimLine) -> int | None:
        return obj.study_id

    @staticmethod
    def resolve_rule_version(obj: ClaimLine) -> int | None:
        return obj.rule_table.version if obj.rule_table is not None else None


class ClaimOut(Schema):
    id: int
    number: str
    subsidy_item: str
    payee_kind: str
    claimant: str
    project: str | None
    county: str
    fund_source: str
    amount: Decimal
    status: str
    payee_account_masked: str
    notice_ends_on: dt.date | None
    last_reason: str

    @staticmethod
    def resolve_claimant(obj: Claim) -> str:
        return str(obj.claimant.name)

    @staticmethod
    def resolve_project(obj: Claim) -> str | None:
        return obj.project.code if obj.project is not None else None

    @staticmethod
    def resolve_county(obj: Claim) -> str:
        return obj.county_id

    @staticmethod
    def resolve_fund_source(obj: Claim) -> str:
        return obj.fund_source.code

    @staticmethod
    def resolve_payee_account_masked(obj: Claim) -> str:
        return obj.payee_account.masked_number if obj.payee_account is not None else ""


class RiskOut(Schema):
    kind: str = Field(description="finding or case")
    id: int
    code: str = Field(description="rule code of a finding, number of a case")
    severity: str
    status: str
    title: str
    touches: list[str] = Field(description="institution, class, person, claim")
    url: str
    since: dt.datetime | None


def _risks_for(obj: Claim, context: dict[str, Any]) -> list[Any]:
    if context["request"].user.role not in queries.RISK_READERS:
        return []
    return [r.as_json() for r in queries.claim_risks(obj)]


class ReviewClaimOut(ClaimOut):
    risks_high: int
    risks_medium: int
    risks_low: int

    @staticmethod
    def resolve_risks_high(obj: Claim) -> int:
        return _counts(obj)["high"]

    @staticmethod
    def resolve_risks_medium(obj: Claim) -> int:
        return _counts(obj)["medium"]

    @staticmethod
    def resolve_risks_low(obj: Claim) -> int:
        return _counts(obj)["low"]


def _counts(obj: Claim) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(obj, "_risk_counts", None)
    if cached is None:
        cached = risk.count_by_severity(queries.claim_risks(obj))
        obj._risk_counts = cached  # type: ignore[attr-defined]
    return cached


class ClaimDetailOut(ClaimOut):
    lines: list[LineOut]
    risks: list[RiskOut] = Field(description="open supervision findings and cases touching the claim (officers only)")

    @staticmethod
    def resolve_risks(obj: Claim, context: dict[str, Any]) -> list[Any]:
        return _risks_for(obj, context)

    @staticmethod
    def resolve_lines(obj: Claim, context: dict[str, Any]) -> list[ClaimLine]:
        lines = obj.lines.select_related("person", "training_class", "certificate", "rule_table").order_by("id")
        user = context["request"].user
        if user.role == Role.TRAINEE and obj.person_id != user.person_id:
            lines = lines.filter(person_id=user.person_id)
        return list(lines)


_CLAIM_RELATED = ("organisation", "person", "project", "fund_source", "payee_account")


@router.get("/claims", response=list[ClaimOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_claims(request: HttpRequest, status: str = "", item: str = "") -> Any:
    require_api_roles(request, *CLAIM_READERS)
    return queries.claims_for(request.user, status=status, item=item).select_related(*_CLAIM_RELATED)


@router.get("/review-queue", response=list[ReviewClaimOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def review_queue(request: HttpRequest) -> Any:
    require_api_roles(request, *REVIEWERS)
    return queries.review_queue(request.user).select_related(*_CLAIM_RELATED)


@router.get("/claims/{claim_id}", response=ClaimDetailOut)
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    require_api_roles(request, *CLAIM_READERS)
    return get_for_user(Claim.objects.select_related(*_CLAIM_RELATED), request.user, claim_id)


class ClaimIn(Schema):
    """What a claimant may send; any ``amount``, ``status`` or ``budget`` in the body is ignored."""

    project_id: int
    enrollment_ids: list[int] = Field(min_length=1, max_length=2000)
    subsidy_item: str = Field("", max_length=30)
    payee_account_id: int | None = None
    skip_ineligible: bool = False


@router.post("/claims", response={201: ClaimDetailOut})
def create_claim(request: HttpRequest, payload: ClaimIn) -> Any:
    require_api_roles(request, *CLAIM_MAKERS)
    project = queries.claimable_projects(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ValidationError({"project_id": _("No completed trainees of yours in this project.")})
    account = None
    if payload.payee_account_id is not None:
        account = PayeeAccount.objects.visible_to(request.user).filter(pk=payload.payee_account_id).first()
        if account is None:
            raise ValidationError({"payee_account_id": _("Choose one of your organisation's bank accounts.")})
    claim = actions.create_claim(by=request.user, project=project, enrollment_ids=payload.enrollment_ids,
                                 subsidy_item=payload.subsidy_item, payee_account=account,
                                 skip_ineligible=payload.skip_ineligible)
    return Status(201, Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk))


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class ClaimReasonIn(Schema):
    reason: str = Field(max_length=1000)


def _claim_for(request: HttpRequest, claim_id: int) -> Claim:
    return get_for_user(Claim.objects.select_related(*_CLAIM_RELATED), request.user, claim_id)


def _fresh(claim: Claim) -> Claim:
    return Claim.objects.select_related(*_CLAIM_RELATED).get(pk=claim.pk)


@router.post("/claims/{claim_id}/submit", response=ClaimOut)
def submit_claim(request: HttpRequest, claim_id: int) -> Any:
    require_api_roles(request, *CLAIM_MAKERS, Role.TRAINEE)
    return _fresh(actions.submit_claim(_claim_for(request, claim_id), by=request.user))


@router.post("/claims/{claim_id}/approve", response=ClaimOut)
def approve_claim(request: HttpRequest, claim_id: int, payload: NoteIn) -> Any:
    """The next step for the claim's status: county review, city approval (commits the
    budget), or province approval for provincial key projects."""
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.approve_claim(_claim_for(request, claim_id), by=request.user, note=payload.note))


@router.post("/claims/{claim_id}/return", response=ClaimOut)
def return_claim(request: HttpRequest, claim_id: int, payload: ClaimReasonIn) -> Any:
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.return_claim(_claim_for(request, claim_id), by=request.user, reason=payload.reason))


@router.post("/claims/{claim_id}/reject", response=ClaimOut)
def reject_claim(request: HttpRequest, claim_id: int, payload: ClaimReasonIn) -> Any:
    require_api_roles(request, *REVIEWERS)
    return _fresh(actions.reject_claim(_claim_for(request, claim_id), by=request.user, reason=payload.reason))


@router.get("/my/subsidies", response=list[LineOut])
def my_subsidies(request: HttpRequest) -> Any:
    require_api_roles(request, Role.TRAINEE)
    return list(queries.my_subsidies(request.user).select_related("person", "rule_table"))


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


# ---------------------------------------------------------------- payments


class PaymentOrderIn(Schema):
    claim_id: int
    idempotency_key: str = Field("", max_length=100, description="or the Idempotency-Key header")
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2, description="must equal the approved amount")


class PaymentOrderOut(Schema):
    id: int
    number: str
    claim: str
    amount: Decimal
    status: str
    payee_account_masked: str
    idempotency_key: str
    batch: str | None

    @staticmethod
    def resolve_claim(obj: PaymentOrder) -> str:
        return obj.claim.number

    @staticmethod
    def resolve_payee_account_masked(obj: PaymentOrder) -> str:
        return obj.payee_account.masked_number

    @staticmethod
    def resolve_batch(obj: PaymentOrder) -> str | None:
        return obj.batch.number if obj.batch is not None else None


@router.post("/payment-orders", response={200: PaymentOrderOut, 201: PaymentOrderOut, 409: Message})
def issue_payment_order(request: HttpRequest, payload: PaymentOrderIn) -> Any:
    """Pay one payable claim. Retrying with the same key returns the same order (200); the
    same key for another claim or amount, or a claim already paid, answers 409."""
    require_api_roles(request, *PAYMENT_WRITERS)
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    claim = get_for_user(Claim.objects.all(), request.user, payload.claim_id)
    try:
        order, created = actions.issue_payment_order(claim, by=request.user, idempotency_key=key, amount=payload.amount)
    except actions.Conflict as exc:
        return Status(409, {"detail": exc.message})
    order = PaymentOrder.objects.select_related("claim", "payee_account", "batch").get(pk=order.pk)
    return Status(201 if created else 200, order)


class BatchOut(Schema):
    id: int
    number: str
    region: str
    status: str
    order_count: int
    total_amount: Decimal

    @staticmethod
    def resolve_region(obj: PaymentBatch) -> str:
        return obj.region_id


@router.get("/payment-batches", response=list[BatchOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_batches(request: HttpRequest) -> Any:
    require_api_roles(request, *PAYMENT_READERS)
    return queries.batches_for(request.user)


@router.post("/payment-batches", response={200: BatchOut, 201: BatchOut, 409: Message})
def create_batch(request: HttpRequest) -> Any:
    """Batch every payable claim of the officer's region (201). Parallel requests make one
    batch; the others find nothing left to pay (422). With an ``Idempotency-Key`` header the
    same key again returns the first batch (200)."""
    require_api_roles(request, *PAYMENT_WRITERS)
    try:
        result = actions.create_payment_batch(by=request.user, idempotency_key=request.headers.get("Idempotency-Key", ""))
    except actions.Conflict as exc:
        return Status(409, {"detail": exc.message})
    return Status(200 if result.replay else 201, result.batch)


# ---------------------------------------------------------------- recoveries


class RecoveryIn(Schema):
    payer_organisation_id: int | None = None
    payer_person_id: int | None = None
    claim_id: int | None = None
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    reason: str = Field(max_length=1000)
    deadline: dt.date
    case_ref: str = Field("", max_length=60)


class RecoveryOut(Schema):
    id: int
    number: str
    payer: str
    claim: str | None
    amount: Decimal
    received_amount: Decimal
    written_off_amount: Decimal
    deadline: dt.date
    status: str
    case_ref: str

    @staticmethod
    def resolve_payer(obj: RecoveryOrder) -> str:
        return str(obj.payer.name)

    @staticmethod
    def resolve_claim(obj: RecoveryOrder) -> str | None:
        return obj.claim.number if obj.claim is not None else None


@router.get("/recoveries", response=list[RecoveryOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_recoveries(request: HttpRequest, status: str = "", overdue: bool = False) -> Any:
    require_api_roles(request, *RECOVERY_READERS)
    if overdue:
        return queries.overdue_recoveries(request.user)
    return queries.recoveries_for(request.user, status=status)


@router.post("/recoveries", response={201: RecoveryOut})
def create_recovery(request: HttpRequest, payload: RecoveryIn) -> Any:
    require_api_roles(request, *RECOVERY_MAKERS)
    claim = get_for_user(Claim.objects.all(), request.user, payload.claim_id) if payload.claim_id else None
    payer: Organisation | Person | None = None
    if payload.payer_organisation_id:
        payer = Organisation.objects.visible_to(request.user).filter(pk=payload.payer_organisation_id).first()
    elif payload.payer_person_id:
        payer = Person.objects.visible_to(request.user).filter(pk=payload.payer_person_id).first()
    if payer is None:
        raise ValidationError({"payer": _("Give the paid organisation or person.")})
    order = actions.create_recovery_order(by=request.user, payer=payer, amount=payload.amount, reason=payload.reason,
                                          deadline=payload.deadline, claim=claim, case_ref=payload.case_ref)
    return Status(201, RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim").get(pk=order.pk))


class InstalmentIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    received_on: dt.date | None = None
    reference: str = Field("", max_length=64)


@router.post("/recoveries/{recovery_id}/instalments", response={201: RecoveryOut})
def record_instalment(request: HttpRequest, recovery_id: int, payload: InstalmentIn) -> Any:
    """Money received back from the payer (finance officers); it returns to the budget."""
    require_api_roles(request, Role.FINANCE_OFFICER)
    order = get_for_user(RecoveryOrder.objects.all(), request.user, recovery_id)
    actions.record_recovery_instalment(order, by=request.user, amount=payload.amount, received_on=payload.received_on,
                                       reference=payload.reference)
    return Status(201, RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim").get(pk=order.pk))


# ---------------------------------------------------------------- rules


class RateIn(Schema):
    item: str = Field(max_length=30)
    amount: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    payee_kind: str = Field("", max_length=20)
    certificate_type: str = Field("", max_length=20)
    level: int | None = Field(None, ge=1, le=8)
    occupation: str | None = Field(None, max_length=60, description="occupation key")
    target_group: str | None = Field(None, max_length=40, description="target group code")
    note: str = Field("", max_length=200)


class UpliftIn(Schema):
    kind: str = Field(max_length=20)
    item: str = Field("", max_length=30)
    target_group: str | None = Field(None, max_length=40)
    percent: Decimal = Field(Decimal("0"), ge=0, le=200, max_digits=5, decimal_places=2)
    fixed_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    note: str = Field("", max_length=200)


class RuleTableIn(Schema):
    city: str = Field(max_length=6)
    valid_from: dt.date
    name: str = Field(max_length=150)
    basis: str = Field("", max_length=200)
    public_notice_days: int = Field(7, ge=0, le=60)
    rates: list[RateIn] = Field(min_length=1, max_length=500)
    uplifts: list[UpliftIn] = Field(default_factory=list, max_length=100)
    shortage_occupations: list[str] = Field(default_factory=list, max_length=500, description="occupation keys")


class RuleTableOut(Schema):
    id: int
    city: str
    version: int
    valid_from: dt.date
    name: str
    rates: int
    uplifts: int

    @staticmethod
    def resolve_city(obj: SubsidyRuleTable) -> str:
        return obj.city_id

    @staticmethod
    def resolve_rates(obj: SubsidyRuleTable) -> int:
        return obj.rates.count()

    @staticmethod
    def resolve_uplifts(obj: SubsidyRuleTable) -> int:
        return obj.uplifts.count()


def _lookup(model: Any, field: str, value: str | int | None, name: str) -> Any:
    if value in (None, ""):
        return None
    found = model.objects.filter(**{field: value}).first()
    if found is None:
        raise ValidationError({name: _("Unknown value: %(value)s") % {"value": value}})
    return found


@router.get("/rules", response=list[RuleTableOut])
def list_rule_tables(request: HttpRequest, city: str = "") -> Any:
    require_api_roles(request, *RULE_READERS)
    return list(queries.rule_tables_for(request.user, city=city)[:500])


@router.post("/rules", response={201: RuleTableOut})
def publish_rule_table(request: HttpRequest, payload: RuleTableIn) -> Any:
    """Publish a new version of a city's subsidy standards (city or provincial HRSS officers).
    Earlier versions stay as they are; claims use the version in force on their date."""
    require_api_roles(request, Role.HRSS_OFFICER)
    city = _lookup(Region, "code", payload.city, "city")
    rates = [{
        "item": r.item, "amount": r.amount, "payee_kind": r.payee_kind, "certificate_type": r.certificate_type,
        "level": _lookup(SkillLevel, "order", r.level, "level"), "occupation": _lookup(Occupation, "key", r.occupation, "occupation"),
        "target_group": _lookup(TargetGroup, "code", r.target_group, "target_group"), "note": r.note,
    } for r in payload.rates]
    uplifts = [{
        "kind": u.kind, "item": u.item, "target_group": _lookup(TargetGroup, "code", u.target_group, "target_group"),
        "percent": u.percent, "fixed_amount": u.fixed_amount, "note": u.note,
    } for u in payload.uplifts]
    shortage = [_lookup(Occupation, "key", key, "shortage_occupations") for key in payload.shortage_occupations]
    table = actions.publish_rule_table(
        by=request.user, city=city, valid_from=payload.valid_from, name=payload.name, basis=payload.basis,
        public_notice_days=payload.public_notice_days, rates=rates, uplifts=uplifts, shortage_occupations=shortage,
    )
    return Status(201, table)


class ComputeIn(Schema):
    city: str = Field(max_length=6, description="city code, e.g. 370100")
    item: str = Field(max_length=30)
    payee_kind: str = Field(max_length=20)
    certificate_type: str = Field("", max_length=20)
    level: int | None = Field(None, ge=1, le=8, description="SkillLevel order 1..8")
    occupation: str | None = Field(None, max_length=60, description="occupation key")
    target_groups: list[str] = Field(default_factory=list, max_length=20)
    employed_within_6_months: bool | None = None
    on_date: dt.date | None = None


class ComputeOut(Schema):
    eligible: bool
    amount: Decimal
    rule_version: int | None
    reasons: list[ReasonOut]


@router.post("/rules/compute", response=ComputeOut)
def compute(request: HttpRequest, payload: ComputeIn) -> Any:
    """What the city's standard in force on ``on_date`` gives for a case, with the reasoning."""
    require_api_roles(request, *RULE_READERS)
    table = queries.table_in_force(payload.city, payload.on_date or timezone.localdate())
    case = rules.SubsidyCase(
        item=payload.item, payee_kind=payload.payee_kind, certificate_type=payload.certificate_type, level=payload.level,
        occupation=payload.occupation, target_groups=frozenset(payload.target_groups),
        employed_within_6_months=payload.employed_within_6_months,
    )
    with translation.override(translation.get_language() or "zh-hans"):
        decision = rules.compute_subsidy(queries.rule_table_data(table) if table else None, case)
    return {"eligible": decision.eligible, "amount": decision.amount, "rule_version": decision.table_version,
            "reasons": decision.reasons_json()}


# ---------------------------------------------------------------- staff education funds


class StaffEducationStatsOut(Schema):
    year: int
    reports: int
    extracted: Decimal
    spent: Decimal
    spent_frontline: Decimal
    frontline_share: Decimal | None
    below_minimum: int


@router.get("/staff-education/stats", response=StaffEducationStatsOut)
def staff_education_stats(request: HttpRequest, year: Year) -> Any:
    require_api_roles(request, *STAFF_EDUCATION_READERS)
    stats = queries.staff_education_stats(request.user, year=year)
    return {**stats.__dict__, "frontline_share": stats.frontline_share}
