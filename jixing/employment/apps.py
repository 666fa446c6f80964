from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "jixing.employment"
    label = "employment"
    verbose_name = _("employment")

    def ready(self) -> None:
        from jixing.core.employment import EmploymentSource, register_employment_source

        from . import queries

        register_employment_source(EmploymentSource(
            person_insured_by=queries.person_insured_by, employer_in_records=queries.employer_in_records))
