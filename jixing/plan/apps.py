from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "jixing.plan"
    label = "plan"
    verbose_name = _("plan")

    def ready(self) -> None:
        from jixing.core.access import register_department_actions

        from .models import Action

        def department_actions(department_id: int) -> frozenset[int]:
            return frozenset(Action.objects.filter(departments=department_id).values_list("number", flat=True))

        register_department_actions(department_actions)
