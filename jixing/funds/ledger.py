"""The one way money moves: ``post`` writes a balanced, append-only posting (SECURITY.md G3, G4).

Amounts are signed: a debit is positive, a credit negative; a posting's lines sum to zero.
Accounts are locked in id order (``select_for_update``; SQLite serialises writers with
IMMEDIATE transactions) and their cached normal-side balance is updated in the same
transaction; a balance that would go below zero refuses the whole posting. Corrections are
reversals (``reverse``), never edits. On PostgreSQL a deferred constraint trigger re-checks
each posting's sum at commit and triggers refuse UPDATE/DELETE (migration 0002).

Callers are actions: they run inside their own ``transaction.atomic`` and write the audit row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from jixing.core.money import yuan
from jixing.plan.models import FundSource

from .models import (
    BUDGET_ACCOUNT_KINDS,
    ZERO,
    Account,
    AccountKind,
    Budget,
    Posting,
    PostingKind,
    PostingLine,
    ReferenceType,
)


class LedgerError(ValidationError):
    """A posting that may not be written; nothing was posted."""


class InsufficientFunds(LedgerError):
    pass


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: Decimal  # debit +, credit −


def open_budget_accounts(budget: Budget) -> dict[str, Account]:
    existing = {a.kind: a for a in Account.objects.filter(budget=budget)}
    missing = [Account(kind=kind, budget=budget) for kind in BUDGET_ACCOUNT_KINDS if kind not in existing]
    if missing:
        Account.objects.bulk_create(missing)
        existing = {a.kind: a for a in Account.objects.filter(budget=budget)}
    return existing


def budget_account(budget: Budget, kind: str) -> Account:
    try:
        return Account.objects.get(budget=budget, kind=kind)
    except Account.DoesNotExist:
        return open_budget_accounts(budget)[kind]


def treasury_account(fund_source: FundSource) -> Account:
    account, _created = Account.objects.get_or_create(kind=AccountKind.TREASURY, fund_source=fund_source)
    return account


def transfer(source: Account, target: Account, amount: Decimal) -> list[Leg]:
    """Legs that move ``amount`` out of ``source`` into ``target`` (both debit-normal
    budget accounts, or ``source`` the credit-normal treasury)."""
    return [Leg(target, amount), Leg(source, -amount)]


def post(
    *,
    kind: str,
    reference_type: str,
    reference_id: str | int,
    legs: Sequence[Leg],
    by: Any,
    memo: str = "",
    reverses: Posting | None = None,
) -> Posting:
    if kind not in PostingKind.values or reference_type not in ReferenceType.values:
        raise LedgerError(_("Unknown posting kind or reference type."))
    if not str(reference_id):
        raise LedgerError(_("Every posting must name what caused it."))
    if len(legs) < 2:
        raise LedgerError(_("A posting needs at least two lines."))
    amounts: list[Decimal] = []
    for leg in legs:
        if isinstance(leg.amount, float):
            raise LedgerError(_("Amounts must be exact decimals."))
        amount = yuan(leg.amount)
        if amount != leg.amount or amount == 0:
            raise LedgerError(_("Each posting line needs a non-zero amount in whole fen."))
        amounts.append(amount)
    if sum(amounts, ZERO) != 0:
        raise LedgerError(_("The lines of a posting must sum to zero."))

    delta: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for leg, amount in zip(legs, amounts, strict=True):
        delta[leg.account.pk] += amount

    with transaction.atomic():
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=sorted(delta)).order_by("pk")}
        if len(locked) != len(delta):
            raise LedgerError(_("A posting names an account that does not exist."))
        for pk, change in delta.items():
            account = locked[pk]
            new_balance = account.balance + account.sign * change
            if new_balance < 0:
                raise InsufficientFunds(
                    _("Not enough money in %(account)s: balance %(balance)s yuan, %(needed)s yuan needed.")
                    % {"account": account, "balance": account.balance, "needed": abs(change)}
                )
            account.balance = new_balance
        posting = Posting.objects.create(
            kind=kind, reference_type=reference_type, reference_id=str(reference_id),
            reverses=reverses, memo=memo[:300], created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        PostingLine.objects.bulk_create(
            [PostingLine(posting=posting, account_id=leg.account.pk, amount=amount)
             for leg, amount in zip(legs, amounts, strict=True)]
        )
        for pk in delta:
            locked[pk].save(update_fields=["balance"])
    return posting


def reverse(posting: Posting, *, by: Any, kind: str = PostingKind.REVERSAL, memo: str = "") -> Posting:
    """Post the mirror image of ``posting`` (a posting is reversed at most once)."""
    if Posting.objects.filter(reverses=posting).exists():
        raise LedgerError(_("This posting has already been reversed."))
    legs = [Leg(line.account, -line.amount) for line in posting.lines.select_related("account")]
    return post(
        kind=kind, reference_type=ReferenceType.POSTING, reference_id=posting.pk, legs=legs,
        by=by, memo=memo or _("Reversal of posting #%(id)s") % {"id": posting.pk}, reverses=posting,
    )


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class LedgerReport:
    postings: int
    lines: int
    unbalanced_postings: list[int]
    negative_balances: list[int]
    stale_balances: list[int]
    unreferenced_postings: list[int]

    @property
    def ok(self) -> bool:
        return not (self.unbalanced_postings or self.negative_balances or self.stale_balances or self.unreferenced_postings)

    def as_dict(self) -> dict[str, object]:
        return {
            "postings": self.postings,
            "lines": self.lines,
            "unbalanced_postings": len(self.unbalanced_postings),
            "negative_balances": len(self.negative_balances),
            "stale_balances": len(self.stale_balances),
            "unreferenced_postings": len(self.unreferenced_postings),
            "unbalanced_posting_ids": self.unbalanced_postings[:50],
            "negative_balance_account_ids": self.negative_balances[:50],
            "stale_balance_account_ids": self.stale_balances[:50],
            "ok": self.ok,
        }


def computed_balances(accounts: Iterable[Account] | None = None) -> dict[int, Decimal]:
    """Normal-side balances recomputed from the lines (not the cached column)."""
    qs = Account.objects.all() if accounts is None else Account.objects.filter(pk__in=[a.pk for a in accounts])
    sums = dict(PostingLine.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    result: dict[int, Decimal] = {}
    for account in qs.only("id", "kind"):
        total = sums.get(account.pk) or ZERO
        result[account.pk] = account.sign * total
    return result


def verify() -> LedgerReport:
    per_posting = Posting.objects.annotate(total=Sum("lines__amount"), n=Count("lines"))
    unbalanced = list(
        per_posting.filter(Q(total__isnull=True) | ~Q(total=0) | Q(n__lt=2)).values_list("pk", flat=True).order_by("pk")
    )
    computed = computed_balances()
    cached = dict(Account.objects.values_list("pk", "balance"))
    negative = sorted(pk for pk, bal in computed.items() if bal < 0)
    stale = sorted(pk for pk, bal in computed.items() if cached.get(pk) != bal)
    unreferenced = list(Posting.objects.filter(reference_id="").values_list("pk", flat=True))
    return LedgerReport(
        postings=Posting.objects.count(),
        lines=PostingLine.objects.count(),
        unbalanced_postings=unbalanced,
        negative_balances=negative,
        stale_balances=stale,
        unreferenced_postings=unreferenced,
    )
