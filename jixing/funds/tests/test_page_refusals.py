"""Refusals on the funds pages (core.pages.run_action): an action's refusal — invalid input, a
conflict, or a refusal of permission by the action (another level's step) — is shown on the page
the officer came from, nothing is written, and the page answers as before (a redirect, or the
form again with the errors on it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixing.funds import actions, bankfiles
from jixing.funds.models import (
    Allocation,
    Budget,
    ClaimLine,
    ClaimStatus,
    LineStatus,
    PaymentBatch,
    RecoveryOrder,
    RecoveryStatus,
)
from jixing.funds.tests import factories as f

D = Decimal
pytestmark = pytest.mark.django_db
REFUSED_STEP = "此环节属于另一审核层级。"


def _post(client, url: str, data: dict | None = None, *, back: str) -> list[str]:
    """POST, check it answers with a redirect to ``back``, and give the messages shown there."""
    response = client.post(url, data or {}, follow=True)
    assert response.redirect_chain == [(back, 302)], response.redirect_chain
    return [str(m) for m in response.context["messages"]]


def test_it_shows_a_duplicate_budget_on_the_budget_list(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    client.force_login(personas.grace)
    shown = _post(client, "/funds/budgets/new/", {"fund_source": w.budget.fund_source_id, "year": w.budget.year,
                                                  "region": "370100", "amount": "5", "document": "济财社〔2025〕2号"},
                  back="/funds/budgets/")
    assert shown == ["该资金来源、年度、地区和行动的预算已存在。"]
    assert Budget.objects.count() == 1


def test_it_shows_an_allocation_above_the_balance_on_the_budget_page(personas, client) -> None:
    w = f.funded_class(personas, trainees=1, amount="1000")
    client.force_login(personas.grace)
    [shown] = _post(client, f"/funds/budgets/{w.budget.pk}/allocate/", {"region": "370102", "amount": "1000.01"},
                    back=f"/funds/budgets/{w.budget.pk}/")
    assert shown.startswith("下达金额 1000.01 元超过了预算")
    assert not Budget.objects.filter(parent=w.budget).exists()


def test_it_shows_a_zero_appropriation_on_the_budget_page(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    before = Allocation.objects.count()
    client.force_login(personas.grace)
    shown = _post(client, f"/funds/budgets/{w.budget.pk}/appropriate/", {"amount": "0"}, back=f"/funds/budgets/{w.budget.pk}/")
    assert shown == ["金额必须大于零。"]
    assert Allocation.objects.count() == before


def test_it_shows_the_actions_refusal_of_a_review_step_as_a_message_not_a_403(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    client.force_login(personas.dave)  # the county officer: the city step is not his
    shown = _post(client, f"/funds/claims/{claim.pk}/approve/", back=f"/funds/claims/{claim.pk}/")
    assert shown == [REFUSED_STEP]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COUNTY_REVIEWED


def test_it_shows_an_illegal_move_on_the_claim_page(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.DRAFT)
    client.force_login(personas.ivan)
    assert _post(client, f"/funds/claims/{claim.pk}/submit/", back=f"/funds/claims/{claim.pk}/") == ["申领已提交审核。"]
    [shown] = _post(client, f"/funds/claims/{claim.pk}/submit/", back=f"/funds/claims/{claim.pk}/")  # submitted already
    assert shown and shown != "申领已提交审核。"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_it_keeps_a_line_after_county_review(personas, client) -> None:
    w = f.funded_class(personas, trainees=2)
    claim = f.claim_in(w, ClaimStatus.COUNTY_REVIEWED)
    line = claim.lines.first()
    client.force_login(personas.bob)
    shown = _post(client, f"/funds/claims/{claim.pk}/lines/{line.pk}/exclude/", {"reason": "出勤记录存疑"},
                  back=f"/funds/claims/{claim.pk}/")
    assert shown == ["只能在县级初审完成前移除明细。"]
    assert ClaimLine.objects.get(pk=line.pk).status != LineStatus.EXCLUDED


def _exported_batch(w: f.FundedClass) -> PaymentBatch:
    f.claim_in(w, ClaimStatus.PAYABLE)
    batch = actions.create_payment_batch(by=w.p.grace).batch
    assert batch is not None
    bank_file = bankfiles.build_payment_file(batch)
    actions.record_bank_file_export(batch, by=w.p.grace, sha256=bank_file.sha256, rows=bank_file.rows, fmt="csv")
    return batch


def _return_file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("return.csv", content, content_type="text/csv")


def test_it_shows_an_empty_batch_on_the_batch_list(personas, client) -> None:
    client.force_login(personas.grace)
    assert _post(client, "/funds/payments/new/", back="/funds/payments/") == ["济南市没有待支付的申领。"]
    assert not PaymentBatch.objects.exists()


def test_it_shows_a_mismatch_then_blocks_the_next_batch_and_an_issue_resolved_twice(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    batch = _exported_batch(w)
    client.force_login(personas.grace)
    content = bankfiles.return_file_for(batch, extra_rows=[["ZF2099999999", "600.00", "成功", "YH1", ""]])
    shown = _post(client, f"/funds/payments/{batch.pk}/reconcile/", {"file": _return_file(content)},
                  back=f"/funds/payments/{batch.pk}/")
    assert shown == ["发现 1 项差异；处理完毕前暂停生成下一批次。"]
    # the mismatch blocks the next batch: a funds Conflict, shown on the batch list
    f.claim_in(f.another_funded_class(w, 1), ClaimStatus.PAYABLE)
    shown = _post(client, "/funds/payments/new/", back="/funds/payments/")
    assert shown == [f"支付已暂停：批次 {batch.number} 有 1 项对账差异尚未处理，请先处理。"]
    assert PaymentBatch.objects.count() == 1
    issue = batch.issues.get()
    resolve = {"resolution": "已与银行核实，该指令不属于本批次"}
    assert _post(client, f"/funds/payments/issues/{issue.pk}/resolve/", resolve,
                 back=f"/funds/payments/{batch.pk}/") == ["差异已处理。"]
    assert _post(client, f"/funds/payments/issues/{issue.pk}/resolve/", resolve,
                 back=f"/funds/payments/{batch.pk}/") == ["该差异已处理。"]


def test_it_shows_an_unreadable_return_file_on_the_batch_page(personas, client) -> None:
    batch = _exported_batch(f.funded_class(personas, trainees=1))
    client.force_login(personas.grace)
    shown = _post(client, f"/funds/payments/{batch.pk}/reconcile/", {"file": _return_file(b"foo,bar\n1,2\n")},
                  back=f"/funds/payments/{batch.pk}/")
    assert shown == ["回单文件第一行须包含“指令编号”“金额”“结果”列。"]
    assert not batch.returns.exists()


def test_it_puts_a_refused_recovery_on_its_form(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.PAYABLE)
    f.paid_batch(w)
    client.force_login(personas.bob)
    response = client.post("/funds/recoveries/", {
        "payer_kind": "organisation", "organisation": personas.institution.pk, "claim": claim.number,
        "amount": "600.01", "deadline": (f.today() + dt.timedelta(days=30)).isoformat(), "reason": "经核查1名学员为虚假学员",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] and not RecoveryOrder.objects.exists()


def test_it_shows_a_refused_instalment_and_write_off_on_the_recovery_page(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.PAYABLE)
    f.paid_batch(w)
    order = actions.create_recovery_order(by=personas.bob, payer=personas.institution, amount="100", claim=claim,
                                          reason="经核查1名学员为虚假学员", deadline=f.today() + dt.timedelta(days=30))
    client.force_login(personas.grace)
    page = f"/funds/recoveries/{order.pk}/"
    shown = _post(client, f"{page}instalment/", {"amount": "100.01", "received_on": f.today().isoformat()}, back=page)
    assert shown == ["尚欠金额仅为 100.00 元。"]
    actions.record_recovery_instalment(order, by=personas.grace, amount="100")
    assert _post(client, f"{page}write-off/", {"reason": "企业已注销无法追回"}, back=page) == ["该追回已办结。"]
    order.refresh_from_db()
    assert order.status == RecoveryStatus.RECEIVED
