from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notifications and to-dos: the top of the layer order. Lower apps publish domain events
    (jixing/core/events.py); this app subscribes, decides who is told through which channel,
    and keeps the message centre, the to-do list and the delivery log."""

    name = "jixing.notify"
    label = "notify"
    verbose_name = _("Messages and to-dos")

    def ready(self) -> None:
        from jixing.accounts.roles import REFERENCE_MODELS
        from jixing.core import events, overdue

        from . import receivers, todos

        events.subscribe(receivers.on_events)
        overdue.register_overdue_counter(todos.overdue_by_county)
        # Message templates are approved data the system administrator maintains.
        REFERENCE_MODELS.add("notify.messagetemplate")
