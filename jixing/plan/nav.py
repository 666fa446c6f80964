from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.accounts.roles import EVERYONE
from jixing.core.nav import NavItem

_ROLES = EVERYONE - {Role.TRAINEE}

ITEMS = [
    NavItem(label=_("Actions"), url_name="plan:action_list", roles=_ROLES, order=10),
    NavItem(label=_("Targets"), url_name="plan:target_list", roles=_ROLES, order=11),
]
