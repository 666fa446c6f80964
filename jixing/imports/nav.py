from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

ITEMS = [
    NavItem(
        label=_("Imports"),
        url_name="imports:jobs",
        roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.INSTITUTION,
                         Role.EVALUATOR, Role.AUDITOR}),
        order=90,
    )
]
