from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jixing.supervision"
    label = "supervision"
    verbose_name = _("supervision")

    def ready(self) -> None:
        # Lower layers read supervision through core interfaces, never by importing it:
        # funds' claim review asks core.risk for open findings and cases; training announces
        # spot-check visits and R12 turns a discrepancy into a finding at once.
        from jixing.core.risk import register_provider
        from jixing.training.signals import spot_check_recorded

        from .risk import open_risks
        from .rules.r12_spot_check import on_spot_check_recorded

        register_provider(open_risks)
        spot_check_recorded.connect(on_spot_check_recorded, dispatch_uid="supervision.r12")
