from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "jixing.employment"
    label = "employment"
    verbose_name = _("employment")

    def ready(self) -> None:
        from jixing.core.employment import EmploymentSource, register_employment_source
        from jixing.registry.models import PERSON_REGISTERED_HOOKS

        from . import queries
        from .actions import attach_held_for

        if attach_held_for not in PERSON_REGISTERED_HOOKS:
            PERSON_REGISTERED_HOOKS.append(attach_held_for)
        register_employment_source(EmploymentSource(
            person_insured_by=queries.person_insured_by, employer_in_records=queries.employer_in_records))
