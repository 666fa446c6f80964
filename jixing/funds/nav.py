from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

from .queries import (
    BUDGET_READERS,
    CLAIM_READERS,
    MILESTONE_READERS,
    PAYEE_HOLDERS,
    PAYMENT_READERS,
    RECOVERY_READERS,
    REVIEWERS,
    RULE_READERS,
    SELF_TRAINING_READERS,
    STAFF_EDUCATION_READERS,
)

ITEMS = [
    NavItem(label=_("Claim review"), url_name="funds:review_queue", roles=REVIEWERS, order=60),
    NavItem(label=_("Subsidy claims"), url_name="funds:claim_list", roles=CLAIM_READERS - {Role.TRAINEE}, order=61),
    NavItem(label=_("My subsidies"), url_name="funds:my_subsidies", roles=frozenset({Role.TRAINEE}), order=61),
    NavItem(label=_("Budgets"), url_name="funds:budget_list", roles=BUDGET_READERS, order=62),
    NavItem(label=_("Payments"), url_name="funds:batch_list", roles=PAYMENT_READERS, order=63),
    NavItem(label=_("Recoveries"), url_name="funds:recovery_list", roles=RECOVERY_READERS, order=64),
    NavItem(label=_("Subsidy standards"), url_name="funds:rule_list", roles=RULE_READERS, order=65),
    NavItem(label=_("Staff education funds"), url_name="funds:staff_education", roles=STAFF_EDUCATION_READERS, order=66),
    NavItem(label=_("Bank accounts"), url_name="funds:payee_accounts", roles=PAYEE_HOLDERS, order=67),
    NavItem(label=_("Milestone payments"), url_name="funds:milestone_payments", roles=MILESTONE_READERS, order=68),
    NavItem(label=_("Self-arranged training claims"), url_name="funds:self_training_claims",
            roles=SELF_TRAINING_READERS, order=69),
]
