from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

_ROLES = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR})

ITEMS = [
    NavItem(label=_("Progress dashboard"), url_name="stats:dashboard", roles=_ROLES, order=10),
    NavItem(label=_("Dispatch reports"), url_name="stats:reports", roles=_ROLES, order=11),
    NavItem(label=_("Institution scorecards"), url_name="stats:scorecards", roles=_ROLES, order=12),
    NavItem(label=_("Evaluation body scorecards"), url_name="stats:evaluators", roles=_ROLES, order=13),
    NavItem(label=_("Selection (优选计划)"), url_name="stats:selections", roles=_ROLES, order=14),
    NavItem(label=_("Project quality review"), url_name="stats:quality_queue",
            roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR}), order=15),
    NavItem(label=_("Department training records"), url_name="stats:intake",
            roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR}), order=16),
]
