"""Training menu entries (the views check roles and scope themselves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

READERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})

ITEMS = [
    NavItem(label=_("Project approvals"), url_name="training:approvals", roles=frozenset({Role.HRSS_OFFICER}), order=30),
    NavItem(label=_("Training projects"), url_name="training:project_list", roles=READERS, order=31),
    NavItem(label=_("Classes"), url_name="training:class_list", roles=READERS, order=32),
    NavItem(label=_("Today's classes"), url_name="training:today",
            roles=frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR, Role.INSTITUTION}), order=33),
    NavItem(label=_("Teachers"), url_name="training:teacher_list", roles=frozenset({Role.INSTITUTION}), order=34),
    NavItem(label=_("Attendance terminals"), url_name="training:terminal_list", roles=frozenset({Role.INSTITUTION}), order=35),
    NavItem(label=_("Spot checks"), url_name="training:spot_check_list",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR}), order=36),
    NavItem(label=_("My classes"), url_name="training:my_classes", roles=frozenset({Role.TRAINEE}), order=30),
]
