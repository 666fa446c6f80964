from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jixing.evaluation"
    label = "evaluation"
    verbose_name = _("evaluation")

    def ready(self) -> None:
        from jixing.accounts.roles import REFERENCE_MODELS

        # Pass marks per occupation × level are configuration the system administrator keeps.
        REFERENCE_MODELS.add("evaluation.passrule")
        REFERENCE_MODELS.add("evaluation.digitalfield")  # the 数字技术工程师 fields

        from jixing.training.queries import register_certificate_levels

        from .queries import highest_certificate_levels

        # Enrolment rules (training, below us) ask which certificates a person holds.
        register_certificate_levels(highest_certificate_levels)
