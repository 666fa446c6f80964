"""Training: projects, classes, sessions, enrollments and attendance (seed 一 and 二(四)).

Scope: officers see projects in their region subtree (by the project's county), sector
officers the projects of their department's actions, organisations the projects they
organise or partner in, trainees their own enrollments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import Scope, scope_for, within_region
from jixing.core.actor import Viewer
from jixing.core.display import local_minute
from jixing.core.models import TimeStampedModel

from .fields import SessionMonthField
from .quality import QualityState


class ProjectType(models.TextChoices):
    ORDER = "order", _("order-based (订单式)")
    FIXED_POST = "fixed_post", _("fixed-post (定岗)")
    DIRECTED = "directed", _("directed (定向)")
    PRE_JOB = "pre_job", _("pre-job (岗前)")
    TRANSFER = "transfer", _("job-transfer (转岗)")
    APPRENTICESHIP = "apprenticeship", _("new enterprise apprenticeship (企业新型学徒)")
    EMPLOYMENT_SKILL = "employment_skill", _("employment skills (就业技能)")
    SKILL_UPGRADE = "skill_upgrade", _("on-the-job skill upgrading (岗位技能提升)")
    ENTREPRENEURSHIP = "entrepreneurship", _("entrepreneurship (创业)")


# Order, fixed-post and directed projects serve a posted job demand of a partner enterprise.
TYPES_NEEDING_DEMAND = frozenset({ProjectType.ORDER, ProjectType.FIXED_POST, ProjectType.DIRECTED})
TYPES_NEEDING_PARTNER = TYPES_NEEDING_DEMAND | {ProjectType.APPRENTICESHIP}


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")
    REJECTED = "rejected", _("rejected")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    CLOSED = "closed", _("closed")


def _project_scope_q(scope: Scope, prefix: str = "") -> Q:
    """Q over TrainingProject (or a model reaching it through ``prefix``)."""
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.department_id:
        q = Q(**{f"{prefix}action__number__in": scope.action_numbers})
        if scope.region_prefix and scope.region_prefix != "37":
            q &= within_region(f"{prefix}county", scope.region_prefix)
        return q
    if scope.region_prefix:
        return within_region(f"{prefix}county", scope.region_prefix)
    if scope.organisation_id:
        return Q(**{f"{prefix}organiser_id": scope.organisation_id}) | Q(**{f"{prefix}partner_id": scope.organisation_id})
    return q


class TrainingProjectQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> TrainingProjectQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(classes__enrollments__person_id=scope.person_id).distinct()
        return self.filter(_project_scope_q(scope))


class TrainingProject(TimeStampedModel):
    code = models.CharField(_("project code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), on_delete=models.PROTECT, related_name="projects")
    target = models.ForeignKey(
        "plan.Target", verbose_name=_("target line"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    organiser = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="organised_projects"
    )
    partner = models.ForeignKey(
        "registry.Organisation", verbose_name=_("partner enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="partner_projects",
    )
    job_demand = models.ForeignKey(
        "demand.JobDemand", verbose_name=_("job demand"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="projects",
    )
    occupation = models.ForeignKey(
        "registry.Occupation", verbose_name=_("occupation"), null=True, blank=True, on_delete=models.PROTECT
    )
    level = models.ForeignKey(
        "registry.SkillLevel", verbose_name=_("skill level"), null=True, blank=True, on_delete=models.PROTECT
    )
    special_ability = models.CharField(_("special vocational ability"), max_length=100, blank=True)
    # 一(七) industrial chains and the named programmes of 一(四)/(五)/(八) (issue 17)
    chain = models.ForeignKey("plan.IndustrialChain", verbose_name=_("industrial chain"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="projects")
    programmes = models.ManyToManyField("plan.Programme", verbose_name=_("programmes"), blank=True, related_name="projects")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    planned_person_times = models.PositiveIntegerField(_("planned person-times"))
    hours = models.PositiveIntegerField(_("training hours"))
    required_attendance_rate = models.DecimalField(
        _("required attendance rate"), max_digits=4, decimal_places=3, default=Decimal("0.800")
    )
    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT)
    is_subsidised = models.BooleanField(_("subsidised"), default=True)
    requires_certificate = models.BooleanField(
        _("subsidy needs a passed evaluation"), default=True,
    )
    # Set only by an award of 揭榜领题 (training/topics.py, topic_actions.award), never by the institution.
    is_provincial_key = models.BooleanField(_("provincial key project (揭榜领题)"), default=False, editable=False)
    required_groups = models.ManyToManyField(
        "registry.TargetGroup", verbose_name=_("required target groups"), blank=True, related_name="+",
        help_text=_("Empty: open to every eligible worker."),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT)
    quality_state = models.CharField(_("quality review state"), max_length=20, choices=QualityState.choices,
                                     default=QualityState.NORMAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = TrainingProjectQuerySet.as_manager()

    TRANSITIONS = {
        (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED),
        (ProjectStatus.RETURNED, ProjectStatus.SUBMITTED),
        (ProjectStatus.SUBMITTED, ProjectStatus.APPROVED),
        (ProjectStatus.SUBMITTED, ProjectStatus.RETURNED),
        (ProjectStatus.SUBMITTED, ProjectStatus.REJECTED),
        (ProjectStatus.APPROVED, ProjectStatus.RUNNING),
        (ProjectStatus.RUNNING, ProjectStatus.FINISHED),
        (ProjectStatus.FINISHED, ProjectStatus.CLOSED),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training project")
        verbose_name_plural = _("training projects")
        constraints = [
            models.CheckConstraint(
                name="project_attendance_rate_range",
                condition=Q(required_attendance_rate__gt=0) & Q(required_attendance_rate__lte=1),
            ),
            models.CheckConstraint(name="project_planned_positive", condition=Q(planned_person_times__gt=0)),
            models.CheckConstraint(name="project_hours_positive", condition=Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_editable(self) -> bool:
        """Approved data is locked (SECURITY.md G1): only drafts and returned projects change."""
        return self.status in EDITABLE_PROJECT_STATUSES

    @property
    def accepts_classes(self) -> bool:
        """New classes and enrollments: an approved or running project not suspended or
        terminated by quality review (training/quality.py)."""
        return (self.status in (ProjectStatus.APPROVED, ProjectStatus.RUNNING)
                and self.quality_state == QualityState.NORMAL)

    @property
    def authors(self) -> set[int]:
        """Users who made the application: none of them may approve it (maker ≠ checker)."""
        return {i for i in (self.created_by_id, self.submitted_by_id) if i}


EDITABLE_PROJECT_STATUSES = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED})


def job_demand_model() -> Any:
    """``demand.JobDemand``, which an order-type project serves (the demand app sits below
    training in the layer order; kept for the callers that reach it through the project's FK)."""
    return TrainingProject._meta.get_field("job_demand").related_model


class Teacher(TimeStampedModel):
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="teachers")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="teaching_roles")
    qualification = models.CharField(_("qualification"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="teacher_once_per_organisation")]

    def __str__(self) -> str:
        return self.person.name


class FilingStatus(models.TextChoices):
    """Class filing (开班备案, 鲁人社字〔2025〕37号 "开班备案、过程监督、结果考核")."""

    UNFILED = "unfiled", _("not filed")
    FILED = "filed", _("filed, awaiting the county")
    ACCEPTED = "accepted", _("filing accepted")
    RETURNED = "returned", _("filing returned")


FILING_TRANSITIONS: set[tuple[str, str]] = {
    (FilingStatus.UNFILED, FilingStatus.FILED),
    (FilingStatus.RETURNED, FilingStatus.FILED),
    (FilingStatus.FILED, FilingStatus.ACCEPTED),
    (FilingStatus.FILED, FilingStatus.RETURNED),
}


class FilingNotice(models.Model):
    """The dated parameter: a class is filed at least ``notice_days`` before its start.

    The version in force on the filing day applies (latest ``valid_from`` not after it)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    notice_days = models.PositiveSmallIntegerField(_("days of notice before the start"))
    basis = models.TextField(_("basis (source of the number)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("class filing notice period")
        verbose_name_plural = _("class filing notice periods")
        constraints = [models.CheckConstraint(name="filing_notice_days_range", condition=Q(notice_days__lte=90))]

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.notice_days}"


class TrainingClassQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> TrainingClassQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(enrollments__person_id=scope.person_id).distinct()
        return self.filter(_project_scope_q(scope, "project__"))


class TrainingClass(TimeStampedModel):
    """A class (期/班) of a project: where, when, how many, who teaches."""

    project = models.ForeignKey(TrainingProject, on_delete=models.PROTECT, related_name="classes")
    code = models.CharField(_("class code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    site_address = models.CharField(_("site address"), max_length=200)
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    capacity = models.PositiveIntegerField(_("capacity"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    teachers = models.ManyToManyField(
        Teacher, verbose_name=pgettext_lazy("training", "teachers"), related_name="classes", blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, help_text=_("Attendance is locked once closed."))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Class filing (开班备案): enrollment and attendance open only once the county accepts it.
    filing_status = models.CharField(_("filing status"), max_length=10, choices=FilingStatus.choices,
                                     default=FilingStatus.UNFILED, db_index=True)
    roster_plan = models.TextField(_("roster plan"), blank=True,
                                   help_text=_("Whom the class will recruit and how (target groups, sources, numbers)."))
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filing_days_ahead = models.SmallIntegerField(_("days filed before the start"), null=True, blank=True)
    filing_short_notice = models.BooleanField(_("filed at short notice"), default=False)
    filing_decided_at = models.DateTimeField(_("filing decided at"), null=True, blank=True)
    filing_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    filing_reason = models.CharField(_("reason for returning the filing"), max_length=300, blank=True)
    # held at a public training base (seed 一(九)): the accepted booking of the base's stations
    base_booking = models.ForeignKey("bases.Booking", verbose_name=_("training base booking"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="classes")

    objects = TrainingClassQuerySet.as_manager()

    FILING_TRANSITIONS = FILING_TRANSITIONS

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        constraints = [
            models.CheckConstraint(name="class_dates_ordered", condition=Q(end_date__gte=models.F("start_date"))),
            models.CheckConstraint(name="class_capacity_positive", condition=Q(capacity__gt=0)),
            models.CheckConstraint(name="class_latitude_range", condition=Q(latitude__gte=-90) & Q(latitude__lte=90)),
            models.CheckConstraint(name="class_longitude_range", condition=Q(longitude__gte=-180) & Q(longitude__lte=180)),
            models.CheckConstraint(name="class_filing_status_valid",
                                   condition=Q(filing_status__in=FilingStatus.values)),
            # a filing is never dated after the class started (a late filing is refused)
            models.CheckConstraint(name="class_filed_before_start",
                                   condition=Q(filing_days_ahead__isnull=True) | Q(filing_days_ahead__gte=0)),
            models.CheckConstraint(name="class_returned_filing_has_reason",
                                   condition=~Q(filing_status=FilingStatus.RETURNED) | ~Q(filing_reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_locked(self) -> bool:
        return self.closed_at is not None

    @property
    def filing_accepted(self) -> bool:
        return self.filing_status == FilingStatus.ACCEPTED

    @property
    def filing_editable(self) -> bool:
        """The institution may (re)file: never filed, or returned for changes."""
        return self.filing_status in (FilingStatus.UNFILED, FilingStatus.RETURNED) and not self.is_locked


class TrainingSession(TimeStampedModel):
    """One lesson of a class (课次)."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    teacher = models.ForeignKey(Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="sessions")
    topic = models.CharField(_("topic"), max_length=150)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = pgettext_lazy("training", "session")
        verbose_name_plural = pgettext_lazy("training", "sessions")
        constraints = [
            models.CheckConstraint(name="session_times_ordered", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="session_hours_positive", condition=Q(hours__gt=0)),
        ]
        indexes = [models.Index(fields=["teacher", "starts_at"]), models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.training_class.code} {local_minute(self.starts_at)} {self.topic}"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    WITHDRAWN = "withdrawn", _("withdrawn")
    COMPLETED = "completed", _("completed")
    NOT_COMPLETED = "not_completed", _("not completed")


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> EnrollmentQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(_project_scope_q(scope, "training_class__project__"))

    def completed(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.COMPLETED)


class Enrollment(TimeStampedModel):
    """Person × class, with the eligibility decision stored with its reasons."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="enrollments")
    training_class = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(_("status"), max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ENROLLED)
    subsidised = models.BooleanField(_("subsidised"), default=False)
    eligible = models.BooleanField(
        _("eligible for subsidy"), default=True,
        help_text=_("False flags a trainee who failed an eligibility rule and trains unsubsidised."),
    )
    eligibility = models.JSONField(_("eligibility decision"), default=list, help_text=_("The rules checked and their reasons."))
    eligibility_checked_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attendance_rate = models.DecimalField(_("attendance rate"), max_digits=4, decimal_places=3, default=Decimal("0"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True, db_index=True)

    objects = EnrollmentQuerySet.as_manager()

    TRANSITIONS = {
        (EnrollmentStatus.ENROLLED, EnrollmentStatus.WITHDRAWN),
        (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED),
        (EnrollmentStatus.ENROLLED, EnrollmentStatus.NOT_COMPLETED),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["person", "training_class"], name="enrollment_once_per_class"),
            models.CheckConstraint(
                name="enrollment_rate_range", condition=Q(attendance_rate__gte=0) & Q(attendance_rate__lte=1)
            ),
            models.CheckConstraint(
                name="enrollment_completed_has_date",
                condition=~Q(status=EnrollmentStatus.COMPLETED) | Q(completed_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.training_class.code}"


class CheckInMethod(models.TextChoices):
    FACE = "face", _("face recognition")
    QR = "qr", _("QR code")
    TEACHER = "teacher", _("teacher roll-call")


class Provenance(models.TextChoices):
    """How an attendance row came to be (issue 13): ``captured`` rows were checked by the system
    at the time (a rotating code scanned by the trainee's own phone inside the geofence, a face
    check scored by the configured provider, a row signed by a registered terminal); ``declared``
    rows were typed or uploaded by the institution (teacher roll-call, unsigned files)."""

    CAPTURED = "captured", _("captured by the system")
    DECLARED = "declared", _("declared by the institution")


class Terminal(TimeStampedModel):
    """An attendance device registered to an institution. Its HMAC key is issued by the system,
    shown once and kept only encrypted (core.crypto); rows it signs are ``captured``."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("institution"), on_delete=models.PROTECT,
                                     related_name="attendance_terminals")
    device_id = models.CharField(_("device"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_encrypted = models.TextField(editable=False)
    key_fingerprint = models.CharField(_("key fingerprint"), max_length=16, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_reason = models.CharField(_("revocation reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation_id", "device_id"]
        verbose_name = _("attendance terminal")
        verbose_name_plural = _("attendance terminals")
        constraints = [
            models.CheckConstraint(name="terminal_revocation_has_reason",
                                   condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason="")),
        ]

    def __str__(self) -> str:
        return self.device_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Attendance(models.Model):
    """A trainee's check-in/out for one session. ``person`` and ``training_class`` are
    denormalised from the enrollment so supervision scans (overlaps, shared devices)
    need no joins."""

    # ``person`` and ``training_class`` are copies of the enrollment's (for scans without joins):
    # they carry no database foreign key, because every FK check is a trigger per inserted row
    # and attendance arrives by the million; the importer and the actions take them from the
    # enrollment row itself, which keeps its real foreign keys (as does ``session``).
    # enrollment and person need no index of their own: the unique (enrollment, session) and the
    # (person, check_in_at) indexes lead with them (fewer indexes keep bulk imports fast).
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="attendances", db_index=False)
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False,
    )
    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False,
    )
    check_in_at = models.DateTimeField(_("check-in"))
    check_out_at = models.DateTimeField(_("check-out"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=CheckInMethod.choices)
    device_id = models.CharField(_("device"), max_length=64, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    face_score = models.DecimalField(_("face-check score"), max_digits=5, decimal_places=2, null=True, blank=True)
    photo_ref = models.CharField(_("photo reference"), max_length=200, blank=True)
    # Hours this check-in/out earns towards the attendance rate (rules.credited_hours): the share
    # of the session covered between check-in and check-out; 0 without a check-out.
    credited_hours = models.DecimalField(_("credited hours"), max_digits=4, decimal_places=1, default=Decimal("0"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Evidence (issue 13): captured by the system or declared by the institution; the terminal
    # whose signature made an uploaded row captured (no database FK, as for person/class).
    provenance = models.CharField(_("provenance"), max_length=10, choices=Provenance.choices,
                                  default=Provenance.DECLARED)
    terminal = models.ForeignKey(Terminal, verbose_name=_("terminal"), null=True, blank=True,
                                 on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False)
    # The partition key on PostgreSQL (jixing/training/partitions.py): the first day of the
    # session's month, filled from the session on every ORM insert (fields.SessionMonthField).
    session_month = SessionMonthField(_("month of the session"), editable=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        constraints = [
            # session_month is a function of the session, so this is as strict as (enrollment,
            # session); PostgreSQL needs the partition key in every unique constraint.
            models.UniqueConstraint(fields=["enrollment", "session", "session_month"],
                                    name="attendance_once_per_session"),
            models.CheckConstraint(
                name="attendance_out_after_in",
                condition=Q(check_out_at__isnull=True) | Q(check_out_at__gt=models.F("check_in_at")),
            ),
            models.CheckConstraint(
                name="attendance_lat_range", condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90))
            ),
            models.CheckConstraint(
                name="attendance_lon_range",
                condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
            ),
            models.CheckConstraint(name="attendance_credited_not_negative", condition=Q(credited_hours__gte=0)),
        ]
        indexes = [
            # Covering (PostgreSQL): supervision R01 walks every person's check-ins in order from
            # this index alone, without a sort or heap reads; the (person, check_in_at) prefix
            # serves the overlap lookups.
            models.Index(fields=["person", "check_in_at", "id"], include=["check_out_at", "session"],
                         name="attendance_person_time"),
            models.Index(fields=["device_id", "check_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.session_id}/{self.person_id} {self.check_in_at:%Y-%m-%d %H:%M}"


class SpotCheckDraw(models.Model):
    """One week's reproducible random sample of a county's running classes (抽查): the seed and
    the selection are stored, so anyone can redraw it and get the same classes."""

    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    week = models.DateField(_("week (Monday)"))
    rate = models.DecimalField(_("sampling rate"), max_digits=4, decimal_places=3)
    seed = models.CharField(_("seed"), max_length=80)
    candidates = models.JSONField(_("running classes"), default=list)
    selected = models.JSONField(_("selected classes"), default=list)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        ordering = ["-week", "county_id"]
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")
        constraints = [
            models.UniqueConstraint(fields=["county", "week"], name="spot_check_draw_once_per_county_week"),
            models.CheckConstraint(name="spot_check_draw_rate_range", condition=Q(rate__gt=0) & Q(rate__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.week}"


class SpotCheckResult(models.TextChoices):
    CLEAN = "clean", _("clean: attendance as recorded")
    DISCREPANCY = "discrepancy", _("discrepancy")


class SpotCheckQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> SpotCheckQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id:
            return self.filter(within_region("county", scope.region_prefix))
        return self.none()


class SpotCheck(TimeStampedModel):
    """A county officer's unannounced visit to a sampled class: who was there against what the
    institution recorded for the session at the time."""

    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.PROTECT, related_name="checks")
    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"), on_delete=models.PROTECT,
                                       related_name="spot_checks")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="assigned_spot_checks")
    session = models.ForeignKey(TrainingSession, verbose_name=pgettext_lazy("training", "session"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="spot_checks")
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    present_count = models.PositiveIntegerField(_("trainees present"), null=True, blank=True)
    recorded_count = models.PositiveIntegerField(_("trainees recorded"), null=True, blank=True)
    result = models.CharField(pgettext_lazy("spot check", "result"), max_length=12, choices=SpotCheckResult.choices,
                              blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = SpotCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.UniqueConstraint(fields=["draw", "training_class"], name="spot_check_once_per_draw_class"),
            models.CheckConstraint(
                name="spot_check_visit_complete",
                condition=Q(visited_at__isnull=True, result="") | (
                    Q(visited_at__isnull=False, session__isnull=False, present_count__isnull=False,
                      recorded_count__isnull=False) & ~Q(result="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id} {self.draw.week}"

    @property
    def is_visited(self) -> bool:
        return self.visited_at is not None


def spot_check_photo_path(instance: SpotCheckPhoto, filename: str) -> str:
    return f"spot_checks/{instance.spot_check_id}/{instance.sha256[:16]}{filename[filename.rfind('.'):][:6]}"


class SpotCheckPhoto(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("photo"), upload_to=spot_check_photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("spot-check photo")
        verbose_name_plural = _("spot-check photos")

    def __str__(self) -> str:
        return self.sha256[:12]


def persons_reached_through_training(scope: Scope) -> Q:
    """PERSON_SCOPE_EXTENSIONS entry: an institution sees the persons enrolled in its classes
    (and its teachers); a sector officer sees those in its actions' projects."""
    if scope.organisation_id:
        org = scope.organisation_id
        enrolled = Enrollment.objects.filter(
            Q(training_class__project__organiser_id=org) | Q(training_class__project__partner_id=org)
        ).values("person_id")
        teachers = Teacher.objects.filter(organisation_id=org).values("person_id")
        return Q(pk__in=enrolled) | Q(pk__in=teachers)
    if scope.department_id:
        return Q(pk__in=Enrollment.objects.filter(_project_scope_q(scope, "training_class__project__")).values("person_id"))
    return Q(pk__in=[])


class ClassStartReminder(models.Model):
    """The day-before reminder of a class (trainees and the institution are told the class starts
    tomorrow): one row per class and start date, so the scheduled job never tells twice, and a
    class moved to another date is reminded again for the new one."""

    training_class = models.ForeignKey(TrainingClass, verbose_name=_("class"), on_delete=models.CASCADE,
                                       related_name="start_reminders")
    start_date = models.DateField(_("start date"))
    trainees = models.PositiveIntegerField(_("trainees told"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("class start reminder")
        verbose_name_plural = _("class start reminders")
        constraints = [
            models.UniqueConstraint(fields=["training_class", "start_date"], name="class_start_reminder_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id} {self.start_date}"


# 揭榜领题 and quality decisions live in their own modules; imported here so Django sees them.
from .quality import ProjectQualityDecision  # noqa: E402,F401
from .topics import (  # noqa: E402,F401
    ExpertReview,
    KeyMilestone,
    ReviewScore,
    ScoringCriterion,
    Topic,
    TopicApplication,
    TopicList,
)
