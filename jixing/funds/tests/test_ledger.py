"""The double-entry ledger: balanced, append-only, never negative (SECURITY.md G4)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from jixing.funds import ledger
from jixing.funds.models import (
    Account,
    AccountKind,
    LedgerImmutable,
    Posting,
    PostingKind,
    PostingLine,
    ReferenceType,
)
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db


def _accounts(personas):
    b = f.budget(personas, amount="1000")
    return b, ledger.budget_account(b, AccountKind.AVAILABLE), ledger.budget_account(b, AccountKind.COMMITTED)


def test_it_posts_balanced_lines_and_keeps_balances(personas) -> None:
    b, available, committed = _accounts(personas)
    posting = ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="1",
                          legs=ledger.transfer(available, committed, D("400.00")), by=personas.grace)
    assert sum(posting.lines.values_list("amount", flat=True)) == 0
    available.refresh_from_db()
    committed.refresh_from_db()
    assert (available.balance, committed.balance) == (D("600.00"), D("400.00"))
    treasury = ledger.treasury_account(b.fund_source)
    assert treasury.balance == D("1000.00")  # credit-normal: what the treasury put in
    assert ledger.verify().ok


@pytest.mark.parametrize(
    "amounts",
    [[D("100.00"), D("-99.99")], [D("100.00")], [D("0.00"), D("0.00")], [D("0.001"), D("-0.001")]],
)
def test_it_refuses_unbalanced_or_malformed_postings(personas, amounts) -> None:
    _b, available, committed = _accounts(personas)
    legs = [ledger.Leg(acc, amt) for acc, amt in zip([committed, available], amounts, strict=False)]
    before = Posting.objects.count()
    with pytest.raises(ledger.LedgerError):
        ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="1", legs=legs,
                    by=personas.grace)
    assert Posting.objects.count() == before


def test_it_refuses_a_posting_without_a_cause(personas) -> None:
    _b, available, committed = _accounts(personas)
    with pytest.raises(ledger.LedgerError):
        ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="",
                    legs=ledger.transfer(available, committed, D("1")), by=personas.grace)


def test_it_never_lets_a_balance_go_below_zero(personas) -> None:
    _b, available, committed = _accounts(personas)
    with pytest.raises(ledger.InsufficientFunds) as exc:
        ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="1",
                    legs=ledger.transfer(available, committed, D("1000.01")), by=personas.grace)
    assert "1000.00" in str(exc.value)
    available.refresh_from_db()
    assert available.balance == D("1000.00")
    assert PostingLine.objects.filter(account=committed).count() == 0


def test_it_has_a_database_check_against_negative_balances(personas) -> None:
    _b, available, _c = _accounts(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=available.pk).update(balance=D("-1"))


def test_it_refuses_edits_and_deletes_of_ledger_rows(personas) -> None:
    _b, available, committed = _accounts(personas)
    posting = ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="9",
                          legs=ledger.transfer(available, committed, D("5")), by=personas.grace)
    line = posting.lines.first()
    posting.memo = "changed"
    with pytest.raises(LedgerImmutable):
        posting.save()
    with pytest.raises(LedgerImmutable):
        posting.delete()
    with pytest.raises(LedgerImmutable):
        line.delete()
    with pytest.raises(LedgerImmutable):
        PostingLine.objects.filter(pk=line.pk).update(amount=D("6"))
    with pytest.raises(LedgerImmutable):
        Posting.objects.filter(pk=posting.pk).delete()


def test_it_corrects_by_reversal_once(personas) -> None:
    _b, available, committed = _accounts(personas)
    posting = ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="9",
                          legs=ledger.transfer(available, committed, D("250")), by=personas.grace)
    reversal = ledger.reverse(posting, by=personas.grace)
    assert reversal.reverses_id == posting.pk
    assert sorted(reversal.lines.values_list("amount", flat=True)) == sorted(-a for a in posting.lines.values_list("amount", flat=True))
    available.refresh_from_db()
    assert available.balance == D("1000.00")
    with pytest.raises(ledger.LedgerError):
        ledger.reverse(posting, by=personas.grace)


def test_it_reports_a_clean_ledger_as_json(personas) -> None:
    f.budget(personas, amount="500", allocate_to_lixia="200")
    out = io.StringIO()
    call_command("verify_ledger", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["unbalanced_postings"] == 0 and report["negative_balances"] == 0
    assert report["postings"] == 2 and report["ok"] is True


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no ledger triggers; the check finds the damage")
def test_it_detects_a_tampered_ledger_on_sqlite(personas) -> None:
    _b, available, committed = _accounts(personas)
    posting = ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="9",
                          legs=ledger.transfer(available, committed, D("5")), by=personas.grace)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funds_postingline SET amount = 7 WHERE posting_id = %s AND amount > 0", [posting.pk])
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("verify_ledger", "--json", stdout=out)
    assert exc.value.code == 1
    report = json.loads(out.getvalue())
    assert report["unbalanced_postings"] == 1
    assert report["unbalanced_posting_ids"] == [posting.pk]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the ledger triggers exist only on PostgreSQL")
def test_it_refuses_sql_updates_and_deletes_on_postgresql(personas) -> None:
    _b, available, committed = _accounts(personas)
    posting = ledger.post(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="9",
                          legs=ledger.transfer(available, committed, D("5")), by=personas.grace)
    for sql in ("UPDATE funds_postingline SET amount = 7 WHERE posting_id = %s",
                "DELETE FROM funds_postingline WHERE posting_id = %s",
                "UPDATE funds_posting SET memo = 'x' WHERE id = %s",
                "DELETE FROM funds_posting WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [posting.pk])


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the deferred balance trigger exists only on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_unbalanced_posting_at_commit_on_postgresql(reference) -> None:
    from jixing.core.testing import make_personas

    personas = make_personas()
    _b, available, committed = _accounts(personas)
    before = Posting.objects.count()
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic():
        # Bypass ledger.post: raw rows that do not sum to zero.
        posting = Posting.objects.create(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="1")
        PostingLine.objects.bulk_create([PostingLine(posting=posting, account=available, amount=D("-5")),
                                         PostingLine(posting=posting, account=committed, amount=D("4"))])
    assert Posting.objects.count() == before
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic():
        Posting.objects.create(kind=PostingKind.COMMITMENT, reference_type=ReferenceType.CLAIM, reference_id="2")
    assert Posting.objects.count() == before
