from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.web.nav import NavItem
from jixing.web.nav_roles import EVERYONE

_ROLES = EVERYONE - {Role.TRAINEE}

ITEMS = [
    NavItem(label=_("Actions"), url_name="plan:action_list", roles=_ROLES, order=10),
    NavItem(label=_("Targets"), url_name="plan:target_list", roles=_ROLES, order=11),
]
