"""Every write of the funds app. Each action is atomic, takes the acting user as ``by=``,
writes one audit row (SECURITY.md C1) and moves money only through ``ledger.post``.

Who may do what (G1):
- finance officers (财政) of a region: budgets, appropriations, allocations down the region
  tree, payment batches and orders, bank files, reconciliation, recovery receipts/write-offs;
- HRSS officers: claim review (county → city → province for provincial key projects),
  rule tables of their city, recovery orders (also raised by supervision cases);
- institutions and enterprises: claims for their completed trainees, their bank account,
  staff education fund reports; persons: 技能提升补贴 for their own certificate, their own
  study records and 求学圆梦 for them.
Maker ≠ checker: whoever made or submitted a claim never reviews it, and the county
reviewer, city approver and province approver are three different people.
"""

from __future__ import annotations

from .budgets import allocate, appropriate, create_budget
from .claims import (
    CARD_ONLY_ITEMS,
    create_claim,
    create_living_allowance_claim,
    create_outside_certificate_claim,
    create_person_claim,
    find_outside_certificate,
    register_card_account,
)
from .common import MAX_AMOUNT, REASON_MIN, ClaimRefused, Conflict, today
from .education import (
    CHSI_CODE_RE,
    CHSI_FORMATS,
    CHSI_REPORT_RE,
    EDUCATION_ACTION,
    EDUCATION_FUND_SOURCE,
    ChsiFormats,
    create_education_claim,
    normalise_chsi,
    record_study,
)
from .milestones import record_decided_milestone_payments, record_milestone_payment
from .payees import register_payee_account
from .payments import (
    FAILURE_WORDS,
    SUCCESS_WORDS,
    BatchResult,
    ReconcileResult,
    ReturnRow,
    create_payment_batch,
    issue_payment_order,
    lock_batch_for_export,
    reconcile_bank_return,
    record_bank_file_export,
    resolve_issue,
)
from .recoveries import create_recovery_order, mark_overdue_recoveries, record_recovery_instalment, write_off_recovery
from .review import (
    STAGE_OF,
    approve_claim,
    cancel_claim,
    city_approve,
    close_due_notices,
    close_public_notice,
    county_review,
    exclude_line,
    province_approve,
    reject_claim,
    return_claim,
    reviewed_by_union,
    set_claim_payee_account,
    submit_claim,
)
from .rule_tables import RATE_FIELDS, UPLIFT_FIELDS, copy_rule_table, publish_rule_table
from .self_training import SELF_TRAINING_ACTION, create_self_training_claim
from .staff_education import report_staff_education

__all__ = [
    "record_decided_milestone_payments",
    "record_milestone_payment",
    "BatchResult",
    "CARD_ONLY_ITEMS",
    "CHSI_CODE_RE",
    "CHSI_FORMATS",
    "CHSI_REPORT_RE",
    "ChsiFormats",
    "ClaimRefused",
    "Conflict",
    "EDUCATION_ACTION",
    "EDUCATION_FUND_SOURCE",
    "FAILURE_WORDS",
    "MAX_AMOUNT",
    "RATE_FIELDS",
    "REASON_MIN",
    "ReconcileResult",
    "ReturnRow",
    "STAGE_OF",
    "SUCCESS_WORDS",
    "UPLIFT_FIELDS",
    "allocate",
    "appropriate",
    "approve_claim",
    "cancel_claim",
    "city_approve",
    "close_due_notices",
    "close_public_notice",
    "copy_rule_table",
    "county_review",
    "create_budget",
    "create_claim",
    "create_education_claim",
    "create_self_training_claim",
    "SELF_TRAINING_ACTION",
    "create_living_allowance_claim",
    "create_outside_certificate_claim",
    "create_payment_batch",
    "create_person_claim",
    "create_recovery_order",
    "exclude_line",
    "find_outside_certificate",
    "issue_payment_order",
    "lock_batch_for_export",
    "mark_overdue_recoveries",
    "normalise_chsi",
    "province_approve",
    "publish_rule_table",
    "reconcile_bank_return",
    "record_bank_file_export",
    "record_recovery_instalment",
    "record_study",
    "register_card_account",
    "register_payee_account",
    "reject_claim",
    "report_staff_education",
    "resolve_issue",
    "return_claim",
    "reviewed_by_union",
    "set_claim_payee_account",
    "submit_claim",
    "today",
    "write_off_recovery",
]
