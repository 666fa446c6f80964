"""Trainers (师资) and the 马兰花 entrepreneurship-training brand.

Seed 鲁人社字〔2025〕87号 一(十) "加强师资培养，迭代课程体系，创优'马兰花'创业培训品牌 … 持续开展
'创培在身边'等公益志愿服务基层行活动，吸纳优秀创业培训师资参加志愿活动 … 推广创业训练营等模式";
二(一) "举办职业培训师、创业指导师等培训师资类职业技能大赛，逐步提高全省职业技能培训教学师资水平".

A trainer profile links an institution's ``training.Teacher`` (the person who teaches its classes)
to verified qualifications (certificates in evaluation), trainer-training records, competition
results that raise the trainer's grade (rules.py), and 马兰花 accreditation. Profiles are
archived, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, within_region
from jixing.core.models import TimeStampedModel


class TrainerCategory(models.TextChoices):
    VOCATIONAL = "vocational", _("vocational trainer (职业培训师)")
    ENTREPRENEURSHIP = "entrepreneurship", _("entrepreneurship mentor (创业指导师)")


class TrainerGrade(models.IntegerChoices):
    # Assumption (docs/trainers.md): four grades of the province's trainer pool.
    JUNIOR = 1, _("junior trainer")
    INTERMEDIATE = 2, _("intermediate trainer")
    SENIOR = 3, _("senior trainer")
    EXPERT = 4, _("expert trainer")


def _profile_scope_q(user: Any, prefix: str = "") -> Q | None:
    """Q over trainer profiles (through ``prefix``); None means nothing is visible."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.person_id:
        return Q(**{f"{prefix}person_id": scope.person_id})
    if scope.organisation_id:
        return Q(**{f"{prefix}organisation_id": scope.organisation_id})
    if scope.region_prefix and not scope.department_id:
        return within_region(f"{prefix}organisation__county", scope.region_prefix)
    return None


class TrainerProfileQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> TrainerProfileQuerySet:
        q = _profile_scope_q(user)
        return self.none() if q is None else self.filter(q)

    def active(self) -> TrainerProfileQuerySet:
        return self.filter(archived_at__isnull=True)


class TrainerProfile(TimeStampedModel):
    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                     related_name="trainer_profiles")
    person = models.ForeignKey("registry.Person", verbose_name=_("trainer"), on_delete=models.PROTECT,
                               related_name="trainer_profiles")
    teacher = models.OneToOneField("training.Teacher", verbose_name=_("teacher"), on_delete=models.PROTECT,
                                   related_name="trainer_profile")
    category = models.CharField(_("category"), max_length=20, choices=TrainerCategory.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=TrainerGrade.choices, default=TrainerGrade.JUNIOR)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archive_reason = models.CharField(_("reason for archiving"), max_length=300, blank=True)

    objects = TrainerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "id"]
        verbose_name = _("trainer profile")
        verbose_name_plural = _("trainer profiles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="trainer_profile_once_per_institution"),
            models.CheckConstraint(name="trainer_grade_range", condition=Q(grade__gte=1, grade__lte=4)),
            models.CheckConstraint(name="trainer_archive_has_reason",
                                   condition=Q(archived_at__isnull=True) | ~Q(archive_reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_category_display()})"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None


class TrainerQualification(TimeStampedModel):
    """A certificate the trainer holds, linked to the certificate record and verified on entry
    (valid, and the holder is the trainer): a skill certificate or a 数字技术工程师 certificate."""

    profile = models.ForeignKey(TrainerProfile, on_delete=models.PROTECT, related_name="qualifications")
    certificate = models.ForeignKey("evaluation.Certificate", verbose_name=_("skill certificate"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    engineer_certificate = models.ForeignKey("evaluation.EngineerCertificate", verbose_name=_("engineer certificate"),
                                             null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("trainer qualification")
        verbose_name_plural = _("trainer qualifications")
        constraints = [
            models.CheckConstraint(
                name="qualification_one_certificate",
                condition=(Q(certificate__isnull=False) & Q(engineer_certificate__isnull=True))
                | (Q(certificate__isnull=True) & Q(engineer_certificate__isnull=False)),
            ),
            models.UniqueConstraint(fields=["profile", "certificate"], name="qualification_certificate_once"),
            models.UniqueConstraint(fields=["profile", "engineer_certificate"], name="qualification_engineer_once"),
        ]

    def __str__(self) -> str:
        return str(self.certificate or self.engineer_certificate)

    @property
    def number(self) -> str:
        cert = self.certificate or self.engineer_certificate
        return cert.number if cert else ""


class TrainerTrainingRecord(TimeStampedModel):
    """师资培养: a course the trainer attended (provider, hours, dates)."""

    profile = models.ForeignKey(TrainerProfile, on_delete=models.PROTECT, related_name="training_records")
    course = models.CharField(_("course"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("trainer training record")
        verbose_name_plural = _("trainer training records")
        constraints = [
            models.CheckConstraint(name="trainer_training_dates", condition=Q(ended_on__gte=models.F("started_on"))),
            models.CheckConstraint(name="trainer_training_hours", condition=Q(hours__gt=0, hours__lte=2000)),
        ]

    def __str__(self) -> str:
        return self.course


class CompetitionTier(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")


class Award(models.TextChoices):
    FIRST = "first", _("first prize")
    SECOND = "second", _("second prize")
    THIRD = "third", _("third prize")
    EXCELLENCE = "excellence", _("excellence award")
    NONE = "none", _("no award")


class CompetitionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> CompetitionQuerySet:
        # Competitions are public announcements: every signed-in staff role may read them.
        return self


class Competition(TimeStampedModel):
    """培训师资类职业技能竞赛 (seed 二(一)): 职业培训师 or 创业指导师 competitions."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=TrainerCategory.choices)
    tier = models.CharField(_("competition level"), max_length=20, choices=CompetitionTier.choices)
    held_on = models.DateField(_("held on"))
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    results_closed = models.BooleanField(_("results closed"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("trainer competition")
        verbose_name_plural = _("trainer competitions")
        constraints = [models.UniqueConstraint(fields=["name", "held_on"], name="competition_once")]

    def __str__(self) -> str:
        return self.name


class CompetitionEntry(TimeStampedModel):
    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="entries")
    profile = models.ForeignKey(TrainerProfile, verbose_name=_("trainer"), on_delete=models.PROTECT,
                                related_name="competition_entries")
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    award = models.CharField(_("award"), max_length=20, choices=Award.choices)
    grade_before = models.PositiveSmallIntegerField(_("grade before"), choices=TrainerGrade.choices)
    grade_after = models.PositiveSmallIntegerField(_("grade after"), choices=TrainerGrade.choices)
    decision = models.JSONField(_("grade decision"), default=list)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["competition_id", "rank", "id"]
        verbose_name = _("competition result")
        verbose_name_plural = _("competition results")
        constraints = [
            models.UniqueConstraint(fields=["competition", "profile"], name="competition_entry_once"),
            models.CheckConstraint(name="competition_grade_not_lowered", condition=Q(grade_after__gte=models.F("grade_before"))),
        ]

    def __str__(self) -> str:
        return f"{self.competition} {self.profile}"


class TeacherClassLimit(models.Model):
    """Dated parameter: how many classes running at once an institution may hold per registered
    trainer. The version in force on the day applies (latest ``valid_from`` not after it)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    classes_per_trainer = models.PositiveSmallIntegerField(_("classes running at once per registered trainer"))
    basis = models.TextField(_("basis (source of the number)"))

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("teacher-to-class limit")
        verbose_name_plural = _("teacher-to-class limits")
        constraints = [models.CheckConstraint(name="teacher_limit_positive",
                                              condition=Q(classes_per_trainer__gte=1, classes_per_trainer__lte=20))]

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.classes_per_trainer}"


# ------------------------------------------------------------------ 马兰花


class AccreditationStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("accreditation", "active")
    REVOKED = "revoked", pgettext_lazy("accreditation", "revoked")


class AccreditationQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> AccreditationQuerySet:
        q = _profile_scope_q(user, "profile__")
        return self.none() if q is None else self.filter(q)

    def active(self) -> AccreditationQuerySet:
        return self.filter(status=AccreditationStatus.ACTIVE)


class MalanhuaAccreditation(TimeStampedModel):
    """A trainer accredited to teach the 马兰花 entrepreneurship-training courses."""

    profile = models.ForeignKey(TrainerProfile, verbose_name=_("trainer"), on_delete=models.PROTECT,
                                related_name="malanhua_accreditations")
    number = models.CharField(_("accreditation number"), max_length=30, unique=True)
    accredited_on = models.DateField(_("accredited on"))
    valid_to = models.DateField(_("valid to"))
    status = models.CharField(_("status"), max_length=20, choices=AccreditationStatus.choices,
                              default=AccreditationStatus.ACTIVE)
    revoked_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    accredited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AccreditationQuerySet.as_manager()

    TRANSITIONS = {(AccreditationStatus.ACTIVE, AccreditationStatus.REVOKED)}

    class Meta:
        ordering = ["-accredited_on", "number"]
        verbose_name = _("马兰花 accreditation")
        verbose_name_plural = _("马兰花 accreditations")
        constraints = [
            models.UniqueConstraint(fields=["profile"], condition=Q(status="active"), name="malanhua_active_once"),
            models.CheckConstraint(name="malanhua_validity_ordered", condition=Q(valid_to__gt=models.F("accredited_on"))),
            models.CheckConstraint(name="malanhua_revoked_has_reason",
                                   condition=Q(status="active") | ~Q(revoked_reason="")),
        ]

    def __str__(self) -> str:
        return self.number


class MalanhuaCourseVersion(TimeStampedModel):
    """A version of the 马兰花 course system (迭代课程体系): course, version, hours, release date."""

    course = models.CharField(_("course"), max_length=120)
    version = models.CharField(_("version"), max_length=20)
    stage = models.CharField(_("entrepreneur stage"), max_length=120, blank=True,
                             help_text=_("e.g. 创业意识, 创办企业, 改善企业, 网络创业"))
    hours = models.PositiveSmallIntegerField(_("hours"))
    released_on = models.DateField(_("released on"))
    changes = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["course", "-released_on"]
        verbose_name = _("马兰花 course version")
        verbose_name_plural = _("马兰花 course versions")
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="malanhua_course_version_once"),
            models.CheckConstraint(name="malanhua_course_hours", condition=Q(hours__gte=1, hours__lte=500)),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.version}"


class ActivityKind(models.TextChoices):
    BOOTCAMP = "bootcamp", _("entrepreneurship bootcamp (创业训练营)")
    VOLUNTEER = "volunteer", _("创培在身边 volunteer activity")


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ActivityQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(organiser_id=scope.organisation_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(within_region("county", scope.region_prefix))
        return self.none()


class MalanhuaActivity(TimeStampedModel):
    """A 创业训练营 or a 创培在身边 volunteer activity with its person-times (action 10)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    organiser = models.ForeignKey("registry.Organisation", verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    course_version = models.ForeignKey(MalanhuaCourseVersion, verbose_name=_("course version"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="activities")
    trainers = models.ManyToManyField(TrainerProfile, verbose_name=_("trainers"), related_name="malanhua_activities")
    person_times = models.PositiveIntegerField(_("person-times"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("马兰花 activity")
        verbose_name_plural = _("马兰花 activities")
        constraints = [models.CheckConstraint(name="malanhua_person_times_range",
                                              condition=Q(person_times__gte=1, person_times__lte=100000))]

    def __str__(self) -> str:
        return self.title
