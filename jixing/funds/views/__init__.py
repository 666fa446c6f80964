"""Funds pages. HTTP only: parse, call one action or query, render. Objects are fetched
through ``get_for_user`` so missing and forbidden both answer 404; every view declares its
roles (B2); state changes are POST with CSRF (B6)."""

from __future__ import annotations

from .budgets import budget_allocate, budget_appropriate, budget_create, budget_detail, budget_list
from .claims import (
    claim_approve,
    claim_cancel,
    claim_create,
    claim_detail,
    claim_list,
    claim_payee,
    claim_reject,
    claim_return,
    claim_submit,
    line_exclude,
    review_queue,
)
from .common import PAGE_SIZE, index
from .milestones import milestone_payments
from .payments import batch_create, batch_detail, batch_export, batch_list, batch_reconcile, issue_resolve
from .persons import (
    Basis,
    my_claim,
    my_education_claim,
    my_living_allowance_claim,
    my_outside_claim,
    my_study,
    my_subsidies,
    payee_accounts,
)
from .recoveries import recovery_detail, recovery_instalment, recovery_list, recovery_overdue, recovery_write_off
from .rule_tables import rule_copy, rule_detail, rule_list
from .self_training import self_training_claim_create, self_training_claims
from .staff_education import staff_education

__all__ = [
    "self_training_claim_create",
    "self_training_claims",
    "milestone_payments",
    "Basis",
    "PAGE_SIZE",
    "batch_create",
    "batch_detail",
    "batch_export",
    "batch_list",
    "batch_reconcile",
    "budget_allocate",
    "budget_appropriate",
    "budget_create",
    "budget_detail",
    "budget_list",
    "claim_approve",
    "claim_cancel",
    "claim_create",
    "claim_detail",
    "claim_list",
    "claim_payee",
    "claim_reject",
    "claim_return",
    "claim_submit",
    "index",
    "issue_resolve",
    "line_exclude",
    "my_claim",
    "my_education_claim",
    "my_living_allowance_claim",
    "my_outside_claim",
    "my_study",
    "my_subsidies",
    "payee_accounts",
    "recovery_detail",
    "recovery_instalment",
    "recovery_list",
    "recovery_overdue",
    "recovery_write_off",
    "review_queue",
    "rule_copy",
    "rule_detail",
    "rule_list",
    "staff_education",
]
