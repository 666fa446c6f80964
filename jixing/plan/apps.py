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

        from jixing.accounts.roles import REFERENCE_MODELS

        # issue 17: chains, programmes and cities' 自主参训 rules are reference data with history
        REFERENCE_MODELS.update({"plan.industrialchain", "plan.programme", "plan.selftrainingcityrule"})
