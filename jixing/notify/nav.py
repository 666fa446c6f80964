"""Menu entries of the message centre (every role has messages and to-dos)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role
from jixing.core.nav import NavItem

EVERYONE = frozenset(Role.values)


def uses_dev_sms() -> bool:
    return str(settings.JIXING_SMS_PROVIDER).endswith(".DevSmsProvider")


ITEMS = [
    NavItem(label=_("To-dos"), url_name="notify:todos", roles=EVERYONE, order=1),
    NavItem(label=_("Messages"), url_name="notify:inbox", roles=EVERYONE, order=2),
    NavItem(label=_("Message settings"), url_name="notify:preferences", roles=EVERYONE, order=3),
    NavItem(label=_("Delivery log"), url_name="notify:deliveries",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR, Role.SECURITY_ADMIN}), order=4),
    NavItem(label=_("SMS outbox (development)"), url_name="notify:sms_outbox",
            roles=frozenset({Role.HRSS_OFFICER, Role.AUDITOR}), order=5,
            when=lambda user: uses_dev_sms()),
]
