"""Journey: an institution claims for its completed trainees and submits, the county reviews,
the city approves (committing the budget); screenshots in /tmp/jixing-screens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixing.funds import ledger
from jixing.funds.models import AccountKind, Claim, ClaimStatus
from jixing.funds.tests import factories as f
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def _logout(page, live_server) -> None:
    page.context.clear_cookies()


def test_it_takes_a_claim_from_the_institution_through_county_and_city(page, live_server, personas) -> None:
    w = f.funded_class(personas, trainees=3)
    from jixing.training.models import EnrollmentStatus

    f.enroll(w.klass, f.trainee("钱未结"), status=EnrollmentStatus.ENROLLED)
    f.enroll(w.klass, f.trainee("孙缺勤"), rate="0.600")

    login(page, live_server, personas.ivan)
    page.goto(f"{live_server.url}/funds/claims/new/?project={w.project.pk}")
    assert "出勤率 60.0% 低于要求的 80.0%" in page.content()
    screenshot(page, "funds-claim-new")
    page.select_option("#id_payee_account", str(w.account.pk))
    page.click("#claim-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/funds/claims/*/")
    claim = Claim.objects.get()
    assert claim.amount == Decimal("1800.00") and claim.lines.count() == 3
    page.click("#submit-claim")
    page.wait_for_selector(".msg-success")
    screenshot(page, "funds-claim-submitted")

    _logout(page, live_server)
    login(page, live_server, personas.dave)
    page.goto(f"{live_server.url}/funds/review/")
    page.click(f"text={claim.number}")
    page.wait_for_url(f"{live_server.url}/funds/claims/{claim.pk}/")
    page.fill("#id_note", "材料齐全，同意")
    page.click("#approve-claim")
    page.wait_for_selector(".msg-success")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COUNTY_REVIEWED

    _logout(page, live_server)
    login(page, live_server, personas.bob)
    page.goto(f"{live_server.url}/funds/claims/{claim.pk}/")
    page.click("#approve-claim")
    page.wait_for_selector(".msg-success")
    screenshot(page, "funds-claim-approved")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLIC_NOTICE
    assert ledger.budget_account(w.budget, AccountKind.COMMITTED).balance == Decimal("1800.00")
    assert "公示中" in page.content()

    page.goto(f"{live_server.url}/funds/budgets/")
    screenshot(page, "funds-budgets-bob")


def test_it_pays_a_batch_and_meets_a_reconciliation_mismatch(page, live_server, personas, tmp_path) -> None:
    from jixing.funds import bankfiles
    from jixing.funds.models import PaymentBatch

    w = f.funded_class(personas, trainees=2)
    f.claim_in(w, ClaimStatus.PAYABLE)
    f.claim_in(f.another_funded_class(w), ClaimStatus.PAYABLE)
    login(page, live_server, personas.grace)
    page.goto(f"{live_server.url}/funds/payments/")
    page.click("form[action$='/payments/new/'] button")
    page.wait_for_url(f"{live_server.url}/funds/payments/*/")
    batch = PaymentBatch.objects.get()
    with page.expect_download() as download:
        page.click("form[action$='/bank-file/'] button")
    assert download.value.suggested_filename == f"{batch.number}.csv"
    batch.refresh_from_db()
    first = batch.orders.order_by("number").first()
    returned = tmp_path / "bank-return.csv"
    returned.write_bytes(bankfiles.return_file_for(batch, amounts={first.number: "1300.00"}))
    page.goto(f"{live_server.url}/funds/payments/{batch.pk}/")
    page.set_input_files("form[action$='/reconcile/'] input[type=file]", str(returned))
    page.click("form[action$='/reconcile/'] button")
    page.wait_for_selector(".msg-error")
    assert "金额不符" in page.content()
    screenshot(page, "funds-batch-mismatch")
    page.goto(f"{live_server.url}/funds/payments/")
    assert "以下对账差异处理完毕前，暂停支付" in page.content()
    screenshot(page, "funds-payments-blocked")
