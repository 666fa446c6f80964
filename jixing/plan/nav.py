from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.accounts.roles import EVERYONE, READERS
from jixing.core.nav import NavItem

_ROLES = EVERYONE - {Role.TRAINEE}
_CHAIN_ROLES = READERS | {Role.INSTITUTION}

ITEMS = [
    NavItem(label=_("Actions"), url_name="plan:action_list", roles=_ROLES, order=10),
    NavItem(label=_("Targets"), url_name="plan:target_list", roles=_ROLES, order=11),
    # seed 一(七): chains and studios; 一(四)/(五)/(八): programmes; 一(五): 自主参训
    NavItem(label=_("Industrial chains"), url_name="plan:chain_list", roles=_CHAIN_ROLES, order=12),
    NavItem(label=_("Skill master studios"), url_name="plan:studio_list", roles=_CHAIN_ROLES, order=13),
    NavItem(label=_("Programmes"), url_name="plan:programme_list", roles=_CHAIN_ROLES, order=14),
    NavItem(label=_("Self-arranged training"), url_name="plan:self_training_list",
            roles=frozenset({Role.TRAINEE, Role.HRSS_OFFICER, Role.AUDITOR}), order=15),
]
