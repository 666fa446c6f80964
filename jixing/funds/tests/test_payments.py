"""Payments: exactly once (idempotency keys, a unique live order per claim), bank files
(formula-escaped, masked elsewhere), reconciliation that blocks the next batch (G2, G3, G5)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from jixing.funds import actions, bankfiles, ledger
from jixing.funds.models import (
    AccountKind,
    BankReturn,
    BatchStatus,
    Claim,
    ClaimStatus,
    IssueKind,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
    Posting,
    PostingKind,
)
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db


def payable(personas, trainees: int = 2, **kw):
    w = f.funded_class(personas, trainees=trainees, **kw)
    return w, f.claim_in(w, ClaimStatus.PAYABLE)


def test_it_pays_a_claim_once_and_replays_the_same_result(personas) -> None:
    w, claim = payable(personas)
    order, created = actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000001")
    assert created and order.amount == D("1200.00")
    again, created_again = actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000001")
    assert (again.pk, created_again) == (order.pk, False)
    same_amount, _ = actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000001", amount="1200.00")
    assert same_amount.pk == order.pk
    assert PaymentOrder.objects.count() == 1
    assert Posting.objects.filter(kind=PostingKind.PAYMENT).count() == 1
    b = w.budget
    assert ledger.budget_account(b, AccountKind.PAID).balance == D("1200.00")
    assert ledger.budget_account(b, AccountKind.COMMITTED).balance == D("0.00")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYING


def test_it_answers_a_reused_key_with_another_amount_as_a_conflict(personas) -> None:
    _w, claim = payable(personas)
    actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000002")
    with pytest.raises(actions.Conflict):
        actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000002", amount="1300.00")
    assert PaymentOrder.objects.count() == 1


def test_it_refuses_a_second_payment_of_a_paid_claim_with_another_key(personas) -> None:
    _w, claim = payable(personas)
    actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000003")
    with pytest.raises(actions.Conflict):
        actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000004")
    assert PaymentOrder.objects.count() == 1 and Posting.objects.filter(kind=PostingKind.PAYMENT).count() == 1


def test_it_refuses_a_wrong_amount_and_an_unpayable_claim(personas) -> None:
    w, claim = payable(personas)
    with pytest.raises(ValidationError):
        actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000005", amount="1199.99")
    draft = f.claim_in(f.another_funded_class(w), ClaimStatus.PUBLIC_NOTICE)
    with pytest.raises(ValidationError):
        actions.issue_payment_order(draft, by=personas.grace, idempotency_key="K-2026-000006")
    assert not PaymentOrder.objects.exists()


def test_it_has_a_database_guard_against_two_live_orders_for_one_claim(personas) -> None:
    _w, claim = payable(personas)
    order, _ = actions.issue_payment_order(claim, by=personas.grace, idempotency_key="K-2026-000007")
    duplicate = PaymentOrder(number="ZF-DUP", idempotency_key="K-other-0001", claim=claim, amount=order.amount,
                             payee_name=order.payee_name, payee_account=order.payee_account, created_by=personas.grace)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    duplicate.idempotency_key = order.idempotency_key
    duplicate.status = OrderStatus.FAILED
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_it_lets_only_finance_officers_of_the_region_pay(personas) -> None:
    _w, claim = payable(personas)
    qingdao_finance = f.make_user("quinn", "finance_officer", region_id="370200")
    for user in (personas.bob, personas.ivan, qingdao_finance):
        with pytest.raises(Exception) as exc:
            actions.issue_payment_order(claim, by=user, idempotency_key="K-2026-000008")
        assert exc.type.__name__ == "PermissionDenied"
    assert not PaymentOrder.objects.exists()


# ---------------------------------------------------------------- batches and bank files


def test_it_batches_payable_claims_and_exports_the_bank_file(personas) -> None:
    w, claim = payable(personas)
    f.claim_in(f.another_funded_class(w), ClaimStatus.PUBLIC_NOTICE)  # not payable yet: stays out
    result = actions.create_payment_batch(by=personas.grace)
    batch = result.batch
    assert batch.order_count == 1 and batch.total_amount == claim.amount and result.refused == []
    rows = list(csv.reader(io.StringIO(bankfiles.build_payment_file(batch).content.decode("utf-8-sig"))))
    assert rows[0] == bankfiles.PAYMENT_HEADER
    assert rows[1][:2] == [batch.number, batch.orders.get().number]
    assert rows[1][3] == "6222020200112233445"  # the bank needs the full number
    assert rows[1][5] == "1200.00"
    assert bankfiles.build_payment_file(batch, "xlsx").content[:2] == b"PK"


def test_it_escapes_formula_payee_names_in_both_formats(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    account = actions.register_payee_account(by=personas.ivan, holder_name="=cmd|' /C calc'!A0", bank_name="+银行",
                                             account_number="6217000011112222444")
    w.account = account
    f.claim_in(w, ClaimStatus.PAYABLE)
    batch = actions.create_payment_batch(by=personas.grace).batch
    rows = list(csv.reader(io.StringIO(bankfiles.build_payment_file(batch).content.decode("utf-8-sig"))))
    assert rows[1][2] == "'=cmd|' /C calc'!A0" and rows[1][4] == "'+银行"
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(bankfiles.build_payment_file(batch, "xlsx").content))
    cells = book.get_sheet_by_index(0).to_python()
    assert cells[1][2] == "'=cmd|' /C calc'!A0"


def test_it_masks_bank_accounts_on_pages_and_encrypts_them_at_rest(personas, client) -> None:
    w, claim = payable(personas)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM funds_payeeaccount WHERE id = %s", [w.account.pk])
        stored = cursor.fetchone()[0]
    assert "6222020200112233445" not in stored
    client.force_login(personas.ivan)
    page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert "**** 3445" in page and "6222020200112233445" not in page
    client.force_login(personas.grace)
    page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
    assert "6222020200112233445" not in page


def test_it_exports_the_bank_file_by_post_only_and_audits_it(personas, client) -> None:
    from jixing.core.models import AuditEvent

    _w, _claim = payable(personas)
    batch = actions.create_payment_batch(by=personas.grace).batch
    client.force_login(personas.grace)
    assert client.get(f"/funds/payments/{batch.pk}/bank-file/").status_code == 405
    response = client.post(f"/funds/payments/{batch.pk}/bank-file/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED and batch.file_sha256 == hashlib.sha256(response.content).hexdigest()
    assert AuditEvent.objects.filter(event="funds.bank_file.export").count() == 1


# ---------------------------------------------------------------- reconciliation


def _exported_batch(personas, trainees_per_claim=(1, 1, 1)):
    w = f.funded_class(personas, trainees=trainees_per_claim[0])
    claims = [f.claim_in(w, ClaimStatus.PAYABLE)]
    for n in trainees_per_claim[1:]:
        claims.append(f.claim_in(f.another_funded_class(w, n), ClaimStatus.PAYABLE))
    batch = actions.create_payment_batch(by=personas.grace).batch
    bank_file = bankfiles.build_payment_file(batch)
    actions.record_bank_file_export(batch, by=personas.grace, sha256=bank_file.sha256, rows=bank_file.rows, fmt="csv")
    return w, claims, PaymentBatch.objects.get(pk=batch.pk)


def _reconcile(personas, batch, content: bytes, tmp_path, name="return.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    parsed = bankfiles.parse_return_file(path, name)
    return actions.reconcile_bank_return(batch, by=personas.grace, rows=parsed.rows, file_name=name, file_sha256=parsed.sha256)


def test_it_reconciles_a_clean_return_file(personas, tmp_path) -> None:
    w, claims, batch = _exported_batch(personas)
    result = _reconcile(personas, batch, bankfiles.return_file_for(batch), tmp_path)
    assert result.ok and result.succeeded == 3
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    assert {c.status for c in Claim.objects.all()} == {ClaimStatus.PAID}
    # the same file again changes nothing
    again = _reconcile(personas, batch, bankfiles.return_file_for(batch) or b"", tmp_path, "again.csv")
    assert again.ok
    assert ledger.verify().ok


@pytest.mark.parametrize(
    ("mutate", "kind"),
    [
        ("unknown", IssueKind.UNKNOWN_ORDER),
        ("duplicate", IssueKind.DUPLICATE_ORDER),
        ("amount", IssueKind.AMOUNT_DIFFERS),
        ("failed", IssueKind.FAILED_PAYMENT),
    ],
)
def test_it_catches_an_injected_mismatch_and_blocks_the_next_batch(personas, tmp_path, mutate, kind) -> None:
    w, claims, batch = _exported_batch(personas)
    orders = list(batch.orders.order_by("number"))
    first = orders[0]
    if mutate == "unknown":
        content = bankfiles.return_file_for(batch, extra_rows=[["ZF2099999999", "600.00", "成功", "YH1", ""]])
    elif mutate == "duplicate":
        content = bankfiles.return_file_for(batch, extra_rows=[[first.number, "600.00", "成功", "YH2", ""]])
    elif mutate == "amount":
        content = bankfiles.return_file_for(batch, amounts={first.number: "660.00"})
    else:
        content = bankfiles.return_file_for(batch, fail={first.number})
    result = _reconcile(personas, batch, content, tmp_path)
    assert not result.ok
    assert [i.kind for i in result.issues] == [kind]
    assert result.issues[0].row_number >= 2 and result.issues[0].detail
    batch.refresh_from_db()
    assert batch.status == BatchStatus.MISMATCH
    # the next batch is blocked
    f.claim_in(f.another_funded_class(w, 1), ClaimStatus.PAYABLE)
    with pytest.raises(actions.Conflict, match="对账"):
        actions.create_payment_batch(by=personas.grace)
    if mutate == "failed":
        first.refresh_from_db()
        assert first.status == OrderStatus.FAILED and first.failure_posting is not None
        assert Claim.objects.get(pk=first.claim_id).status == ClaimStatus.PAYABLE
    # resolving the mismatch unblocks payments
    issue = result.issues[0]
    outcome = OrderStatus.SUCCEEDED if mutate == "amount" else ""
    actions.resolve_issue(issue, by=personas.grace, resolution="已与银行核实，按实际结果处理", order_outcome=outcome)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RECONCILED
    next_batch = actions.create_payment_batch(by=personas.grace).batch
    assert next_batch.order_count >= 1
    assert ledger.verify().ok


def test_it_returns_a_failed_payment_to_the_commitment_and_pays_it_again(personas, tmp_path) -> None:
    w, claims, batch = _exported_batch(personas, (2,))
    order = batch.orders.get()
    _reconcile(personas, batch, bankfiles.return_file_for(batch, fail={order.number}), tmp_path)
    b = w.budget
    assert ledger.budget_account(b, AccountKind.COMMITTED).balance == D("1200.00")
    assert ledger.budget_account(b, AccountKind.PAID).balance == D("0.00")
    issue = batch.issues.get()
    actions.resolve_issue(issue, by=personas.grace, resolution="收款账户已销户，机构已更新账户")
    retry = actions.create_payment_batch(by=personas.grace).batch
    new_order = retry.orders.get()
    assert new_order.claim_id == order.claim_id and new_order.idempotency_key.endswith("attempt-2")
    assert ledger.budget_account(b, AccountKind.PAID).balance == D("1200.00")


def test_it_reports_mismatches_from_the_command_with_a_non_zero_exit(personas, tmp_path) -> None:
    _w, _claims, batch = _exported_batch(personas)
    path = tmp_path / "bank-return.csv"
    path.write_bytes(bankfiles.return_file_for(batch, extra_rows=[["ZF-NOT-OURS", "100.00", "成功", "", ""]]))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("reconcile", str(path), "--batch", batch.number, "--as", "grace", "--json", stdout=out)
    assert exc.value.code == 1
    report = json.loads(out.getvalue())
    assert report["mismatches"] == 1 and report["rejected"][0]["kind"] == "unknown_order"
    assert report["rejected"][0]["row"] == 5 and "ZF-NOT-OURS" in report["rejected"][0]["reason"]
    assert report["succeeded"] == 3


def test_it_refuses_a_bad_return_file_and_writes_nothing(personas, tmp_path) -> None:
    _w, _claims, batch = _exported_batch(personas)
    path = tmp_path / "return.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(bankfiles.ReturnFileError, match="指令编号"):
        bankfiles.parse_return_file(path, "return.csv")
    renamed = tmp_path / "return.xlsx"
    renamed.write_bytes(b"MZ\x90\x00 not a workbook")
    with pytest.raises(bankfiles.ReturnFileError):
        bankfiles.parse_return_file(renamed, "return.xlsx")
    assert not batch.returns.exists()


def test_it_runs_the_batch_and_export_commands(personas, tmp_path) -> None:
    payable(personas)
    out = io.StringIO()
    call_command("create_payment_batch", "--as", "grace", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] and report["orders"] == 1 and report["total"] == "1200.00"
    out = io.StringIO()
    call_command("export_bank_file", report["batch"], "--as", "grace", "--out", str(tmp_path), "--json", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["rows"] == 1 and (tmp_path / f"{report['batch']}.csv").exists()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("create_payment_batch", "--as", "grace", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is False


def test_it_pays_through_the_api_idempotently(personas, client) -> None:
    _w, claim = payable(personas)
    client.force_login(personas.grace)
    body = {"claim_id": claim.pk, "idempotency_key": "API-KEY-000001"}
    first = client.post("/api/v1/funds/payment-orders", body, content_type="application/json")
    assert first.status_code == 201
    replay = client.post("/api/v1/funds/payment-orders", body, content_type="application/json")
    assert replay.status_code == 200 and replay.json() == first.json()
    conflict = client.post("/api/v1/funds/payment-orders", {**body, "amount": "999.00"}, content_type="application/json")
    assert conflict.status_code == 409
    other_key = client.post("/api/v1/funds/payment-orders", {**body, "idempotency_key": "API-KEY-000002"},
                            content_type="application/json")
    assert other_key.status_code == 409
    assert PaymentOrder.objects.count() == 1
    assert first.json()["payee_account_masked"] == "**** 3445"


# ---------------------------------------------------------------- money under concurrency (issue 11 defect 4), one engine


def test_it_replays_a_batch_created_with_the_same_key(personas, client) -> None:
    payable(personas)
    client.force_login(personas.grace)
    first = client.post("/api/v1/funds/payment-batches", HTTP_IDEMPOTENCY_KEY="BATCH-KEY-0001")
    assert first.status_code == 201
    again = client.post("/api/v1/funds/payment-batches", HTTP_IDEMPOTENCY_KEY="BATCH-KEY-0001")
    assert again.status_code == 200 and again.json() == first.json()
    nothing_left = client.post("/api/v1/funds/payment-batches")
    assert nothing_left.status_code == 422
    assert PaymentBatch.objects.count() == 1
    batch = PaymentBatch.objects.get()
    assert batch.order_count == 1 and batch.total_amount == D("1200.00")


def test_it_never_creates_an_empty_batch(personas) -> None:
    payable(personas)
    actions.create_payment_batch(by=personas.grace)
    with pytest.raises(ValidationError):
        actions.create_payment_batch(by=personas.grace)
    assert PaymentBatch.objects.count() == 1 and PaymentBatch.objects.filter(order_count=0).count() == 0


def test_it_fails_an_export_into_a_missing_folder_before_any_state_change(personas, tmp_path) -> None:
    from django.core.management.base import CommandError

    from jixing.core.models import AuditEvent

    payable(personas)
    batch = actions.create_payment_batch(by=personas.grace).batch
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_bank_file", batch.number, "--as", "grace", "--out", str(tmp_path / "missing"), "--json",
                     stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN and batch.exported_at is None and batch.file_sha256 == ""
    assert not AuditEvent.objects.filter(event="funds.bank_file.export").exists()
    call_command("export_bank_file", batch.number, "--as", "grace", "--out", str(tmp_path), stdout=io.StringIO())
    batch.refresh_from_db()
    written = tmp_path / f"{batch.number}.csv"
    assert batch.status == BatchStatus.EXPORTED
    assert batch.file_sha256 == hashlib.sha256(written.read_bytes()).hexdigest()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [written.name]  # no temporary file left behind


def test_it_removes_the_written_file_when_recording_the_export_fails(personas, tmp_path, monkeypatch) -> None:
    payable(personas)
    batch = actions.create_payment_batch(by=personas.grace).batch

    def broken(*args, **kwargs):
        raise IntegrityError("simulated failure after the file was written")

    monkeypatch.setattr(actions, "record_bank_file_export", broken)
    with pytest.raises(IntegrityError):
        bankfiles.export_to_directory(batch, by=personas.grace, fmt="csv", directory=tmp_path)
    assert list(tmp_path.iterdir()) == []
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


def test_it_reads_a_return_file_twice_as_a_replay_even_after_a_unique_race(personas, tmp_path, monkeypatch) -> None:
    _w, _claims, batch = _exported_batch(personas)
    content = bankfiles.return_file_for(batch)
    first = _reconcile(personas, batch, content, tmp_path)
    assert not first.replay and first.succeeded == 3
    # the fast path outside the lock misses the first reading (as a parallel reader would):
    # the check under the lock still turns it into a clean replay
    real_filter = BankReturn.objects.filter
    calls = {"n": 0}

    def miss_once(*args, **kwargs):
        calls["n"] += 1
        qs = real_filter(*args, **kwargs)
        return qs.none() if calls["n"] == 1 else qs

    monkeypatch.setattr(BankReturn.objects, "filter", miss_once)
    again = _reconcile(personas, batch, content, tmp_path, "again.csv")
    assert again.replay and again.bank_return.pk == first.bank_return.pk
    assert batch.returns.count() == 1
