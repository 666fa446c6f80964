"""Claim review: submit, county review, city and province approval, return, reject, public notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit, workflow
from jixing.core.events import publish

from .. import ledger, queries, rules
from ..access import is_claimant_staff
from ..models import (
    COMMITTED_STATUSES,
    AccountKind,
    Claim,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    PayeeAccount,
    PostingKind,
    ReferenceType,
    RiskApproval,
)
from ..queries.review import reviewed_by_union
from .claims import (
    CARD_ONLY_ITEMS,
    _refresh_amount,
    _refuse_blocked,
    _require_card_account,
    _restriction_check,
)
from .common import ClaimRefused, _reason, today


def _recheck_lines(claim: Claim) -> list[tuple[str, list[str]]]:
    """Re-run every live line's checks (caps may have changed since the claim was made);
    store the fresh checks; return the lines that now fail."""
    lines = list(
        claim.lines.filter(status=LineStatus.LIVE).select_related("enrollment__training_class", "person", "certificate", "study", "self_training")
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
            elif ln.self_training is not None:
                drafts.append((ln, queries.evaluate_self_training(ln.self_training, exclude_line_ids=exclude)))
    for ln, d in drafts:
        ln.checks = [c.as_json() for c in d.checks]
        ln.save(update_fields=["checks", "updated_at"])
        # The amount was fixed when the line was written; a re-check looks only at the gates.
        if not all(c.ok for c in d.checks):
            failing.append((d.label, d.problems))
    return failing


def submit_claim(claim: Claim, *, by: Any) -> Claim:
    if not is_claimant_staff(by, claim):
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
    if not is_claimant_staff(by, claim):
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


def _require_reviewer(by: Any, claim: Claim, stage: str) -> None:
    """Refuse unless ``by`` may take ``stage`` of the claim's review now (``rules.review_step``:
    the level for the stage, HRSS officers or trade-union officers for 求学圆梦, and never
    someone who already made, submitted or reviewed the claim — maker ≠ checker)."""
    decision = queries.review_decision(by, claim, stage=stage)
    if decision.allowed:
        return
    if decision.refusal == "wrong_role" and reviewed_by_union(claim):
        raise PermissionDenied(_("Only a trade-union officer responsible for this region may review 求学圆梦 claims."))
    if decision.refusal == "wrong_role":
        raise PermissionDenied(_("Only an HRSS officer responsible for this region may do this."))
    if decision.refusal == "maker_checker":
        raise PermissionDenied(_("You made or already reviewed this claim; another officer must take this step (maker ≠ checker)."))
    raise PermissionDenied(_("This step belongs to another level of review."))


STAGE_OF: dict[str, str] = rules.REVIEW_STAGE_OF_STATUS


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
    if not is_claimant_staff(by, claim):
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
            if not is_claimant_staff(by, claim):
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
