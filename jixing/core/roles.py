"""The roles of jixing's users and the role groups every layer needs (SECURITY.md B1).

They live in core, below every app, so that core's scope rules (``core.access``) and any app
can name a role without importing ``accounts`` (the user model re-exports them).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    HRSS_OFFICER = "hrss_officer", _("HRSS officer")
    SECTOR_OFFICER = "sector_officer", _("sector department officer")
    FINANCE_OFFICER = "finance_officer", _("finance officer")
    INSTITUTION = "institution", _("training institution / enterprise staff")
    EVALUATOR = "evaluator", _("evaluation institution staff")
    TRAINEE = "trainee", pgettext_lazy("role", "trainee")
    AUDITOR = "auditor", _("audit administrator")
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    SECURITY_ADMIN = "security_admin", _("security administrator")
    # reviews 求学圆梦 claims, which the trade union funds (群团组织相关资金), in its region
    UNION_OFFICER = "union_officer", _("trade-union officer")


# Region-bound officers see a region subtree; these roles hold a second factor (A4).
REGION_ROLES = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.UNION_OFFICER})
ORGANISATION_ROLES = frozenset({Role.INSTITUTION, Role.EVALUATOR})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
STAFF_ROLES = frozenset(
    {Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.UNION_OFFICER, *ADMIN_ROLES}
)
