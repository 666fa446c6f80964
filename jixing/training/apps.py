from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "jixing.training"
    label = "training"
    verbose_name = _("training")

    def ready(self) -> None:
        from jixing.registry.models import PERSON_SCOPE_EXTENSIONS

        from .models import persons_reached_through_training

        if persons_reached_through_training not in PERSON_SCOPE_EXTENSIONS:
            PERSON_SCOPE_EXTENSIONS.append(persons_reached_through_training)
