"""Payments: payment orders, batches, bank file export and bank return reconciliation."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit, workflow
from jixing.core.access import within_region
from jixing.core.events import publish
from jixing.core.money import yuan
from jixing.registry.models import Region

from .. import ledger, queries
from ..models import (
    ZERO,
    AccountKind,
    BankReturn,
    BatchStatus,
    Claim,
    ClaimStatus,
    IssueKind,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
    PostingKind,
    ReconciliationIssue,
    ReferenceType,
)
from .claims import _restriction_check
from .common import ClaimRefused, Conflict, _reason, _require_finance, _save_numbered, today
from .review import _locked


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
            if locked.person is not None:  # a blacklisting after approval stops the payment (seed 二(六))
                blocked = _restriction_check(locked.person)
                if blocked is not None:
                    raise ClaimRefused(_("Claim %(number)s cannot be paid.") % {"number": locked.number},
                                       [(f"{locked.person.name}（{locked.person.masked_id_number}）", [blocked.text])])
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
