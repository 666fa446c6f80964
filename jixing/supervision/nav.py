from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

ITEMS = [
    NavItem(label=_("Supervision"), url_name="supervision:dashboard",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR}), order=70),
    NavItem(label=_("Supervision cases"), url_name="supervision:cases",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR}), order=71),
    NavItem(label=_("Supervision rules"), url_name="supervision:rules",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.SECURITY_ADMIN}), order=72),
    NavItem(label=_("Our supervision findings"), url_name="supervision:mine",
            roles=frozenset({Role.INSTITUTION, Role.EVALUATOR}), order=70),
]
