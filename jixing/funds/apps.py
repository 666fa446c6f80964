from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "jixing.funds"
    label = "funds"
    verbose_name = _("funds")

    def ready(self) -> None:
        from jixing.core import events

        from . import receivers

        events.subscribe(receivers.on_events)
