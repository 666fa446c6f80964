from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.core.nav import NavItem

from .models import ADMIN_ROLES, STAFF_ROLES, Role

ITEMS = [
    NavItem(label=_("API tokens"), url_name="accounts:api_tokens",
            roles=frozenset({Role.INSTITUTION, Role.EVALUATOR}), order=900),
    NavItem(label=_("Audit log"), url_name="accounts:audit_log",
            roles=frozenset({Role.AUDITOR, Role.SECURITY_ADMIN}), order=910),
    NavItem(label=_("Administration"), url_name="admin:index", roles=ADMIN_ROLES, order=920),
    NavItem(label=_("Authenticator app"), url_name="accounts:totp", roles=STAFF_ROLES, order=980),
    NavItem(label=_("Change password"), url_name="accounts:password_change", roles=frozenset(Role.values), order=990),
]
