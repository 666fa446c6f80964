"""Hypothesis: over random sequences of allocations, approvals, returns, payments (with bank
successes and failures) and recoveries, every posting stays balanced, no account goes below
zero, cached balances equal their lines, and the money in the budgets always equals what the
treasury put in (SECURITY.md G4). Refusals (short budget, wrong state) must post nothing."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jixing.core.testing import make_personas
from jixing.core.workflow import IllegalTransition
from jixing.funds import actions, bankfiles, ledger
from jixing.funds.models import Account, AccountKind, Claim, ClaimLine, ClaimStatus, Posting, RecoveryOrder
from jixing.funds.tests import factories as f
from jixing.plan.management.commands.load_reference import load_reference
from jixing.training.models import Enrollment

REFUSED = (ValidationError, PermissionDenied, IllegalTransition, actions.Conflict)

amount = st.integers(min_value=1, max_value=4000).map(lambda n: Decimal(n) / 2)
op = st.one_of(
    st.tuples(st.just("allocate"), amount),
    st.tuples(st.just("claim"), st.integers(1, 3)),
    st.tuples(st.just("approve"), st.integers(0, 20)),
    st.tuples(st.just("return"), st.integers(0, 20)),
    st.tuples(st.just("notice"), st.just(0)),
    st.tuples(st.just("pay"), st.lists(st.booleans(), max_size=6)),
    st.tuples(st.just("recover"), st.integers(0, 20), amount),
    st.tuples(st.just("receive"), st.integers(0, 20), amount),
    st.tuples(st.just("write_off"), st.integers(0, 20)),
)


class TestLedgerInvariants(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_reference()
        cls.p = make_personas()
        cls.table = f.rule_table(cls.p)
        cls.budget = f.budget(cls.p, amount="3000")
        cls.project = f.project(cls.p)
        cls.klass = f.klass(cls.project)
        cls.enrollments = [f.enroll(cls.klass, f.trainee()) for _ in range(40)]
        cls.account = f.org_account(cls.p)

    def _claims(self, status: str | None = None) -> list[Claim]:
        qs = Claim.objects.order_by("id")
        return list(qs.filter(status=status) if status else qs)

    def _pick(self, items: list[Any], index: int) -> Any:
        return items[index % len(items)] if items else None

    def _run(self, step: tuple[Any, ...]) -> None:
        p = self.p
        kind = step[0]
        if kind == "allocate":
            actions.allocate(self.budget, by=p.grace, region=f.region("370102"), amount=step[1])
        elif kind == "claim":
            free = Enrollment.objects.filter(training_class=self.klass).exclude(
                pk__in=ClaimLine.objects.live().values("enrollment_id")).order_by("id")[: step[1]]
            ids = [e.pk for e in free]
            if ids:
                claim = actions.create_claim(by=p.ivan, project=self.project, enrollment_ids=ids, payee_account=self.account)
                actions.submit_claim(claim, by=p.ivan)
                actions.county_review(claim, by=p.dave)
        elif kind == "approve":
            claim = self._pick(self._claims(ClaimStatus.COUNTY_REVIEWED), step[1])
            if claim:
                actions.city_approve(claim, by=p.bob)
        elif kind == "return":
            claim = self._pick(self._claims(ClaimStatus.PUBLIC_NOTICE), step[1])
            if claim:
                actions.reject_claim(claim, by=p.bob, reason="公示期间异议成立")
        elif kind == "notice":
            actions.close_due_notices(on=f.today() + dt.timedelta(days=30))
        elif kind == "pay":
            batch = actions.create_payment_batch(by=p.grace).batch
            bank_file = bankfiles.build_payment_file(batch)
            actions.record_bank_file_export(batch, by=p.grace, sha256=bank_file.sha256, rows=bank_file.rows, fmt="csv")
            orders = list(batch.orders.order_by("number"))
            fail = {o.number for o, bad in zip(orders, step[1], strict=False) if bad}
            content = bankfiles.return_file_for(batch, fail=fail)
            reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
            next(reader)
            rows = [actions.ReturnRow(i + 2, *r) for i, r in enumerate(reader)]
            result = actions.reconcile_bank_return(batch, by=p.grace, rows=rows, file_name="r.csv",
                                                   file_sha256=hashlib.sha256(content).hexdigest())
            for issue in result.issues:
                actions.resolve_issue(issue, by=p.grace, resolution="已核实，账户已更正")
        elif kind == "recover":
            claim = self._pick(self._claims(ClaimStatus.PAID), step[1])
            if claim:
                actions.create_recovery_order(by=p.bob, payer=p.institution, amount=step[2], claim=claim,
                                              reason="虚假培训骗取补贴", deadline=f.today())
        elif kind in ("receive", "write_off"):
            order = self._pick(list(RecoveryOrder.objects.outstanding().order_by("id")), step[1])
            if order and kind == "receive":
                actions.record_recovery_instalment(order, by=p.grace, amount=step[2])
            elif order:
                actions.write_off_recovery(order, by=p.grace, reason="无法追回，依法核销")

    def _assert_invariants(self) -> None:
        report = ledger.verify()
        assert report.ok, report.as_dict()
        treasury = ledger.treasury_account(self.budget.fund_source).balance
        in_budgets = Account.objects.exclude(kind=AccountKind.TREASURY).aggregate(s=Sum("balance"))["s"] or 0
        assert in_budgets == treasury == Decimal("3000.00")
        committed = Account.objects.filter(kind=AccountKind.COMMITTED).aggregate(s=Sum("balance"))["s"] or 0
        expected = Claim.objects.filter(status__in=["city_approved", "public_notice", "payable"]).aggregate(s=Sum("amount"))["s"] or 0
        assert committed == expected

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(op, min_size=1, max_size=12))
    def test_it_keeps_the_ledger_balanced_and_never_negative(self, steps: list[tuple[Any, ...]]) -> None:
        for step in steps:
            before = Posting.objects.count()
            try:
                self._run(step)
            except REFUSED:
                # a refused step may have posted nothing at all
                assert Posting.objects.count() == before
            self._assert_invariants()
