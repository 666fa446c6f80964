"""Subsidy funds (issue 5; seed 二(五) 资金保障 and 二(六) 谁使用、谁负责).

- Budgets by fund source × year × region (province → city → county) × optional action.
- A double-entry, append-only ledger: every movement of money is a ``Posting`` whose
  ``PostingLine`` amounts sum to zero (debit positive, credit negative). Budget accounts
  (available, committed, paid, receivable, written off) are debit-normal; the treasury
  account of a fund source is credit-normal. Every account's balance on its normal side is
  ≥ 0 (a database check on the cached balance, recomputed by ``verify_ledger``).
- Versioned subsidy rule tables per city (鲁人社字〔2025〕37号 leaves the amounts to cities).
- Claims with lines (person × subsidy item × class or certificate, unique while live),
  reviewed county → city (→ province), publicly noticed, then paid exactly once.
- Payment batches and orders with idempotency keys; bank return files reconciled.
- Recovery orders (追回) for fraud found by supervision (seed 二(六)).
- Enterprises' staff education fund reports (中办发〔2022〕58号 §(十八): 60% to frontline workers).
"""

from __future__ import annotations

from .budgets import Allocation, Budget, BudgetQuerySet
from .claims import (
    COMMITTED_STATUSES,
    REVIEW_STATUSES,
    Claim,
    ClaimLine,
    ClaimLineQuerySet,
    ClaimQuerySet,
    ClaimStatus,
    LineStatus,
    RiskApproval,
)
from .common import MONEY, ZERO, LedgerImmutable
from .education import StudyLevel, StudyMode, StudyRecord, StudyRecordQuerySet
from .milestones import MilestonePayment, MilestonePaymentQuerySet, MilestonePaymentStatus
from .payees import AccountKindOfPayee, AccountSource, PayeeAccount, PayeeAccountQuerySet
from .payments import (
    BankReturn,
    BatchStatus,
    IssueKind,
    OrderStatus,
    PaymentBatch,
    PaymentBatchQuerySet,
    PaymentOrder,
    PaymentOrderQuerySet,
    ReconciliationIssue,
    ReconciliationIssueQuerySet,
)
from .postings import (
    BUDGET_ACCOUNT_KINDS,
    CREDIT_NORMAL_KINDS,
    Account,
    AccountKind,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    Posting,
    PostingKind,
    PostingLine,
    PostingQuerySet,
    ReferenceType,
)
from .recoveries import (
    OPEN_RECOVERY_STATUSES,
    RecoveryInstalment,
    RecoveryOrder,
    RecoveryOrderQuerySet,
    RecoveryPart,
    RecoveryStatus,
)
from .rule_tables import (
    CertificateType,
    InsuranceMonthsRule,
    PayeeKind,
    RuleTableQuerySet,
    SubsidyItem,
    SubsidyRate,
    SubsidyRuleTable,
    SubsidyUplift,
    UpliftKind,
)
from .staff_education import FRONTLINE_MIN_SHARE, StaffEducationReport, StaffEducationReportQuerySet

__all__ = [
    "MilestonePayment",
    "MilestonePaymentQuerySet",
    "MilestonePaymentStatus",
    "Account",
    "AccountKind",
    "AccountKindOfPayee",
    "AccountSource",
    "Allocation",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "BUDGET_ACCOUNT_KINDS",
    "BankReturn",
    "BatchStatus",
    "Budget",
    "BudgetQuerySet",
    "COMMITTED_STATUSES",
    "CREDIT_NORMAL_KINDS",
    "CertificateType",
    "Claim",
    "ClaimLine",
    "ClaimLineQuerySet",
    "ClaimQuerySet",
    "ClaimStatus",
    "FRONTLINE_MIN_SHARE",
    "InsuranceMonthsRule",
    "IssueKind",
    "LedgerImmutable",
    "LineStatus",
    "MONEY",
    "OPEN_RECOVERY_STATUSES",
    "OrderStatus",
    "PayeeAccount",
    "PayeeAccountQuerySet",
    "PayeeKind",
    "PaymentBatch",
    "PaymentBatchQuerySet",
    "PaymentOrder",
    "PaymentOrderQuerySet",
    "Posting",
    "PostingKind",
    "PostingLine",
    "PostingQuerySet",
    "REVIEW_STATUSES",
    "ReconciliationIssue",
    "ReconciliationIssueQuerySet",
    "RecoveryInstalment",
    "RecoveryOrder",
    "RecoveryOrderQuerySet",
    "RecoveryPart",
    "RecoveryStatus",
    "ReferenceType",
    "RiskApproval",
    "RuleTableQuerySet",
    "StaffEducationReport",
    "StaffEducationReportQuerySet",
    "StudyLevel",
    "StudyMode",
    "StudyRecord",
    "StudyRecordQuerySet",
    "SubsidyItem",
    "SubsidyRate",
    "SubsidyRuleTable",
    "SubsidyUplift",
    "UpliftKind",
    "ZERO",
]
