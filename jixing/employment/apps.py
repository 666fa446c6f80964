from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "jixing.employment"
    label = "employment"
    verbose_name = _("employment")

    def ready(self) -> None:
        from jixing.registry.models import PERSON_REGISTERED_HOOKS

        from .actions import attach_held_for

        if attach_held_for not in PERSON_REGISTERED_HOOKS:
            PERSON_REGISTERED_HOOKS.append(attach_held_for)
