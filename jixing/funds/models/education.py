"""Study records for the education subsidy (求学圆梦)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, union_prefix, within_region
from jixing.core.models import TimeStampedModel

from .common import MONEY


class StudyLevel(models.TextChoices):
    COLLEGE = "college", _("junior college (专科)")
    BACHELOR = "bachelor", _("bachelor's degree (本科)")


class StudyMode(models.TextChoices):
    ADULT_EXAM = "adult_exam", _("adult college entrance exam (成人高考)")
    OPEN_UNIVERSITY = "open_university", _("open university (开放教育)")
    SELF_STUDY = "self_study", _("self-study exam (自学考试)")
    ONLINE = "online", _("online education (网络教育)")


class StudyRecordQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> StudyRecordQuerySet:
        union = union_prefix(user)
        if union is not None:
            return self.filter(within_region("person__current_region", union))
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("person__current_region"))
        return self.none()


class StudyRecord(TimeStampedModel):
    """A frontline worker's academic study (学历提升), the ground of a 求学圆梦 claim
    (鲁人社字〔2025〕87号: 每年补贴不少于1万名一线职工（含农民工）学历与能力提升). A person records
    their own, with the 学信网 学籍在线验证报告 that proves enrolment; the claim is judged on the
    enrolment date, the employer and post, and the contributions (docs/education_subsidy.md)."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="study_records"
    )
    school = models.CharField(_("school"), max_length=120)
    programme = models.CharField(_("programme (专业)"), max_length=120)
    level = models.CharField(pgettext_lazy("study", "level"), max_length=20, choices=StudyLevel.choices)
    mode = models.CharField(_("study mode"), max_length=20, choices=StudyMode.choices)
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    enrolled_on = models.DateField(_("enrolled on"))
    graduated_on = models.DateField(_("graduated on"), null=True, blank=True)
    tuition_paid = models.DecimalField(_("tuition paid (yuan)"), **MONEY)
    employer = models.ForeignKey(
        "registry.Organisation", verbose_name=_("employer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frontline_post = models.CharField(_("frontline post (一线岗位)"), max_length=60, blank=True)
    chsi_report_number = models.CharField(_("学信网 enrolment verification report number"), max_length=20, blank=True)
    chsi_verification_code = models.CharField(_("学信网 online verification code"), max_length=16, blank=True)
    evidence_note = models.CharField(_("evidence note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        constraints = [
            models.UniqueConstraint(fields=["person", "school", "programme", "level"], name="study_record_once_per_programme"),
            models.CheckConstraint(name="study_record_tuition_not_negative", condition=Q(tuition_paid__gte=0)),
            models.CheckConstraint(
                name="study_record_graduated_after_enrolled",
                condition=Q(graduated_on__isnull=True) | Q(graduated_on__gte=models.F("enrolled_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.programme} ({self.get_level_display()})"
