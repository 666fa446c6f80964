from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

ITEMS = [
    NavItem(label=_("Operations"), url_name="ops:operations", roles=frozenset({Role.SYSTEM_ADMIN}),
            order=95, section="core"),
]
