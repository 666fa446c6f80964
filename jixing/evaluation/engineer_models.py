"""The professional-technical ladder of 数字技术工程师 (seed 一(一) "大力实施数字技术工程师培育项目"):
初级 / 中级 / 高级 工程师 in the national digital-technology fields, with their own evaluation
sessions (考核) and certificates (专业技术等级证书).

Kept apart from the eight-level skill ladder on purpose: ``registry.SkillLevel``, ``Certificate``
and every skill-ladder rule, subsidy and pay report stay untouched and never see an engineer
certificate; the digital target line (action 1) counts them through ``engineer_queries``.
See docs/digital_engineers.md for the fields' source and what is assumption.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jixing.core.access import scope_for, within_region
from jixing.core.models import TimeStampedModel


class EngineerLevel(models.TextChoices):
    JUNIOR = "junior", _("junior engineer (初级)")
    INTERMEDIATE = "intermediate", _("intermediate engineer (中级)")
    SENIOR = "senior", _("senior engineer (高级)")


# Rung order on the ladder (pure rules compare these).
ENGINEER_LEVEL_ORDER = {EngineerLevel.JUNIOR: 1, EngineerLevel.INTERMEDIATE: 2, EngineerLevel.SENIOR: 3}


class DigitalField(models.Model):
    """A field (occupation) of the national 数字技术工程师培育项目. The 大典 code stays blank until
    verified against the official catalogue (like ``registry.Occupation``)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("大典 code"), max_length=12, blank=True)
    verified = models.BooleanField(_("code verified"), default=False)
    source = models.TextField(pgettext_lazy("citation", "source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("digital-technology field")
        verbose_name_plural = _("digital-technology fields")

    def __str__(self) -> str:
        return self.name


class EngineerSessionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("engineer session", "planned")
    LOCKED = "locked", pgettext_lazy("engineer session", "reviewed and locked")
    CANCELLED = "cancelled", pgettext_lazy("engineer session", "cancelled")


class EngineerSessionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> EngineerSessionQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(organisation_id=scope.organisation_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(within_region("organisation__county", scope.region_prefix))
        return self.none()


class EngineerSession(TimeStampedModel):
    """A 考核 of one field × level held by an assessment site (考核站点, an evaluation body)."""

    code = models.CharField(_("session code"), max_length=40, unique=True)
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("assessment site"),
                                     on_delete=models.PROTECT, related_name="engineer_sessions")
    field = models.ForeignKey(DigitalField, verbose_name=_("digital-technology field"), on_delete=models.PROTECT)
    level = models.CharField(_("engineer level"), max_length=20, choices=EngineerLevel.choices)
    date = models.DateField(_("evaluation date"))
    site = models.CharField(_("site"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=EngineerSessionStatus.choices,
                              default=EngineerSessionStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = EngineerSessionQuerySet.as_manager()

    TRANSITIONS = {
        (EngineerSessionStatus.PLANNED, EngineerSessionStatus.LOCKED),
        (EngineerSessionStatus.PLANNED, EngineerSessionStatus.CANCELLED),
    }

    class Meta:
        ordering = ["-date", "code"]
        verbose_name = _("engineer evaluation session")
        verbose_name_plural = _("engineer evaluation sessions")
        constraints = [
            models.CheckConstraint(name="engineer_session_level_known",
                                   condition=Q(level__in=["junior", "intermediate", "senior"])),
            models.CheckConstraint(name="engineer_session_reviewer_not_creator",
                                   condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("created_by"))),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.field} {self.get_level_display()}"


class EngineerCandidate(TimeStampedModel):
    """A person sitting an engineer session; the score is entered by the site before the lock."""

    session = models.ForeignKey(EngineerSession, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="engineer_candidacies")
    enrollment = models.ForeignKey("training.Enrollment", verbose_name=_("training enrollment"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    conditions = models.JSONField(_("application conditions checked"), default=list)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("engineer candidate")
        verbose_name_plural = _("engineer candidates")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="engineer_candidate_once"),
            models.CheckConstraint(name="engineer_score_range",
                                   condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.session_id}"


class EngineerCertificateQuerySet(models.QuerySet):
    def valid(self) -> EngineerCertificateQuerySet:
        return self.filter(status="valid")

    def visible_to(self, user: Any) -> EngineerCertificateQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        if scope.organisation_id:
            return self.filter(session__organisation_id=scope.organisation_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(within_region("session__organisation__county", scope.region_prefix)
                               | within_region("person__current_region", scope.region_prefix))
        return self.none()


class EngineerCertificate(TimeStampedModel):
    """专业技术等级证书 of a 数字技术工程师 (one per person × field × level while valid)."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    person = models.ForeignKey("registry.Person", verbose_name=_("holder"), on_delete=models.PROTECT,
                               related_name="engineer_certificates")
    field = models.ForeignKey(DigitalField, verbose_name=_("digital-technology field"), on_delete=models.PROTECT)
    level = models.CharField(_("engineer level"), max_length=20, choices=EngineerLevel.choices)
    session = models.ForeignKey(EngineerSession, verbose_name=_("session"), on_delete=models.PROTECT,
                                related_name="certificates")
    candidate = models.OneToOneField(EngineerCandidate, on_delete=models.PROTECT, related_name="certificate")
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(_("status"), max_length=20, default="valid",
                              choices=[("valid", pgettext_lazy("certificate status", "valid")),
                                       ("revoked", pgettext_lazy("certificate status", "revoked"))])
    revoked_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)

    objects = EngineerCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("engineer certificate")
        verbose_name_plural = _("engineer certificates")
        constraints = [
            models.UniqueConstraint(fields=["person", "field", "level"], condition=Q(status="valid"),
                                    name="engineer_certificate_once_while_valid"),
            models.CheckConstraint(name="engineer_certificate_revoked_has_reason",
                                   condition=Q(status="valid") | ~Q(revoked_reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.field} {self.get_level_display()}"

    @property
    def level_order(self) -> int:
        return ENGINEER_LEVEL_ORDER[EngineerLevel(self.level)]
