"""Recoveries (追回, seed 二(六)): recovery orders, instalments, write-offs, overdue marking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit, workflow
from jixing.core.events import publish
from jixing.registry.models import Organisation, Person

from .. import ledger, queries
from ..models import (
    OPEN_RECOVERY_STATUSES,
    ZERO,
    AccountKind,
    Claim,
    ClaimStatus,
    PostingKind,
    RecoveryInstalment,
    RecoveryOrder,
    RecoveryPart,
    RecoveryStatus,
    ReferenceType,
)
from .common import _amount, _in_scope, _reason, _require_finance, _save_numbered, today


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
