from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainersConfig(AppConfig):
    name = "jixing.trainers"
    label = "trainers"
    verbose_name = _("trainers and 马兰花")

    def ready(self) -> None:
        from jixing.accounts.roles import REFERENCE_MODELS
        from jixing.core.class_checks import register_class_check

        # The teacher-to-class limit is a dated parameter the system administrator keeps.
        REFERENCE_MODELS.add("trainers.teacherclasslimit")

        from .capacity import class_teacher_check

        # Training (below us) asks, when a class is filed, whether its teachers are registered
        # trainers within the institution's teacher-to-class limit (core.class_checks).
        register_class_check(class_teacher_check)
