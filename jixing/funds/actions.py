"""Every write of the funds app. Each action is atomic, takes the acting user as ``by=``,
writes one audit row (SECURITY.md C1) and moves money only through ``ledger.post``.

Who may do what (G1):
- finance officers (财政) of a region: budgets, appropriations, allocations down the region
  tree, payment batches and orders, bank files, reconciliation, recovery receipts/write-offs;
- HRSS officers: claim review (county → city → province for provincial key projects),
  rule tables of their city, recovery orders (also raised by supervision cases);
- institutions and enterprises: claims for their completed trainees, their bank account,
  staff education fund reports; persons: 技能提升补贴 for their own certificate, their own
  study records and 求学圆梦 for them.
Maker ≠ checker: whoever made or submitted a claim never reviews it, and the county
reviewer, city approver and province approver are three different people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit, workflow
from jixing.core.access import scope_for, union_prefix, within_region
from jixing.core.events import publish
from jixing.core.masking import mask_bank_account
from jixing.core.money import yuan
from jixing.core.numbering import save_with_serial
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, Person, Region, RegionLevel
from jixing.training.models import Enrollment, ProjectType, TrainingProject

from . import ledger, queries, rules
from .models import (
    COMMITTED_STATUSES,
    OPEN_RECOVERY_STATUSES,
    ZERO,
    AccountKind,
    AccountKindOfPayee,
    AccountSource,
    Allocation,
    BankReturn,
    BatchStatus,
    Budget,
    Claim,
    ClaimLine,
    ClaimStatus,
    IssueKind,
    LineStatus,
    OrderStatus,
    PayeeAccount,
    PayeeKind,
    PaymentBatch,
    PaymentOrder,
    PostingKind,
    ReconciliationIssue,
    RecoveryInstalment,
    RecoveryOrder,
    RecoveryPart,
    RecoveryStatus,
    ReferenceType,
    RiskApproval,
    StaffEducationReport,
    StudyLevel,
    StudyMode,
    StudyRecord,
    SubsidyItem,
    SubsidyRate,
    SubsidyRuleTable,
    SubsidyUplift,
)

REASON_MIN = 4
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: anything larger is a typo


class Conflict(Exception):
    """The request conflicts with what already happened (the API answers 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClaimRefused(ValidationError):
    """A claim (or some of its lines) may not be written; ``lines`` names each refused line."""

    def __init__(self, message: str, lines: Sequence[tuple[str, list[str]]] = ()) -> None:
        self.lines = list(lines)
        details = [f"{label}：{'；'.join(reasons)}" for label, reasons in self.lines]
        super().__init__([message, *details])


def today() -> dt.date:
    return timezone.localdate()


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = yuan(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 1200.00.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError({field: _("Give a reason of at least %(n)d characters.") % {"n": REASON_MIN}})
    return text[:1000]


def _save_numbered(obj: Any, prefix: str) -> None:
    """Give ``obj`` the next free number (core.numbering)."""
    save_with_serial(obj, "number", prefix, width=6)


def _in_scope(user: Any, region_code: str) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    prefix = scope.region_prefix
    return bool(prefix) and not scope.department_id and region_code.startswith(prefix or "")


def _require_role(user: Any, *roles: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise PermissionDenied(_("Your role may not do this."))


def _require_finance(user: Any, region_code: str) -> None:
    if getattr(user, "role", None) != Role.FINANCE_OFFICER or not _in_scope(user, region_code):
        raise PermissionDenied(_("Only a finance officer responsible for this region may do this."))


def _require_hrss(user: Any, region_code: str) -> None:
    if getattr(user, "role", None) != Role.HRSS_OFFICER or not _in_scope(user, region_code):
        raise PermissionDenied(_("Only an HRSS officer responsible for this region may do this."))


def _user_level(user: Any) -> str:
    return user.region.level if getattr(user, "region_id", None) else ""


# ====================================================================== budgets


def _budget_snapshot(budget: Budget) -> dict[str, Any]:
    return {"fund_source": budget.fund_source.code, "year": budget.year, "region": budget.region_id,
            "action": budget.action.number if budget.action is not None else None}


def create_budget(
    *, by: Any, fund_source: FundSource, year: int, region: Region, action: Action | None = None,
    amount: Decimal | str | int = 0, document: str = "", note: str = "",
) -> Budget:
    """A budget funded from the treasury (an appropriation of ``amount``, may be 0)."""
    _require_finance(by, region.code)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Enter a year such as 2026.")})
    appropriation = yuan(amount) if amount not in (None, "", 0) else ZERO
    if appropriation < 0:
        raise ValidationError({"amount": _("The amount must not be negative.")})
    if Budget.objects.filter(fund_source=fund_source, year=year, region=region, action=action).exists():
        raise ValidationError(_("A budget for this fund source, year, region and action already exists."))
    with transaction.atomic():
        budget = Budget.objects.create(
            fund_source=fund_source, year=year, region=region, action=action, note=note[:200], created_by=by,
        )
        ledger.open_budget_accounts(budget)
        if appropriation > 0:
            _appropriate(budget, by=by, amount=appropriation, document=document, note=note)
        audit.record("funds.budget.create", actor=by, obj=budget,
                     after={**_budget_snapshot(budget), "appropriation": str(appropriation)})
    return budget


def _appropriate(budget: Budget, *, by: Any, amount: Decimal, document: str, note: str) -> Allocation:
    allocation = Allocation.objects.create(
        source=None, target=budget, amount=amount, document=document[:100], note=note[:200], created_by=by,
    )
    ledger.post(
        kind=PostingKind.APPROPRIATION, reference_type=ReferenceType.ALLOCATION, reference_id=allocation.pk,
        legs=ledger.transfer(ledger.treasury_account(budget.fund_source), ledger.budget_account(budget, AccountKind.AVAILABLE), amount),
        by=by, memo=_("Appropriation %(doc)s") % {"doc": document or ""},
    )
    return allocation


def appropriate(budget: Budget, *, by: Any, amount: Decimal | str | int, document: str = "", note: str = "") -> Allocation:
    """More money from the treasury into a budget (e.g. a second tranche)."""
    _require_finance(by, budget.region_id)
    value = _amount(amount)
    with transaction.atomic():
        allocation = _appropriate(budget, by=by, amount=value, document=document, note=note)
        audit.record("funds.budget.appropriate", actor=by, obj=budget, after={"amount": str(value), "document": document})
    return allocation


def allocate(
    parent: Budget, *, by: Any, region: Region, amount: Decimal | str | int, document: str = "", note: str = "",
) -> Allocation:
    """Move money from ``parent`` to the budget of a child region (province → city → county),
    creating the child budget on first use. Never more than the parent's available balance."""
    _require_finance(by, parent.region_id)
    value = _amount(amount)
    if region.parent_id != parent.region_id:
        raise ValidationError({"region": _("Allocate only to a region directly below the budget's region.")})
    with transaction.atomic():
        child = Budget.objects.select_for_update().filter(
            fund_source=parent.fund_source, year=parent.year, region=region, action=parent.action
        ).first()
        if child is None:
            child = Budget.objects.create(
                fund_source=parent.fund_source, year=parent.year, region=region, action=parent.action,
                parent=parent, created_by=by,
            )
            ledger.open_budget_accounts(child)
        elif child.parent_id is None:
            child.parent = parent
            child.save(update_fields=["parent", "updated_at"])
        elif child.parent_id != parent.pk:
            raise ValidationError(_("That region's budget is allocated from another budget."))
        allocation = Allocation.objects.create(
            source=parent, target=child, amount=value, document=document[:100], note=note[:200], created_by=by,
        )
        try:
            ledger.post(
                kind=PostingKind.ALLOCATION, reference_type=ReferenceType.ALLOCATION, reference_id=allocation.pk,
                legs=ledger.transfer(
                    ledger.budget_account(parent, AccountKind.AVAILABLE), ledger.budget_account(child, AccountKind.AVAILABLE), value,
                ),
                by=by, memo=_("Allocation to %(region)s") % {"region": region.name},
            )
        except ledger.InsufficientFunds:
            raise ValidationError(
                _("The allocation of %(amount)s yuan exceeds the available balance of %(budget)s (%(balance)s yuan).")
                % {"amount": value, "budget": parent, "balance": parent.balance(AccountKind.AVAILABLE)}
            )
        audit.record("funds.budget.allocate", actor=by, obj=parent,
                     after={"to": region.code, "amount": str(value), "child_budget": child.pk})
    return allocation


# ====================================================================== rule tables


RATE_FIELDS = ("item", "payee_kind", "certificate_type", "level", "occupation", "target_group", "amount", "note")
UPLIFT_FIELDS = ("kind", "item", "target_group", "percent", "fixed_amount", "note")


def _require_rule_maker(user: Any, city: Region | None) -> Region:
    if city is None or city.level != RegionLevel.CITY:  # the API passes None for an empty code
        raise ValidationError({"city": _("Subsidy standards are set per city.")})
    if getattr(user, "role", None) != Role.HRSS_OFFICER or _user_level(user) not in (RegionLevel.CITY, RegionLevel.PROVINCE):
        raise PermissionDenied(_("Only a city (or provincial) HRSS officer may publish subsidy standards."))
    if not _in_scope(user, city.code):
        raise PermissionDenied(_("Only a city (or provincial) HRSS officer may publish subsidy standards."))
    return city


def publish_rule_table(
    *, by: Any, city: Region | None, valid_from: dt.date, name: str, basis: str = "", public_notice_days: int = 7,
    rates: Iterable[Mapping[str, Any]] = (), uplifts: Iterable[Mapping[str, Any]] = (),
    shortage_occupations: Iterable[Occupation] = (),
    education_enrolled_from: dt.date | None = None, education_tuition_cap: bool = False,
) -> SubsidyRuleTable:
    """A new version of a city's standards. Earlier versions stay as they were. 求学圆梦's
    start date defaults to 2024-09-01 (the 2025 notices) and pays without a tuition cap."""
    city = _require_rule_maker(by, city)
    if not 0 <= int(public_notice_days) <= 60:
        raise ValidationError({"public_notice_days": _("Between 0 and 60 days.")})
    if SubsidyRuleTable.objects.filter(city=city, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("A version starting on this day already exists; choose another day.")})
    with transaction.atomic():
        last = SubsidyRuleTable.objects.select_for_update().filter(city=city).order_by("-version").first()
        table = SubsidyRuleTable.objects.create(
            city=city, version=(last.version + 1) if last else 1, valid_from=valid_from, name=name[:150] or city.name,
            basis=basis[:200], public_notice_days=int(public_notice_days), created_by=by,
        )
        for row in rates:
            rate = SubsidyRate(table=table, **{k: row[k] for k in RATE_FIELDS if k in row})
            rate.amount = yuan(rate.amount)
            rate.full_clean(exclude=["table"])
            rate.save()
        for row in uplifts:
            uplift = SubsidyUplift(table=table, **{k: row[k] for k in UPLIFT_FIELDS if k in row})
            uplift.full_clean(exclude=["table"])
            uplift.save()
        table.shortage_occupations.set(list(shortage_occupations))
        if education_enrolled_from is not None or education_tuition_cap:
            table.education_enrolled_from = education_enrolled_from or table.education_enrolled_from
            table.education_tuition_cap = bool(education_tuition_cap)
            table.save(update_fields=["education_enrolled_from", "education_tuition_cap", "updated_at"])
        audit.record("funds.rule_table.publish", actor=by, obj=table,
                     after={"city": city.code, "version": table.version, "valid_from": valid_from.isoformat(),
                            "rates": table.rates.count(), "uplifts": table.uplifts.count()})
    return table


def copy_rule_table(table: SubsidyRuleTable, *, by: Any, valid_from: dt.date, name: str = "", basis: str = "") -> SubsidyRuleTable:
    """A new version that starts as a copy of ``table`` (then adjusted in the admin or API
    before any claim uses it)."""
    rates = [{k: getattr(r, k) for k in RATE_FIELDS} for r in table.rates.all()]
    uplifts = [{k: getattr(u, k) for k in UPLIFT_FIELDS} for u in table.uplifts.all()]
    return publish_rule_table(
        by=by, city=table.city, valid_from=valid_from, name=name or table.name, basis=basis or table.basis,
        public_notice_days=table.public_notice_days, rates=rates, uplifts=uplifts,
        shortage_occupations=list(table.shortage_occupations.all()),
        education_enrolled_from=table.education_enrolled_from, education_tuition_cap=table.education_tuition_cap,
    )


def _mark_tables_used(table_ids: Iterable[int]) -> None:
    ids = [i for i in set(table_ids) if i]
    if ids:
        SubsidyRuleTable.objects.filter(pk__in=ids, first_used_at__isnull=True).update(first_used_at=timezone.now())


# ====================================================================== payee accounts


_ACCOUNT_RE = re.compile(r"^\d{8,30}$")


def register_payee_account(
    *, by: Any, holder_name: str, bank_name: str, account_number: str,
    organisation: Organisation | None = None, person: Person | None = None,
) -> PayeeAccount:
    """A bank account for payments: an organisation's (its staff) or a person's (themself)."""
    if organisation is None and person is None:
        organisation = getattr(by, "organisation", None)
        person = getattr(by, "person", None) if organisation is None else None
    if organisation is not None:
        if getattr(by, "role", None) != Role.INSTITUTION or by.organisation_id != organisation.pk:
            raise PermissionDenied(_("Only the organisation's own staff may register its bank account."))
    elif person is not None:
        if getattr(by, "role", None) != Role.TRAINEE or by.person_id != person.pk:
            raise PermissionDenied(_("Only the person may register their own bank account."))
    else:
        raise PermissionDenied(_("Your role may not do this."))
    number = re.sub(r"[\s-]", "", account_number or "")
    errors: dict[str, str] = {}
    if not _ACCOUNT_RE.match(number):
        errors["account_number"] = _("Enter the account number: 8 to 30 digits.")
    if not (holder_name or "").strip():
        errors["holder_name"] = _("Enter the account holder's name.")
    if not (bank_name or "").strip():
        errors["bank_name"] = _("Enter the bank's name.")
    if errors:
        raise ValidationError(errors)
    owner: dict[str, Organisation | Person | None] = (
        {"organisation": organisation} if organisation is not None else {"person": person})
    existing = PayeeAccount.objects.active().filter(**owner, account_hash=PayeeAccount.hash_number(number)).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        account = PayeeAccount(**owner, holder_name=holder_name.strip()[:120], bank_name=bank_name.strip()[:120], created_by=by)
        account.set_number(number)
        account.save()
        audit.record("funds.payee_account.register", actor=by, obj=account,
                     after={"holder": account.holder_name, "bank": account.bank_name, "number": mask_bank_account(number)})
    return account


# ====================================================================== claims


def _claim_snapshot(claim: Claim) -> dict[str, Any]:
    return {"number": claim.number, "status": claim.status, "amount": str(claim.amount), "item": claim.subsidy_item}


def _claimant_staff(user: Any, claim: Claim) -> bool:
    if claim.organisation_id:
        return getattr(user, "role", None) == Role.INSTITUTION and user.organisation_id == claim.organisation_id
    return getattr(user, "role", None) == Role.TRAINEE and user.person_id == claim.person_id


def _refuse_blocked(organisation: Organisation | None) -> None:
    if organisation is not None and organisation.is_blocked_on(today()):
        raise ClaimRefused(
            _("%(org)s is suspended or blacklisted and may not claim subsidies (seed 二(六)).") % {"org": organisation.name}
        )


def _restriction_check(person: Person) -> rules.Check | None:
    """A person under a restriction in force today (registry.PersonRestriction: blacklist or a
    case decision) may not claim; the check names the restriction, since when and its document."""
    with translation.override("zh-hans"):
        detail = queries.block_detail(person, today())
        if not detail:
            return None
        text = _("The claimant is suspended or blacklisted and may not claim subsidies.")
        return rules.Check("claimant_blocked", False, f"{text}（{detail}）")


def _with_person_restriction(draft: queries.LineDraft, person: Person) -> queries.LineDraft:
    """Every claim of a person's own is checked for a restriction (技能提升补贴's rule already
    carries the check; living allowance and 求学圆梦 get it here)."""
    if any(c.code == "claimant_blocked" for c in draft.checks):
        return draft
    check = _restriction_check(person)
    return draft if check is None else dataclasses.replace(draft, checks=(check, *draft.checks))


def _write_lines(claim: Claim, drafts: Sequence[queries.LineDraft]) -> None:
    lines = []
    for d in drafts:
        lines.append(ClaimLine(
            claim=claim, person=d.person, subsidy_item=claim.subsidy_item, enrollment=d.enrollment,
            training_class_id=d.enrollment.training_class_id if d.enrollment else None, certificate=d.certificate,
            study=d.study, study_level=d.study.level if d.study is not None else "",
            outside_certificate=d.outside_certificate, insured_months=d.insured_months,
            occupation_id=d.occupation_id, level_id=d.level_id, year=d.year, amount=d.amount,
            reasons=d.reasons_json(), checks=[c.as_json() for c in d.checks],
            employed_within_6_months=d.employed, rule_table=d.table,
        ))
    try:
        with transaction.atomic():
            ClaimLine.objects.bulk_create(lines)
    except IntegrityError:
        raise ClaimRefused(_("Some of these trainees have just been claimed for in another claim; reload and try again."))
    _mark_tables_used(d.table.pk for d in drafts if d.table)


def _refresh_amount(claim: Claim) -> None:
    total = claim.lines.filter(status=LineStatus.LIVE).aggregate(s=Sum("amount"))["s"] or ZERO
    claim.amount = yuan(total)
    claim.save(update_fields=["amount", "updated_at"])


def create_claim(
    *, by: Any, project: TrainingProject, enrollment_ids: Iterable[int], subsidy_item: str = "",
    payee_account: PayeeAccount | None = None, skip_ineligible: bool = False,
) -> Claim:
    """A draft claim by an institution or enterprise for completed enrollments of its project.

    Each line is checked and priced by the rule engine; an amount given by hand is never used.
    If any line fails, nothing is written and every failing trainee is named with its reasons
    (unless ``skip_ineligible``, when only the passing lines are claimed).
    """
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions and enterprises claim for their trainees."))
    organisation = by.organisation
    is_organiser = project.organiser_id == organisation.pk
    is_apprentice_partner = project.partner_id == organisation.pk and project.project_type == ProjectType.APPRENTICESHIP
    if not (is_organiser or is_apprentice_partner):
        raise PermissionDenied(_("Only the organiser of the project (or the apprenticeship enterprise) may claim for it."))
    _refuse_blocked(organisation)
    item = subsidy_item or queries.default_item_for(project)
    if item not in queries.ORGANISATION_ITEMS:
        raise ValidationError({"subsidy_item": _("Institutions and enterprises cannot claim this subsidy item.")})
    if payee_account is not None and payee_account.organisation_id != organisation.pk:
        raise ValidationError({"payee_account": _("Choose one of your organisation's bank accounts.")})
    ids = sorted({int(i) for i in enrollment_ids})
    if not ids:
        raise ValidationError({"enrollments": _("Choose at least one completed trainee.")})
    enrollments = list(
        Enrollment.objects.filter(pk__in=ids, training_class__project=project).select_related("person", "training_class")
    )
    if len(enrollments) != len(ids):
        raise ValidationError({"enrollments": _("Some of the chosen enrollments do not belong to this project.")})
    payee_kind = queries.payee_kind_for(organisation)
    drafts = queries.evaluate_enrollments(project, enrollments, item=item, payee_kind=payee_kind)
    failing = [(d.label, d.problems) for d in drafts if not d.ok]
    if failing and not skip_ineligible:
        raise ClaimRefused(_("Nothing was claimed: some trainees cannot be claimed for."), failing)
    passing = [d for d in drafts if d.ok]
    if not passing:
        raise ClaimRefused(_("Nothing was claimed: none of the chosen trainees can be claimed for."), failing)
    city = queries.city_code(project.county_id)
    table = queries.table_in_force(city, today())
    if table is None:
        raise ClaimRefused(_("The city has no subsidy standard in force; no claim can be made."))
    with transaction.atomic():
        claim = Claim(
            subsidy_item=item, payee_kind=payee_kind, organisation=organisation, project=project,
            county_id=project.county_id, fund_source_id=project.fund_source_id, action_id=project.action_id,
            rule_table=table, requires_province=project.is_provincial_key, payee_account=payee_account, created_by=by,
        )
        _save_numbered(claim, f"BT{today():%Y}")
        _write_lines(claim, passing)
        _mark_tables_used([table.pk])
        _refresh_amount(claim)
        audit.record("funds.claim.create", actor=by, obj=claim, after={
            **_claim_snapshot(claim), "lines": len(passing), "skipped": len(failing),
        })
    return claim


def _own_claim(
    *, by: Any, person: Person, payee_account: PayeeAccount | None, item: str, fund_code: str,
    draft: queries.LineDraft, refused: str, action: Action | None = None, detail: dict[str, Any] | None = None,
) -> Claim:
    """A person's own one-line claim (技能提升补贴, 求学圆梦): their own account, the fund, the
    line's checks, the city's table in force; then numbered, written and audited at once.
    技能提升补贴 goes to the region of the insured city (``draft.route_county``) and is paid only
    to the person's 社会保障卡 account."""
    if payee_account is not None and payee_account.person_id != person.pk:
        raise ValidationError({"payee_account": _("Choose one of your own bank accounts.")})
    if item in CARD_ONLY_ITEMS:
        _require_card_account(payee_account)
    fund_source = FundSource.objects.filter(code=fund_code).first()
    if fund_source is None:
        raise ClaimRefused(_("The fund %(code)s is not configured.") % {"code": fund_code})
    draft = _with_person_restriction(draft, person)
    if not draft.ok:
        raise ClaimRefused(refused, [(draft.label, draft.problems)])
    county = Region.objects.get(code=draft.route_county) if draft.route_county else person.current_region
    if item in CARD_ONLY_ITEMS and payee_account is not None:
        with translation.override("zh-hans"):
            card = rules.check_payee_account(payee_kind=PayeeKind.PERSON, account_kind=payee_account.kind)
        if card is not None:
            draft = dataclasses.replace(draft, checks=(*draft.checks, card))
    table = queries.table_in_force(queries.city_code(county.code), today())
    if table is None:
        raise ClaimRefused(_("The city has no subsidy standard in force; no claim can be made."))
    with transaction.atomic():
        claim = Claim(
            subsidy_item=item, payee_kind=PayeeKind.PERSON, person=person, county=county, fund_source=fund_source,
            action=action, rule_table=table, payee_account=payee_account, created_by=by,
        )
        _save_numbered(claim, f"BT{today():%Y}")
        _write_lines(claim, [draft])
        _mark_tables_used([table.pk])
        _refresh_amount(claim)
        audit.record("funds.claim.create", actor=by, obj=claim,
                     after={**_claim_snapshot(claim), "lines": 1, **(detail or {})})
    return claim


# Items a person is paid for directly: only to their 社会保障卡 financial account.
CARD_ONLY_ITEMS = frozenset({SubsidyItem.SKILL_UPGRADE, SubsidyItem.LIVING_ALLOWANCE})


def _require_card_account(payee_account: PayeeAccount | None) -> None:
    if payee_account is None or payee_account.kind != AccountKindOfPayee.SOCIAL_SECURITY_CARD:
        raise ValidationError({"payee_account": _(
            "Choose your social security card financial account: this subsidy is paid only to it "
            "(register it, or ask the HRSS office to import it from the card bank's file).")})


def create_person_claim(*, by: Any, certificate: Certificate, payee_account: PayeeAccount | None = None) -> Claim:
    """A person's own claim for 技能提升补贴 on a certificate (within 12 months of issue, [V])."""
    if getattr(by, "role", None) != Role.TRAINEE or by.person_id != certificate.person_id:
        raise PermissionDenied(_("Only the certificate holder may claim this subsidy."))
    person = certificate.person
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.SKILL_UPGRADE,
        fund_code="unemployment_insurance", draft=queries.evaluate_certificate(person, certificate),
        refused=_("This certificate cannot be claimed for."),
    )


def find_outside_certificate(person: Person, *, number: str, occupation: Occupation, level_order: int) -> OutsideCertificate:
    """The national-register certificate that matches exactly: number, the person's ID number,
    occupation and level. Anything else is refused, saying which part disagrees."""
    number = (number or "").strip().upper()
    found = OutsideCertificate.objects.select_related("occupation", "level").filter(number=number).first()
    if found is None:
        raise ValidationError({"number": _("Certificate %(number)s is not in the imported national register.")
                                         % {"number": number[:40]}})
    if found.id_number_hash != person.id_number_hash:
        raise ValidationError({"number": _("Certificate %(number)s is registered to another ID number.") % {"number": number}})
    if found.occupation_id != occupation.pk:
        raise ValidationError({"occupation": _("Certificate %(number)s is for %(occupation)s, not %(given)s.")
                                             % {"number": number, "occupation": found.occupation.name, "given": occupation.name}})
    if found.level_id != level_order:
        raise ValidationError({"level": _("Certificate %(number)s is at level %(level)s, not the level given.")
                                        % {"number": number, "level": found.level.name}})
    return found


def create_outside_certificate_claim(
    *, by: Any, number: str, occupation: Occupation, level_order: int, payee_account: PayeeAccount | None = None,
) -> Claim:
    """技能提升补贴 on a certificate issued by another filed evaluation body, found in the national
    register extract (number + ID number + occupation + level); the line links it."""
    person = _require_trainee(by)
    certificate = find_outside_certificate(person, number=number, occupation=occupation, level_order=level_order)
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.SKILL_UPGRADE,
        fund_code="unemployment_insurance", draft=queries.evaluate_certificate(person, certificate),
        refused=_("This certificate cannot be claimed for."), detail={"outside_certificate": certificate.number},
    )


def register_card_account(
    *, by: Any, person: Person, bank_name: str, account_number: str, source: str = AccountSource.OWNER,
) -> PayeeAccount:
    """A person's 社会保障卡 financial account: registered by the person, or by an HRSS officer of
    the person's region from the card bank's file. Masked like every account; audited."""
    if source == AccountSource.OWNER:
        if getattr(by, "role", None) != Role.TRAINEE or by.person_id != person.pk:
            raise PermissionDenied(_("Only the person may register their own bank account."))
    else:
        _require_hrss(by, person.current_region_id)
    number = re.sub(r"[\s-]", "", account_number or "")
    errors: dict[str, str] = {}
    if not _ACCOUNT_RE.match(number):
        errors["account_number"] = _("Enter the account number: 8 to 30 digits.")
    if not (bank_name or "").strip():
        errors["bank_name"] = _("Enter the bank's name.")
    if errors:
        raise ValidationError(errors)
    existing = PayeeAccount.objects.active().filter(person=person, account_hash=PayeeAccount.hash_number(number)).first()
    with transaction.atomic():
        if existing is not None:
            if existing.kind == AccountKindOfPayee.SOCIAL_SECURITY_CARD:
                return existing
            existing.kind, existing.source = AccountKindOfPayee.SOCIAL_SECURITY_CARD, source
            existing.save(update_fields=["kind", "source", "updated_at"])
            account = existing
        else:
            account = PayeeAccount(person=person, holder_name=person.name, bank_name=bank_name.strip()[:120],
                                   kind=AccountKindOfPayee.SOCIAL_SECURITY_CARD, source=source, created_by=by)
            account.set_number(number)
            account.save()
        audit.record("funds.payee_account.card", actor=by, obj=account, after={
            "bank": account.bank_name, "number": mask_bank_account(number), "source": source})
    return account


def create_living_allowance_claim(*, by: Any, enrollment: Enrollment, payee_account: PayeeAccount | None = None) -> Claim:
    """生活费补贴 belongs to the trainee: claimed by the trainee for a completed enrollment and
    paid to their 社会保障卡 account, never to the organisation. Handled where the training ran."""
    person = _require_trainee(by)
    if enrollment.person_id != person.pk:
        raise PermissionDenied(_("Only the trainee may claim their living allowance."))
    project = enrollment.training_class.project
    draft = queries.evaluate_enrollments(project, [enrollment], item=SubsidyItem.LIVING_ALLOWANCE,
                                         payee_kind=PayeeKind.PERSON)[0]
    draft = dataclasses.replace(draft, route_county=project.county_id)
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.LIVING_ALLOWANCE,
        fund_code=project.fund_source.code, draft=draft, action=project.action,
        refused=_("This training gives no living allowance."),
    )


# ---------------------------------------------------------------- 求学圆梦 (education)

EDUCATION_FUND_SOURCE = "mass_organisation"  # 求学圆梦 is run by the 省总工会: 群团组织相关资金
EDUCATION_ACTION = "key_groups"  # action 6 names "求学圆梦行动" (reference/actions.csv)


def _require_trainee(by: Any) -> Person:
    if getattr(by, "role", None) != Role.TRAINEE or not getattr(by, "person_id", None):
        raise PermissionDenied(_("Only a person may record their own studies."))
    return by.person


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


def _recheck_lines(claim: Claim) -> list[tuple[str, list[str]]]:
    """Re-run every live line's checks (caps may have changed since the claim was made);
    store the fresh checks; return the lines that now fail."""
    lines = list(
        claim.lines.filter(status=LineStatus.LIVE).select_related("enrollment__training_class", "person", "certificate", "study")
    )
    exclude = [ln.pk for ln in lines]
    failing: list[tuple[str, list[str]]] = []
    drafts: list[tuple[ClaimLine, queries.LineDraft]] = []
    if claim.project is not None:
        enrollments = [ln.enrollment for ln in lines if ln.enrollment is not None]
        blocked = claim.organisation.is_blocked_on(today()) if claim.organisation is not None else False
        evaluated = queries.evaluate_enrollments(
            claim.project, enrollments, item=claim.subsidy_item, payee_kind=claim.payee_kind,
            claimant_blocked=blocked, exclude_line_ids=exclude,
        )
        by_enrollment = {d.enrollment.pk: d for d in evaluated if d.enrollment}
        drafts = [(ln, by_enrollment[ln.enrollment_id]) for ln in lines if ln.enrollment_id in by_enrollment]
    else:
        for ln in lines:
            if ln.certificate is not None:
                drafts.append((ln, queries.evaluate_certificate(ln.person, ln.certificate, exclude_line_ids=exclude)))
            elif ln.outside_certificate is not None:
                drafts.append((ln, queries.evaluate_certificate(ln.person, ln.outside_certificate, exclude_line_ids=exclude)))
            elif ln.study is not None:
                drafts.append((ln, queries.evaluate_study(ln.person, ln.study, exclude_line_ids=exclude)))
    for ln, d in drafts:
        ln.checks = [c.as_json() for c in d.checks]
        ln.save(update_fields=["checks", "updated_at"])
        # The amount was fixed when the line was written; a re-check looks only at the gates.
        if not all(c.ok for c in d.checks):
            failing.append((d.label, d.problems))
    return failing


def submit_claim(claim: Claim, *, by: Any) -> Claim:
    if not _claimant_staff(by, claim):
        raise PermissionDenied(_("Only the claimant may submit this claim."))
    _refuse_blocked(claim.organisation)
    if claim.person_id is not None and claim.person is not None:
        blocked = _restriction_check(claim.person)
        if blocked is not None:
            raise ClaimRefused(_("This claim cannot be submitted."),
                               [(f"{claim.person.name}（{claim.person.masked_id_number}）", [blocked.text])])
    if claim.payee_account_id is None:
        raise ValidationError({"payee_account": _("Choose the bank account the subsidy is paid to before submitting.")})
    if not claim.lines.filter(status=LineStatus.LIVE).exists():
        raise ValidationError(_("The claim has no lines left."))
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        failing = _recheck_lines(claim)
        if failing:
            raise ClaimRefused(_("The claim was not submitted: remove the lines that no longer pass."), failing)
        claim.submitted_by = by
        claim.submitted_at = timezone.now()
        claim.last_reason = ""
        claim.save(update_fields=["submitted_by", "submitted_at", "last_reason", "updated_at"])
        workflow.move(claim, ClaimStatus.SUBMITTED, by=by, event="funds.claim.submit")
        publish("funds.claim.submitted", obj=claim, actor=by)
    return claim


def set_claim_payee_account(claim: Claim, *, by: Any, payee_account: PayeeAccount) -> Claim:
    if not _claimant_staff(by, claim):
        raise PermissionDenied(_("Only the claimant may change this claim."))
    if not claim.is_editable:
        raise ValidationError(_("A claim under review cannot be changed."))
    owner_ok = (payee_account.organisation_id == claim.organisation_id) if claim.organisation_id else (payee_account.person_id == claim.person_id)
    if not owner_ok or payee_account.is_archived:
        raise ValidationError({"payee_account": _("Choose one of the claimant's own bank accounts.")})
    if claim.person_id and claim.subsidy_item in CARD_ONLY_ITEMS:
        _require_card_account(payee_account)
    with transaction.atomic():
        before = claim.payee_account.masked_number if claim.payee_account is not None else ""
        claim.payee_account = payee_account
        claim.save(update_fields=["payee_account", "updated_at"])
        audit.record("funds.claim.payee_account", actor=by, obj=claim,
                     before={"payee_account": before}, after={"payee_account": payee_account.masked_number})
    return claim


def _reviewers(claim: Claim) -> set[int]:
    return {pk for pk in (claim.created_by_id, claim.submitted_by_id, claim.county_reviewed_by_id,
                          claim.city_approved_by_id, claim.province_approved_by_id) if pk}


def _require_union(user: Any, region_code: str) -> None:
    prefix = union_prefix(user)
    if prefix is None or not region_code.startswith(prefix):
        raise PermissionDenied(_("Only a trade-union officer responsible for this region may review 求学圆梦 claims."))


def reviewed_by_union(claim: Claim) -> bool:
    """求学圆梦 is the trade union's (群团组织相关资金; 德州/青岛 notices 2025): its officers review
    these claims at the same levels, and HRSS officers do not."""
    return claim.subsidy_item == SubsidyItem.EDUCATION


def _require_reviewer(by: Any, claim: Claim, stage: str) -> None:
    """County review: a county (or city) officer over the claim's county; city approval: a
    city officer of the claim's city; province approval: a provincial officer — HRSS officers,
    or trade-union officers for 求学圆梦. Never someone who already made, submitted or reviewed
    the claim (maker ≠ checker)."""
    if reviewed_by_union(claim):
        _require_union(by, claim.county_id)
    else:
        _require_hrss(by, claim.county_id)
    level = _user_level(by)
    allowed = {
        "county": (RegionLevel.COUNTY, RegionLevel.CITY),
        "city": (RegionLevel.CITY,),
        "province": (RegionLevel.PROVINCE,),
        "notice": (RegionLevel.CITY, RegionLevel.PROVINCE),
    }[stage]
    if level not in allowed:
        raise PermissionDenied(_("This step belongs to another level of review."))
    if stage != "notice" and by.pk in _reviewers(claim):
        raise PermissionDenied(_("You made or already reviewed this claim; another officer must take this step (maker ≠ checker)."))


STAGE_OF: dict[str, str] = {
    ClaimStatus.SUBMITTED: "county",
    ClaimStatus.COUNTY_REVIEWED: "city",
    ClaimStatus.CITY_APPROVED: "province",
    ClaimStatus.PUBLIC_NOTICE: "notice",
}


def _gate_open_risk(claim: Claim, *, by: Any, stage: str, note: str) -> None:
    """Issue 13: deciding a claim while a high-severity supervision finding touching it (its
    institution, classes, persons or itself) is open needs a written reason; the reason and what
    was open are stored (RiskApproval, counted per city by the dispatch report) and audited."""
    risks = queries.claim_risks(claim)
    high = [r for r in risks if r.kind == "finding" and r.severity == "high"]
    if not high:
        return
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_(
            "%(n)d high-severity supervision finding(s) touching this claim are open (%(codes)s). Write the reason "
            "for approving it anyway."
        ) % {"n": len(high), "codes": "、".join(sorted({r.code for r in high}))}]}, code="open_high_risk")
    record = RiskApproval.objects.create(claim=claim, stage=stage, reason=note[:2000], high_findings=len(high),
                                         risks=[r.as_json() for r in risks[:50]], by=by)
    audit.record("funds.claim.approve_despite_risk", actor=by, obj=claim, detail={
        "stage": stage, "reason": note[:2000], "high_findings": [r.pk for r in high], "risk_approval": record.pk})


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related("organisation", "project", "county").get(pk=claim.pk)


def county_review(claim: Claim, *, by: Any, note: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.SUBMITTED:
            raise workflow.IllegalTransition(_("Only a submitted claim can be reviewed by the county."))
        _require_reviewer(by, claim, "county")
        _gate_open_risk(claim, by=by, stage=ClaimStatus.COUNTY_REVIEWED, note=note)
        claim.county_reviewed_by = by
        claim.county_reviewed_at = timezone.now()
        claim.save(update_fields=["county_reviewed_by", "county_reviewed_at", "updated_at"])
        workflow.move(claim, ClaimStatus.COUNTY_REVIEWED, by=by, reason=note, event="funds.claim.county_review")
        publish("funds.claim.county_reviewed", obj=claim, actor=by)
    return claim


def _commit(claim: Claim, *, by: Any) -> None:
    year = today().year
    budget = queries.budget_for_claim(claim, year)
    if budget is None:
        raise ValidationError(
            _("No %(source)s budget for %(year)s covers %(county)s; ask the finance bureau to allocate one.")
            % {"source": claim.fund_source.name, "year": year, "county": claim.county.name}
        )
    try:
        ledger.post(
            kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id=claim.pk,
            legs=ledger.transfer(ledger.budget_account(budget, AccountKind.AVAILABLE),
                                 ledger.budget_account(budget, AccountKind.COMMITTED), claim.amount),
            by=by, memo=_("Commitment for claim %(number)s") % {"number": claim.number},
        )
    except ledger.InsufficientFunds:
        raise ValidationError(
            _("The budget %(budget)s has only %(balance)s yuan available; the claim needs %(amount)s yuan. "
              "Nothing was approved.")
            % {"budget": budget, "balance": budget.balance(AccountKind.AVAILABLE), "amount": claim.amount}
        )
    claim.budget = budget
    claim.save(update_fields=["budget", "updated_at"])


def _release(claim: Claim, *, by: Any, reason: str) -> None:
    if claim.amount <= 0 or claim.budget is None:
        return
    ledger.post(
        kind=PostingKind.RELEASE, reference_type=ReferenceType.CLAIM, reference_id=claim.pk,
        legs=ledger.transfer(ledger.budget_account(claim.budget, AccountKind.COMMITTED),
                             ledger.budget_account(claim.budget, AccountKind.AVAILABLE), claim.amount),
        by=by, memo=_("Commitment released: %(reason)s") % {"reason": reason[:200]},
    )


def _start_notice(claim: Claim, *, by: Any) -> None:
    days = claim.rule_table.public_notice_days
    claim.notice_starts_on = today()
    claim.notice_ends_on = today() + dt.timedelta(days=days)
    claim.save(update_fields=["notice_starts_on", "notice_ends_on", "updated_at"])
    workflow.move(claim, ClaimStatus.PUBLIC_NOTICE, by=by, event="funds.claim.public_notice",
                  reason=_("Public notice until %(day)s.") % {"day": claim.notice_ends_on.isoformat()})
    publish("funds.claim.approved", obj=claim, actor=by, notice_ends_on=claim.notice_ends_on.isoformat())


def city_approve(claim: Claim, *, by: Any, note: str = "") -> Claim:
    """City approval: commits the claim's amount in its budget (available → committed); then
    public notice, or province approval first for provincial key projects."""
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.COUNTY_REVIEWED:
            raise workflow.IllegalTransition(_("Only a county-reviewed claim can be approved by the city."))
        _require_reviewer(by, claim, "city")
        _gate_open_risk(claim, by=by, stage=ClaimStatus.CITY_APPROVED, note=note)
        failing = _recheck_lines(claim)
        if failing:
            raise ClaimRefused(_("Not approved: some lines no longer pass their checks."), failing)
        _commit(claim, by=by)
        claim.city_approved_by = by
        claim.city_approved_at = timezone.now()
        claim.save(update_fields=["city_approved_by", "city_approved_at", "updated_at"])
        if claim.requires_province:
            workflow.move(claim, ClaimStatus.CITY_APPROVED, by=by, reason=note, event="funds.claim.city_approve")
            publish("funds.claim.awaiting_province", obj=claim, actor=by)
        else:
            audit.record("funds.claim.city_approve", actor=by, obj=claim,
                         after={"amount": str(claim.amount), "budget": claim.budget_id}, detail={"note": note} if note else None)
            _start_notice(claim, by=by)
    return claim


def province_approve(claim: Claim, *, by: Any, note: str = "") -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.CITY_APPROVED:
            raise workflow.IllegalTransition(_("Only a city-approved provincial key claim can be approved by the province."))
        _require_reviewer(by, claim, "province")
        _gate_open_risk(claim, by=by, stage=ClaimStatus.PUBLIC_NOTICE, note=note)
        claim.province_approved_by = by
        claim.province_approved_at = timezone.now()
        claim.save(update_fields=["province_approved_by", "province_approved_at", "updated_at"])
        audit.record("funds.claim.province_approve", actor=by, obj=claim, detail={"note": note} if note else None)
        _start_notice(claim, by=by)
    return claim


def approve_claim(claim: Claim, *, by: Any, note: str = "") -> Claim:
    """The next approval step for the claim's current status."""
    steps: dict[str, Any] = {ClaimStatus.SUBMITTED: county_review, ClaimStatus.COUNTY_REVIEWED: city_approve,
                             ClaimStatus.CITY_APPROVED: province_approve}
    step = steps.get(claim.status)
    if step is None:
        raise workflow.IllegalTransition(_("This claim is not waiting for a review."))
    return step(claim, by=by, note=note)


def return_claim(claim: Claim, *, by: Any, reason: str) -> Claim:
    """Back to the claimant for changes (from any review step; a commitment is released)."""
    reason = _reason(reason)
    with transaction.atomic():
        claim = _locked(claim)
        stage = STAGE_OF.get(claim.status)
        if stage is None or stage == "notice":
            raise workflow.IllegalTransition(_("This claim cannot be returned now."))
        _require_reviewer(by, claim, stage)
        if claim.status in COMMITTED_STATUSES:
            _release(claim, by=by, reason=reason)
        workflow.move(claim, ClaimStatus.RETURNED, by=by, reason=reason, event="funds.claim.return")
        # A resubmitted claim is reviewed afresh (the earlier steps stay in its status history).
        claim.last_reason = reason
        claim.county_reviewed_by = claim.city_approved_by = claim.province_approved_by = None
        claim.budget = None
        claim.save(update_fields=["last_reason", "county_reviewed_by", "city_approved_by", "province_approved_by",
                                  "budget", "updated_at"])
        publish("funds.claim.returned", obj=claim, actor=by, reason=reason)
    return claim


def reject_claim(claim: Claim, *, by: Any, reason: str) -> Claim:
    """Final refusal, from review or during public notice (an objection upheld). Lines are
    released so the trainees can be claimed for correctly elsewhere."""
    reason = _reason(reason)
    with transaction.atomic():
        claim = _locked(claim)
        stage = STAGE_OF.get(claim.status)
        if stage is None:
            raise workflow.IllegalTransition(_("This claim cannot be rejected now."))
        _require_reviewer(by, claim, stage)
        if claim.status in COMMITTED_STATUSES:
            _release(claim, by=by, reason=reason)
        claim.last_reason = reason
        claim.save(update_fields=["last_reason", "updated_at"])
        claim.lines.filter(status=LineStatus.LIVE).update(
            status=LineStatus.EXCLUDED, excluded_reason=_("Claim rejected: %(reason)s") % {"reason": reason[:250]}
        )
        workflow.move(claim, ClaimStatus.REJECTED, by=by, reason=reason, event="funds.claim.reject")
        publish("funds.claim.rejected", obj=claim, actor=by, reason=reason)
    return claim


def cancel_claim(claim: Claim, *, by: Any, reason: str = "") -> Claim:
    if not _claimant_staff(by, claim):
        raise PermissionDenied(_("Only the claimant may withdraw this claim."))
    with transaction.atomic():
        claim = _locked(claim)
        claim.lines.filter(status=LineStatus.LIVE).update(status=LineStatus.EXCLUDED, excluded_reason=_("Claim withdrawn."))
        workflow.move(claim, ClaimStatus.CANCELLED, by=by, reason=reason, event="funds.claim.cancel")
    return claim


def exclude_line(line: ClaimLine, *, by: Any, reason: str) -> ClaimLine:
    """Take one line out: the claimant while the claim is editable, the county reviewer while
    it waits for county review."""
    reason = _reason(reason)
    with transaction.atomic():
        claim = _locked(line.claim)
        if claim.is_editable:
            if not _claimant_staff(by, claim):
                raise PermissionDenied(_("Only the claimant may change this claim."))
        elif claim.status == ClaimStatus.SUBMITTED:
            _require_reviewer(by, claim, "county")
        else:
            raise ValidationError(_("Lines can be removed only before county review is finished."))
        line = ClaimLine.objects.select_for_update().get(pk=line.pk, claim=claim)
        if line.status != LineStatus.LIVE:
            raise ValidationError(_("This line is already excluded."))
        line.status = LineStatus.EXCLUDED
        line.excluded_reason = reason[:300]
        line.save(update_fields=["status", "excluded_reason", "updated_at"])
        before = claim.amount
        _refresh_amount(claim)
        audit.record("funds.claim.exclude_line", actor=by, obj=claim, before={"amount": str(before)},
                     after={"amount": str(claim.amount), "line": line.pk}, detail={"reason": reason})
    return line


def close_public_notice(claim: Claim, *, by: Any = None, on: dt.date | None = None) -> bool:
    """Move a claim whose public notice has ended to payable. Returns whether it moved."""
    day = on or today()
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.PUBLIC_NOTICE or claim.notice_ends_on is None or claim.notice_ends_on >= day:
            return False
        workflow.move(claim, ClaimStatus.PAYABLE, by=by, event="funds.claim.payable",
                      reason=_("Public notice ended on %(day)s without an upheld objection.") % {"day": claim.notice_ends_on.isoformat()})
    return True


def close_due_notices(*, by: Any = None, on: dt.date | None = None) -> int:
    day = on or today()
    moved = 0
    for claim in Claim.objects.filter(status=ClaimStatus.PUBLIC_NOTICE, notice_ends_on__lt=day).order_by("id"):
        moved += close_public_notice(claim, by=by, on=day)
    return moved


# ====================================================================== payments


def _order_result(order: PaymentOrder) -> dict[str, Any]:
    return {"order": order.number, "claim": order.claim.number, "amount": str(order.amount), "status": order.status}


def _ensure_batches_allowed(region_code: str) -> None:
    blocking = queries.open_issues_blocking(region_code)
    if blocking.exists():
        first = blocking.select_related("batch").first()
        raise Conflict(
            _("Payments are blocked: batch %(batch)s has %(n)d unresolved reconciliation mismatch(es). "
              "Resolve them first.") % {"batch": first.batch.number if first else "", "n": blocking.count()}
        )


def issue_payment_order(
    claim: Claim, *, by: Any, idempotency_key: str, amount: Decimal | str | None = None, batch: PaymentBatch | None = None,
) -> tuple[PaymentOrder, bool]:
    """Pay a payable claim exactly once (G2, G3). Returns (order, created).

    The same key again returns the same order; the same key with another claim or amount is a
    ``Conflict``. The claim row is locked, so two concurrent payments of one claim (even with
    different keys) produce one order; a conditional unique index on live orders backs this up.
    Posting: committed → paid in the claim's budget.
    """
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 100:
        raise ValidationError({"idempotency_key": _("Give an idempotency key of 8 to 100 characters.")})
    wanted = yuan(amount) if amount is not None and amount != "" else None

    def replay(order: PaymentOrder) -> tuple[PaymentOrder, bool]:
        if order.claim_id != claim.pk or (wanted is not None and wanted != order.amount):
            raise Conflict(_("This idempotency key was already used for another payment (claim or amount differs)."))
        return order, False

    _require_finance(by, claim.county_id)
    existing = PaymentOrder.objects.filter(idempotency_key=key).select_related("claim").first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            locked = _locked(claim)
            existing = PaymentOrder.objects.filter(idempotency_key=key).select_related("claim").first()
            if existing is not None:  # a concurrent request with the same key won the lock
                return replay(existing)
            if locked.status in (ClaimStatus.PAYING, ClaimStatus.PAID):
                raise Conflict(_("Claim %(number)s has already been paid or is being paid.") % {"number": locked.number})
            if locked.status != ClaimStatus.PAYABLE:
                raise ValidationError(_("Claim %(number)s is not payable yet (public notice not finished or not approved).")
                                      % {"number": locked.number})
            if wanted is not None and wanted != locked.amount:
                raise ValidationError({"amount": _("The amount must equal the approved amount of %(amount)s yuan.")
                                                 % {"amount": locked.amount}})
            payee_account = locked.payee_account
            if payee_account is None:
                raise ValidationError({"payee_account": _("The claim has no payee bank account.")})
            _ensure_batches_allowed(batch.region_id if batch else queries.city_code(locked.county_id))
            order = PaymentOrder(
                idempotency_key=key, batch=batch, claim=locked, amount=locked.amount,
                payee_name=payee_account.holder_name, payee_account=payee_account, created_by=by,
            )
            _save_numbered(order, f"ZF{today():%Y}")
            budget = locked.budget
            assert budget is not None, "a payable claim has a budget (claim_committed_has_budget)"
            posting = ledger.post(
                kind=PostingKind.PAYMENT, reference_type=ReferenceType.PAYMENT_ORDER, reference_id=order.pk,
                legs=ledger.transfer(ledger.budget_account(budget, AccountKind.COMMITTED),
                                     ledger.budget_account(budget, AccountKind.PAID), order.amount),
                by=by, memo=_("Payment of claim %(number)s") % {"number": locked.number},
            )
            order.posting = posting
            order.save(update_fields=["posting", "updated_at"])
            workflow.move(locked, ClaimStatus.PAYING, by=by, event="funds.claim.paying")
            audit.record("funds.payment_order.issue", actor=by, obj=order, after={
                **_order_result(order), "payee_account": order.payee_account.masked_number, "key_sha256": _sha(key)[:16],
            })
    except IntegrityError:
        # The unique constraints held under a race the lock did not cover (e.g. SQLite).
        existing = PaymentOrder.objects.filter(idempotency_key=key).select_related("claim").first()
        if existing is not None:
            return replay(existing)
        raise Conflict(_("Claim %(number)s has already been paid or is being paid.") % {"number": claim.number})
    return order, True


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _serialise(kind: str, key: str) -> None:
    """Hold a transaction-scoped lock named (kind, key) until the surrounding transaction ends.

    PostgreSQL: an advisory lock (a row lock on the region would also block every insert that
    references the region). SQLite: transactions are BEGIN IMMEDIATE (config/settings.py), so
    writers are already serialised from their first statement; nothing more to do."""
    if connection.vendor != "postgresql":
        return
    assert transaction.get_connection().in_atomic_block, "a money lock lives only inside a transaction"
    classid = zlib.crc32(kind.encode()) - (1 << 31)
    objid = zlib.crc32(key.encode()) - (1 << 31)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [classid, objid])


def _batch_lock_key(region_code: str) -> str:
    # Batches of a province and of its cities can overlap (a province officer's batch covers
    # the cities' claims), so one lock per province serialises every batch that could share one.
    return region_code[:2]


@dataclass
class BatchResult:
    batch: PaymentBatch | None
    issued: int = 0
    attached: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)
    replay: bool = False


def create_payment_batch(
    *, by: Any, region: Region | None = None, limit: int | None = None, idempotency_key: str = "",
) -> BatchResult:
    """A payment batch of every payable claim in the region (and orders issued outside a batch).

    Atomic and serialised per province (SECURITY.md G3, issue 11 defect 4): the payable claims
    are read inside the transaction, under the lock, so parallel creators make one batch and
    the others find nothing left to pay. An empty batch is never created. The same
    ``idempotency_key`` again returns the first batch (``replay``). Refused while a
    reconciliation mismatch of this region is unresolved (G5)."""
    region = region or getattr(by, "region", None)
    if region is None:
        raise PermissionDenied(_("Only a finance officer responsible for this region may do this."))
    _require_finance(by, region.code)
    key = (idempotency_key or "").strip()
    if key and not 8 <= len(key) <= 100:
        raise ValidationError({"idempotency_key": _("Give an idempotency key of 8 to 100 characters.")})
    result = BatchResult(batch=None)
    with transaction.atomic():
        _serialise("funds.payment_batch", _batch_lock_key(region.code))
        if key:
            first = PaymentBatch.objects.filter(idempotency_key=key).first()
            if first is not None:
                if first.region_id != region.code:
                    raise Conflict(_("This idempotency key was already used for a batch of another region."))
                return BatchResult(batch=first, issued=first.order_count, replay=True)
        _ensure_batches_allowed(region.code)
        claims = list(queries.payable_claims(region.code)[: limit or None])
        loose = list(PaymentOrder.objects.select_for_update(of=("self",)).filter(
            within_region("claim__county", region.code), batch__isnull=True, status=OrderStatus.ISSUED,
        ).order_by("id"))
        if not claims and not loose:
            raise ValidationError(_("No payable claims in %(region)s.") % {"region": region.name})
        batch = PaymentBatch(region=region, created_by=by, idempotency_key=key or None)
        _save_numbered(batch, f"PC{today():%Y%m}")
        for order in loose:
            order.batch = batch
            order.save(update_fields=["batch", "updated_at"])
            result.attached += 1
        for claim in claims:
            attempt = claim.payment_orders.count() + 1
            try:
                with transaction.atomic():
                    issue_payment_order(claim, by=by, idempotency_key=f"claim-{claim.pk}-attempt-{attempt}", batch=batch)
                result.issued += 1
            except (ValidationError, Conflict) as exc:
                message = exc.message if isinstance(exc, Conflict) else "；".join(exc.messages)
                result.refused.append({"claim": claim.number, "reason": message})
        totals = batch.orders.aggregate(s=Sum("amount"), n=Count("id"))
        batch.total_amount = yuan(totals["s"] or ZERO)
        batch.order_count = totals["n"]
        if batch.order_count == 0:
            raise ValidationError(_("No payment order could be issued: %(reasons)s")
                                  % {"reasons": "；".join(r["reason"] for r in result.refused)})
        batch.save(update_fields=["total_amount", "order_count", "updated_at"])
        audit.record("funds.payment_batch.create", actor=by, obj=batch, after={
            "orders": batch.order_count, "total": str(batch.total_amount), "refused": len(result.refused),
        })
    result.batch = batch
    return result


def lock_batch_for_export(batch: PaymentBatch, *, by: Any) -> PaymentBatch:
    """Inside the caller's transaction: the batch row locked for writing its bank file, so two
    exports of one batch, or an export and a reconciliation, run one after the other."""
    _require_finance(by, batch.region_id)
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def record_bank_file_export(batch: PaymentBatch, *, by: Any, sha256: str, rows: int, fmt: str) -> None:
    """The bank file of a batch was produced (it holds full account numbers: audited, E4)."""
    _require_finance(by, batch.region_id)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.OPEN:
            batch.exported_at = timezone.now()
            batch.exported_by = by
            batch.file_sha256 = sha256
            batch.save(update_fields=["exported_at", "exported_by", "file_sha256", "updated_at"])
            workflow.move(batch, BatchStatus.EXPORTED, by=by, event="funds.payment_batch.exported")
        audit.record("funds.bank_file.export", actor=by, obj=batch, after={"rows": rows, "format": fmt, "sha256": sha256})


@dataclass(frozen=True)
class ReturnRow:
    row_number: int
    order_number: str
    amount: str
    result: str
    bank_reference: str = ""
    failure_reason: str = ""


SUCCESS_WORDS = {"成功", "success", "succeeded", "ok", "已支付", "支付成功"}
FAILURE_WORDS = {"失败", "fail", "failed", "退回", "支付失败"}


@dataclass
class ReconcileResult:
    bank_return: BankReturn
    replay: bool
    issues: list[ReconciliationIssue]
    succeeded: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


def reconcile_bank_return(
    batch: PaymentBatch, *, by: Any, rows: Sequence[ReturnRow], file_name: str, file_sha256: str,
) -> ReconcileResult:
    """Match a bank return file to a batch: successes mark orders and claims paid; failures
    return the money to the commitment (reversal of the payment posting) and the claim to
    payable; unknown or duplicate orders and differing amounts become issues that block the
    next batch until an officer resolves them. The same file twice is read once."""
    _require_finance(by, batch.region_id)
    previous = BankReturn.objects.filter(batch=batch, file_sha256=file_sha256).first()
    if previous is not None:
        return ReconcileResult(previous, True, list(previous.issues.all()))
    try:
        return _reconcile_locked(batch, by=by, rows=rows, file_name=file_name, file_sha256=file_sha256)
    except IntegrityError:
        # bank_return_once_per_file held where the batch lock does not reach: a clean replay.
        previous = BankReturn.objects.filter(batch=batch, file_sha256=file_sha256).first()
        if previous is None:
            raise
        return ReconcileResult(previous, True, list(previous.issues.all()))


def _reconcile_locked(
    batch: PaymentBatch, *, by: Any, rows: Sequence[ReturnRow], file_name: str, file_sha256: str,
) -> ReconcileResult:
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        # Read again under the lock: a parallel reader of the same file has committed by now.
        previous = BankReturn.objects.filter(batch=batch, file_sha256=file_sha256).first()
        if previous is not None:
            return ReconcileResult(previous, True, list(previous.issues.all()))
        if batch.status == BatchStatus.OPEN:
            raise ValidationError(_("Export the bank file of this batch before reading the bank's return file."))
        bank_return = BankReturn.objects.create(batch=batch, file_name=file_name[:200], file_sha256=file_sha256,
                                                rows=len(rows), uploaded_by=by)
        orders = {o.number: o for o in batch.orders.select_for_update(of=("self",)).select_related("claim")}
        seen: set[str] = set()
        issues: list[ReconciliationIssue] = []
        result = ReconcileResult(bank_return, False, issues)

        def issue(kind: str, row: ReturnRow, detail: str, order: PaymentOrder | None = None,
                  returned: Decimal | None = None) -> None:
            issues.append(ReconciliationIssue.objects.create(
                bank_return=bank_return, batch=batch, kind=kind, row_number=row.row_number, order=order,
                order_number=row.order_number[:60], expected_amount=order.amount if order else None,
                returned_amount=returned, detail=detail[:300],
            ))

        for row in rows:
            number = row.order_number.strip()
            try:
                returned = yuan(row.amount.strip().replace(",", ""))
            except (ValueError, TypeError):
                issue(IssueKind.BAD_ROW, row, _("Row %(row)d: the amount %(value)r cannot be read.")
                      % {"row": row.row_number, "value": row.amount[:30]})
                continue
            outcome = row.result.strip().lower()
            if outcome not in SUCCESS_WORDS and outcome not in FAILURE_WORDS:
                issue(IssueKind.BAD_ROW, row, _("Row %(row)d: the result %(value)r is neither 成功 nor 失败.")
                      % {"row": row.row_number, "value": row.result[:30]}, returned=returned)
                continue
            order = orders.get(number)
            if order is None:
                issue(IssueKind.UNKNOWN_ORDER, row, _("Row %(row)d: order %(number)s is not in batch %(batch)s.")
                      % {"row": row.row_number, "number": number[:40], "batch": batch.number}, returned=returned)
                continue
            if number in seen or order.status != OrderStatus.ISSUED:
                issue(IssueKind.DUPLICATE_ORDER, row, _("Row %(row)d: order %(number)s appears more than once "
                                                        "(or already has a bank result).")
                      % {"row": row.row_number, "number": number}, order=order, returned=returned)
                continue
            seen.add(number)
            if returned != order.amount:
                issue(IssueKind.AMOUNT_DIFFERS, row, _("Row %(row)d: order %(number)s was issued for %(expected)s yuan "
                                                       "but the bank reports %(returned)s yuan.")
                      % {"row": row.row_number, "number": number, "expected": order.amount, "returned": returned},
                      order=order, returned=returned)
                continue
            if outcome in SUCCESS_WORDS:
                _order_succeeded(order, by=by, bank_reference=row.bank_reference)
                result.succeeded += 1
            else:
                _order_failed(order, by=by, reason=row.failure_reason or _("Reported as failed by the bank."))
                result.failed += 1
                issue(IssueKind.FAILED_PAYMENT, row, _("Row %(row)d: payment %(number)s failed: %(reason)s")
                      % {"row": row.row_number, "number": number, "reason": (row.failure_reason or "")[:120]},
                      order=order, returned=returned)
        bank_return.matched = result.succeeded + result.failed
        bank_return.issue_count = len(issues)
        bank_return.save(update_fields=["matched", "issue_count", "updated_at"])
        _settle_batch_status(batch, by=by)
        audit.record("funds.bank_return.reconcile", actor=by, obj=batch, after={
            "file_sha256": file_sha256, "rows": len(rows), "succeeded": result.succeeded, "failed": result.failed,
            "issues": len(issues),
        })
    return result


def _order_succeeded(order: PaymentOrder, *, by: Any, bank_reference: str) -> None:
    order.bank_reference = bank_reference[:64]
    order.returned_at = timezone.now()
    order.save(update_fields=["bank_reference", "returned_at", "updated_at"])
    workflow.move(order, OrderStatus.SUCCEEDED, by=by, event="funds.payment_order.succeeded")
    claim = Claim.objects.select_for_update().get(pk=order.claim_id)
    workflow.move(claim, ClaimStatus.PAID, by=by, event="funds.claim.paid")
    publish("funds.claim.paid", obj=claim, actor=by, amount=str(order.amount))


def _order_failed(order: PaymentOrder, *, by: Any, reason: str) -> None:
    assert order.posting is not None, "an issued order got its payment posting when it was issued"
    reversal = ledger.reverse(order.posting, by=by, kind=PostingKind.PAYMENT_FAILED,
                              memo=_("Payment %(number)s failed: %(reason)s") % {"number": order.number, "reason": reason[:150]})
    order.failure_posting = reversal
    order.failure_reason = reason[:300]
    order.returned_at = timezone.now()
    order.save(update_fields=["failure_posting", "failure_reason", "returned_at", "updated_at"])
    workflow.move(order, OrderStatus.FAILED, by=by, reason=reason, event="funds.payment_order.failed")
    claim = Claim.objects.select_for_update().get(pk=order.claim_id)
    workflow.move(claim, ClaimStatus.PAYABLE, by=by, reason=reason, event="funds.claim.payment_failed")
    publish("funds.claim.payment_failed", obj=claim, actor=by, reason=reason)


def _settle_batch_status(batch: PaymentBatch, *, by: Any) -> None:
    has_open = batch.issues.filter(resolved_at__isnull=True).exists()
    pending = batch.orders.filter(status=OrderStatus.ISSUED).exists()
    target = BatchStatus.MISMATCH if has_open else (BatchStatus.EXPORTED if pending else BatchStatus.RECONCILED)
    if target == batch.status:
        return
    table: set[tuple[str, str]] = {*PaymentBatch.TRANSITIONS, (BatchStatus.MISMATCH, BatchStatus.EXPORTED)}
    workflow.move(batch, target, by=by, transitions=table, event=f"funds.payment_batch.{target}")


def resolve_issue(issue: ReconciliationIssue, *, by: Any, resolution: str, order_outcome: str = "") -> ReconciliationIssue:
    """Close a mismatch with an explanation. For an amount that differs the officer says what
    the bank really did (``order_outcome`` "succeeded" or "failed") once confirmed with it."""
    resolution = _reason(resolution, "resolution")
    _require_finance(by, issue.batch.region_id)
    with transaction.atomic():
        issue = ReconciliationIssue.objects.select_for_update(of=("self",)).select_related("batch", "order").get(pk=issue.pk)
        if issue.resolved_at is not None:
            raise ValidationError(_("This mismatch is already resolved."))
        if order_outcome:
            order = PaymentOrder.objects.select_for_update().get(pk=issue.order_id) if issue.order_id else None
            if order is None or order.status != OrderStatus.ISSUED:
                raise ValidationError({"order_outcome": _("There is no pending payment order on this mismatch.")})
            if order_outcome == OrderStatus.SUCCEEDED:
                _order_succeeded(order, by=by, bank_reference="")
            elif order_outcome == OrderStatus.FAILED:
                _order_failed(order, by=by, reason=resolution)
            else:
                raise ValidationError({"order_outcome": _("Choose succeeded or failed.")})
        issue.resolved_at = timezone.now()
        issue.resolved_by = by
        issue.resolution = resolution[:300]
        issue.save(update_fields=["resolved_at", "resolved_by", "resolution", "updated_at"])
        _settle_batch_status(PaymentBatch.objects.select_for_update().get(pk=issue.batch_id), by=by)
        audit.record("funds.reconciliation_issue.resolve", actor=by, obj=issue.batch,
                     after={"issue": issue.pk, "kind": issue.kind, "order_outcome": order_outcome}, detail={"resolution": resolution})
    return issue


# ====================================================================== recoveries


def _recovery_officer(by: Any, region_code: str) -> None:
    if getattr(by, "role", None) not in (Role.HRSS_OFFICER, Role.FINANCE_OFFICER) or not _in_scope(by, region_code):
        raise PermissionDenied(_("Only an HRSS or finance officer responsible for this region may do this."))


def create_recovery_order(
    *, by: Any, payer: Organisation | Person, amount: Decimal | str | int, reason: str, deadline: dt.date,
    claim: Claim | None = None, case_ref: str = "",
) -> RecoveryOrder:
    """Order a payer to pay back subsidy money (追回补贴资金, seed 二(六)); called by supervision
    from a case or by an officer. Never more than was paid to that payer for the claim(s) and
    not already being recovered. Posting: paid → recovery receivable in each claim's budget."""
    value = _amount(amount)
    reason = _reason(reason)
    if not isinstance(payer, Organisation | Person):
        raise ValidationError({"payer": _("The payer must be an organisation or a person.")})
    if deadline < today():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    payer_field = "organisation" if isinstance(payer, Organisation) else "person"
    region_code = claim.county_id if claim else (payer.county_id if isinstance(payer, Organisation) else payer.current_region_id)
    _recovery_officer(by, region_code)
    with transaction.atomic():
        qs = Claim.objects.select_for_update().filter(**{payer_field: payer}, status=ClaimStatus.PAID)
        if claim is not None:
            if getattr(claim, f"{payer_field}_id") != payer.pk:
                raise ValidationError({"claim": _("That claim was not paid to this payer.")})
            qs = qs.filter(pk=claim.pk)
        claims = list(qs.order_by("id"))
        paid = queries.paid_to_claim(c.pk for c in claims)
        raised = queries.recovered_from_claim(c.pk for c in claims)
        available = [(c, paid.get(c.pk, ZERO) - raised.get(c.pk, ZERO)) for c in claims]
        available = [(c, left) for c, left in available if left > 0]
        recoverable = sum((left for _c, left in available), ZERO)
        if value > recoverable:
            raise ValidationError({"amount": _(
                "The recovery of %(amount)s yuan is more than the %(paid)s yuan paid to %(payer)s%(claim)s and not yet "
                "being recovered. Nothing was recorded."
            ) % {"amount": value, "paid": recoverable, "payer": payer,
                 "claim": _(" for claim %(n)s") % {"n": claim.number} if claim else ""}})
        order = RecoveryOrder(
            payer_organisation=payer if isinstance(payer, Organisation) else None,
            payer_person=payer if isinstance(payer, Person) else None,
            claim=claim, county_id=region_code, amount=value, reason=reason, deadline=deadline,
            case_ref=case_ref[:60], created_by=by,
        )
        _save_numbered(order, f"ZH{today():%Y}")
        remaining = value
        legs: list[ledger.Leg] = []
        for c, left in available:
            if remaining <= 0:
                break
            part_amount = min(left, remaining)
            RecoveryPart.objects.create(recovery=order, claim=c, budget=c.budget, amount=part_amount)
            legs += ledger.transfer(ledger.budget_account(c.budget, AccountKind.PAID),
                                    ledger.budget_account(c.budget, AccountKind.RECEIVABLE), part_amount)
            remaining -= part_amount
        ledger.post(kind=PostingKind.RECOVERY_RAISED, reference_type=ReferenceType.RECOVERY_ORDER, reference_id=order.pk,
                    legs=legs, by=by, memo=_("Recovery %(number)s: %(reason)s") % {"number": order.number, "reason": reason[:200]})
        audit.record("funds.recovery.create", actor=by, obj=order, after={
            "payer": str(payer), "amount": str(value), "claim": claim.number if claim else None,
            "deadline": deadline.isoformat(), "case_ref": case_ref,
        }, detail={"reason": reason})
        publish("funds.recovery.ordered", obj=order, actor=by, amount=str(value), deadline=deadline.isoformat())
    return order


def _parts_locked(order: RecoveryOrder) -> list[RecoveryPart]:
    return list(RecoveryPart.objects.select_for_update(of=("self",)).filter(recovery=order).select_related("budget").order_by("id"))


def record_recovery_instalment(
    order: RecoveryOrder, *, by: Any, amount: Decimal | str | int, received_on: dt.date | None = None, reference: str = "",
) -> RecoveryInstalment:
    """Money received back: receivable → available in each part's budget (the budget can
    spend it again)."""
    value = _amount(amount)
    with transaction.atomic():
        order = RecoveryOrder.objects.select_for_update().get(pk=order.pk)
        _require_finance(by, order.county_id)
        if order.status not in OPEN_RECOVERY_STATUSES:
            raise ValidationError(_("This recovery is closed."))
        if value > order.outstanding:
            raise ValidationError({"amount": _("Only %(left)s yuan is still outstanding.") % {"left": order.outstanding}})
        instalment = RecoveryInstalment.objects.create(
            recovery=order, amount=value, received_on=received_on or today(), reference=reference[:64], recorded_by=by,
        )
        remaining = value
        legs: list[ledger.Leg] = []
        for part in _parts_locked(order):
            take = min(part.outstanding, remaining)
            if take <= 0:
                continue
            part.received += take
            part.save(update_fields=["received"])
            legs += ledger.transfer(ledger.budget_account(part.budget, AccountKind.RECEIVABLE),
                                    ledger.budget_account(part.budget, AccountKind.AVAILABLE), take)
            remaining -= take
        posting = ledger.post(
            kind=PostingKind.RECOVERY_RECEIVED, reference_type=ReferenceType.RECOVERY_INSTALMENT, reference_id=instalment.pk,
            legs=legs, by=by, memo=_("Recovery %(number)s received") % {"number": order.number},
        )
        instalment.posting = posting
        instalment.save(update_fields=["posting", "updated_at"])
        order.received_amount += value
        order.save(update_fields=["received_amount", "updated_at"])
        if order.outstanding == 0:
            workflow.move(order, RecoveryStatus.RECEIVED, by=by, event="funds.recovery.received")
        elif order.status == RecoveryStatus.OPEN:
            workflow.move(order, RecoveryStatus.PARTIALLY_RECEIVED, by=by, event="funds.recovery.partially_received")
        audit.record("funds.recovery.instalment", actor=by, obj=order,
                     after={"amount": str(value), "outstanding": str(order.outstanding), "reference": reference[:64]})
    return instalment


def write_off_recovery(order: RecoveryOrder, *, by: Any, reason: str) -> RecoveryOrder:
    """Give up the outstanding amount (e.g. the payer no longer exists), with a reason:
    receivable → written off."""
    reason = _reason(reason)
    with transaction.atomic():
        order = RecoveryOrder.objects.select_for_update().get(pk=order.pk)
        _require_finance(by, order.county_id)
        if order.status not in OPEN_RECOVERY_STATUSES:
            raise ValidationError(_("This recovery is closed."))
        outstanding = order.outstanding
        legs: list[ledger.Leg] = []
        for part in _parts_locked(order):
            left = part.outstanding
            if left <= 0:
                continue
            part.written_off += left
            part.save(update_fields=["written_off"])
            legs += ledger.transfer(ledger.budget_account(part.budget, AccountKind.RECEIVABLE),
                                    ledger.budget_account(part.budget, AccountKind.WRITTEN_OFF), left)
        ledger.post(kind=PostingKind.RECOVERY_WRITTEN_OFF, reference_type=ReferenceType.RECOVERY_ORDER, reference_id=order.pk,
                    legs=legs, by=by, memo=_("Recovery %(number)s written off: %(reason)s") % {"number": order.number, "reason": reason[:150]})
        order.written_off_amount += outstanding
        order.write_off_reason = reason
        order.save(update_fields=["written_off_amount", "write_off_reason", "updated_at"])
        workflow.move(order, RecoveryStatus.WRITTEN_OFF, by=by, reason=reason, event="funds.recovery.written_off")
    return order


def mark_overdue_recoveries(*, on: dt.date | None = None, by: Any = None) -> int:
    """Open recoveries past their deadline become overdue (listed for escalation: 依法查处，
    移送司法机关, seed 二(六))."""
    day = on or today()
    count = 0
    for order in RecoveryOrder.objects.filter(
        status__in=[RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED], deadline__lt=day
    ).order_by("id"):
        with transaction.atomic():
            order = RecoveryOrder.objects.select_for_update().get(pk=order.pk)
            if order.status in (RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED) and order.deadline < day:
                workflow.move(order, RecoveryStatus.OVERDUE, by=by, event="funds.recovery.overdue",
                              reason=_("Deadline %(day)s passed with %(left)s yuan outstanding.")
                              % {"day": order.deadline.isoformat(), "left": order.outstanding})
                publish("funds.recovery.overdue", obj=order, actor=by)
                count += 1
    return count


# ====================================================================== staff education funds


def report_staff_education(
    *, by: Any, year: int, extracted: Any, spent: Any, spent_frontline: Any, payroll_total: Any = None, note: str = "",
) -> StaffEducationReport:
    """An enterprise's yearly staff education fund report (one per year; a later report for the
    same year replaces the figures, audited with before/after)."""
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only an enterprise reports its staff education fund."))
    enterprise = by.organisation
    if not 2000 <= int(year) <= today().year:
        raise ValidationError({"year": _("Report a past or the current year.")})
    values: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for name, raw in (("extracted", extracted), ("spent", spent), ("spent_frontline", spent_frontline), ("payroll_total", payroll_total)):
        if raw in (None, "") and name == "payroll_total":
            values[name] = None
            continue
        try:
            values[name] = yuan(raw)
        except (TypeError, ValueError):
            errors[name] = _("Enter an amount in yuan.")
            continue
        if values[name] < 0:  # type: ignore[operator]
            errors[name] = _("The amount must not be negative.")
    if not errors and values["spent_frontline"] > values["spent"]:  # type: ignore[operator]
        errors["spent_frontline"] = _("Spending on frontline workers cannot exceed total spending.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = StaffEducationReport.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
        before = None
        if report is None:
            report = StaffEducationReport(enterprise=enterprise, year=year, reported_by=by)
        else:
            before = {k: str(getattr(report, k)) for k in ("extracted", "spent", "spent_frontline", "payroll_total")}
        report.extracted = values["extracted"]  # type: ignore[assignment]
        report.spent = values["spent"]  # type: ignore[assignment]
        report.spent_frontline = values["spent_frontline"]  # type: ignore[assignment]
        report.payroll_total = values["payroll_total"]
        report.note = note[:300]
        report.reported_by = by
        report.save()
        audit.record("funds.staff_education.report", actor=by, obj=report, before=before, after={
            k: str(getattr(report, k)) for k in ("extracted", "spent", "spent_frontline", "payroll_total")
        } | {"frontline_share": str(report.frontline_share), "below_60": report.below_frontline_minimum})
    return report
