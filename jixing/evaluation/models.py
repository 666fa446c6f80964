"""Skill evaluation on the new eight-level ladder (seed 二(二)): filings (备案), evaluation
sessions (批次), candidates, results (locked once reviewed; corrections are new versions),
certificates (verifiable by number and name) and direct recognition (破格直接认定).

Scope: HRSS officers see the filings/sessions/certificates of organisations in their region
subtree; evaluation-institution and enterprise staff see their own organisation's; trainees
their own certificates; training institutions the certificates of persons they trained.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import Scope, scope_for, within_region
from jixing.core.actor import Viewer
from jixing.core.fields import EncryptedTextField
from jixing.core.masking import mask_id_number
from jixing.core.models import TimeStampedModel

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class FilingKind(models.TextChoices):
    EVALUATION_INSTITUTION = "evaluation_institution", _("social evaluation institution (社会培训评价组织)")
    ENTERPRISE = "enterprise", _("enterprise self-evaluation (企业自主评价)")
    TRAINING_EVALUATION = "training_evaluation", _("training-evaluation organisation (培训评价组织)")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", pgettext_lazy("filing status", "approved")
    REJECTED = "rejected", pgettext_lazy("filing status", "rejected")
    SUSPENDED = "suspended", pgettext_lazy("filing status", "suspended")
    REVOKED = "revoked", pgettext_lazy("filing status", "revoked")


class EvaluationMode(models.TextChoices):
    SOCIAL = "social", _("social evaluation (社会化评价)")
    ENTERPRISE = "enterprise", _("enterprise self-evaluation (企业自主评价)")
    DIRECT = "direct", _("direct recognition (直接认定)")


def _org_scope_q(scope: Scope, org_field: str) -> Q:
    """Q over a model reaching the evaluating organisation through ``org_field``."""
    if scope.everything:
        return Q()
    if scope.organisation_id:
        return Q(**{f"{org_field}_id": scope.organisation_id})
    if scope.region_prefix and not scope.department_id:
        return within_region(f"{org_field}__county", scope.region_prefix)
    return Q(pk__in=[])


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> FilingQuerySet:
        return self.filter(_org_scope_q(scope_for(user), "organisation"))

    def approved(self) -> FilingQuerySet:
        return self.filter(status=FilingStatus.APPROVED)


class EvaluationFiling(TimeStampedModel):
    """A filing (备案) of an organisation's evaluation scope, validity and examiners.

    The code is assigned on approval; a suspended or revoked filing may start no session.
    """

    code = models.CharField(_("filing code"), max_length=30, blank=True, default="")
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="evaluation_filings"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FilingKind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    examiners = models.ManyToManyField(
        "registry.Person", verbose_name=_("examiners"), related_name="examiner_filings", blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = FilingQuerySet.as_manager()

    TRANSITIONS = {
        (FilingStatus.SUBMITTED, FilingStatus.APPROVED),
        (FilingStatus.SUBMITTED, FilingStatus.REJECTED),
        (FilingStatus.APPROVED, FilingStatus.SUSPENDED),
        (FilingStatus.SUSPENDED, FilingStatus.APPROVED),
        (FilingStatus.APPROVED, FilingStatus.REVOKED),
        (FilingStatus.SUSPENDED, FilingStatus.REVOKED),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evaluation filing")
        verbose_name_plural = _("evaluation filings")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="filing_code_unique_when_set"),
            models.CheckConstraint(name="filing_validity_ordered", condition=Q(valid_to__gte=models.F("valid_from"))),
            models.CheckConstraint(
                name="filing_maker_not_checker",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or _('(pending)')} {self.organisation}"


class FilingScope(models.Model):
    """One occupation × level the filing covers."""

    filing = models.ForeignKey(EvaluationFiling, on_delete=models.PROTECT, related_name="scopes")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("filing scope")
        verbose_name_plural = _("filing scopes")
        constraints = [
            models.UniqueConstraint(fields=["filing", "occupation", "level"], name="filing_scope_once"),
        ]

    def __str__(self) -> str:
        return f"{self.occupation} {self.level}"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    SUBMITTED = "submitted", _("results submitted")
    RETURNED = "returned", _("returned for correction")
    LOCKED = "locked", _("reviewed and locked")
    CANCELLED = "cancelled", _("cancelled")


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> SessionQuerySet:
        return self.filter(_org_scope_q(scope_for(user), "filing__organisation"))


class EvaluationSession(TimeStampedModel):
    """An evaluation batch (批次) under a filing: one occupation × level on one date."""

    code = models.CharField(_("session code"), max_length=40, unique=True)
    filing = models.ForeignKey(EvaluationFiling, verbose_name=_("filing"), on_delete=models.PROTECT, related_name="sessions")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT)
    mode = models.CharField(_("mode"), max_length=20, choices=EvaluationMode.choices)
    date = models.DateField(_("evaluation date"))
    site = models.CharField(_("site"), max_length=200)
    examiners = models.ManyToManyField(
        "registry.Person", verbose_name=_("examiners"), related_name="examined_sessions", blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    TRANSITIONS = {
        (SessionStatus.PLANNED, SessionStatus.SUBMITTED),
        (SessionStatus.RETURNED, SessionStatus.SUBMITTED),
        (SessionStatus.SUBMITTED, SessionStatus.RETURNED),
        (SessionStatus.SUBMITTED, SessionStatus.LOCKED),
        (SessionStatus.PLANNED, SessionStatus.CANCELLED),
    }

    class Meta:
        ordering = ["-date", "code"]
        verbose_name = _("evaluation session")
        verbose_name_plural = _("evaluation sessions")
        constraints = [
            models.CheckConstraint(
                name="session_reviewer_not_submitter",
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("submitted_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.occupation} {self.level}"

    @property
    def is_editable(self) -> bool:
        return self.status in {SessionStatus.PLANNED, SessionStatus.RETURNED}


class CandidateSource(models.TextChoices):
    ENROLLMENT = "enrollment", _("completed training")
    APPLICATION = "application", _("direct application")


class EmploymentBasis(models.TextChoices):
    """How an enterprise's evaluation or direct recognition knows the person is its employee
    (issue 16): the social-insurance records, or a roster the enterprise uploaded because it is
    not yet in the records (marked as such)."""

    NOT_CHECKED = "", _("not checked (social evaluation)")
    INSURANCE = "insurance", _("insurance records")
    ROSTER = "roster", _("uploaded roster (enterprise not yet in the insurance records)")


class EnterpriseRosterEntry(TimeStampedModel):
    """One employee on the roster an enterprise uploaded because its contributions are not in
    the insurance records yet; used only while the records cannot tell."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                     related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    source_sha256 = models.CharField(_("file checksum"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("enterprise roster entry")
        verbose_name_plural = _("enterprise roster entries")
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="roster_entry_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.person_id}"


class CandidateQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> CandidateQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(_org_scope_q(scope, "session__filing__organisation"))


class Candidate(TimeStampedModel):
    """A person sitting a session, from a completed enrollment or a direct application;
    the condition check (申报条件) is stored with its reasons."""

    session = models.ForeignKey(EvaluationSession, on_delete=models.PROTECT, related_name="candidates")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="evaluation_candidacies")
    enrollment = models.ForeignKey(
        "training.Enrollment", verbose_name=_("enrollment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evaluation_candidacies",
    )
    source = models.CharField(_("source"), max_length=20, choices=CandidateSource.choices)
    years_of_work = models.PositiveSmallIntegerField(_("years of related work"), default=0)
    conditions = models.JSONField(_("application conditions checked"), default=list)
    employment_basis = models.CharField(_("employment checked against"), max_length=10, blank=True, default="",
                                        choices=EmploymentBasis.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="candidate_once_per_session"),
            models.CheckConstraint(
                name="candidate_enrollment_source",
                condition=(Q(source="enrollment") & Q(enrollment__isnull=False))
                | (Q(source="application") & Q(enrollment__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.session.code}"


class PassRule(models.Model):
    """Pass marks per occupation × level; blank occupation/level means "any". The most
    specific rule wins; without any rule the default is 60 in theory and practical."""

    occupation = models.ForeignKey(
        "registry.Occupation", verbose_name=_("occupation"), null=True, blank=True, on_delete=models.PROTECT
    )
    level = models.ForeignKey(
        "registry.SkillLevel", verbose_name=_("skill level"), null=True, blank=True, on_delete=models.PROTECT
    )
    theory_min = models.DecimalField(_("theory pass mark"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=SCORE_VALIDATORS)
    practical_min = models.DecimalField(_("practical pass mark"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=SCORE_VALIDATORS)
    comprehensive_min = models.DecimalField(
        _("comprehensive pass mark"), max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS,
        help_text=_("Blank: no comprehensive review (综合评审) for this occupation and level."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("pass rule")
        verbose_name_plural = _("pass rules")
        constraints = [
            # one rule per occupation × level, blanks ("any") included: NULLs are coalesced to 0
            # (no occupation or level has pk 0) so this holds on SQLite too
            models.UniqueConstraint(
                Coalesce("occupation", Value(0)), Coalesce("level", Value(0)), name="pass_rule_once",
            ),
            models.CheckConstraint(
                name="pass_rule_marks_range",
                condition=Q(theory_min__gte=0, theory_min__lte=100, practical_min__gte=0, practical_min__lte=100)
                & (Q(comprehensive_min__isnull=True) | Q(comprehensive_min__gte=0, comprehensive_min__lte=100)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occupation or '*'} / {self.level or '*'}"


class ResultStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    LOCKED = "locked", _("locked")
    REJECTED = "rejected", _("correction rejected")


class ResultQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> ResultQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(candidate__person_id=scope.person_id)
        return self.filter(_org_scope_q(scope, "candidate__session__filing__organisation"))

    def locked(self) -> ResultQuerySet:
        return self.filter(status=ResultStatus.LOCKED)


class EvaluationResult(TimeStampedModel):
    """Scores of one candidate. Once locked a row never changes: a correction is a new row
    with ``version`` + 1 that ``supersedes`` the current locked one, with its own reason and
    its own review (locked, or rejected and kept for the record). The current result is the
    highest locked version (queries.current_locked_results)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="results", verbose_name=_("candidate"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("supersedes"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_reason = models.CharField(_("correction reason"), max_length=300, blank=True)
    theory_score = models.DecimalField(_("theory score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    practical_score = models.DecimalField(_("practical score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    comprehensive_score = models.DecimalField(
        _("comprehensive score"), max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    passed = models.BooleanField(_("passed"), default=False)
    pass_reasons = models.JSONField(_("pass decision"), default=list)
    examiner = models.ForeignKey("registry.Person", verbose_name=_("examiner"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=ResultStatus.choices, default=ResultStatus.DRAFT)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["candidate_id", "version"]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "version"], name="result_version_once"),
            # at most one result of a candidate is open (being entered or reviewed) at a time
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(status__in=["draft", "submitted"]), name="result_one_open_per_candidate"
            ),
            models.CheckConstraint(
                name="result_scores_range",
                condition=Q(theory_score__gte=0, theory_score__lte=100, practical_score__gte=0, practical_score__lte=100)
                & (Q(comprehensive_score__isnull=True) | Q(comprehensive_score__gte=0, comprehensive_score__lte=100)),
            ),
            models.CheckConstraint(
                name="result_reviewer_not_maker",
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("entered_by")),
            ),
            models.CheckConstraint(
                name="result_locked_is_reviewed",
                condition=~Q(status="locked") | (Q(reviewed_by__isnull=False) & Q(locked_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="result_correction_has_reason",
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == ResultStatus.LOCKED


class RecognitionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", pgettext_lazy("recognition status", "approved")
    REJECTED = "rejected", pgettext_lazy("recognition status", "rejected")


class RecognitionQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> RecognitionQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(_org_scope_q(scope, "organisation"))


class DirectRecognition(TimeStampedModel):
    """破格直接认定: an enterprise proposes a front-line worker of outstanding skill and
    achievement; an HRSS officer approves (issuing a certificate) or rejects, with reasons.
    Seed 二(二): "对技艺高超、业绩突出的一线职工可打破学历、资历、年龄、比例等限制，直接认定"."""

    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("proposing enterprise"), on_delete=models.PROTECT, related_name="direct_recognitions"
    )
    person = models.ForeignKey("registry.Person", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="direct_recognitions")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT)
    achievements = models.TextField(_("achievements"))
    evidence = models.TextField(_("evidence"), help_text=_("Awards, patents, competition results, output records …"))
    employment_basis = models.CharField(_("employment checked against"), max_length=10, blank=True, default="",
                                        choices=EmploymentBasis.choices)
    status = models.CharField(_("status"), max_length=20, choices=RecognitionStatus.choices, default=RecognitionStatus.PROPOSED)
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RecognitionQuerySet.as_manager()

    TRANSITIONS = {
        (RecognitionStatus.PROPOSED, RecognitionStatus.APPROVED),
        (RecognitionStatus.PROPOSED, RecognitionStatus.REJECTED),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("direct recognition")
        verbose_name_plural = _("direct recognitions")
        constraints = [
            models.CheckConstraint(
                name="recognition_maker_not_checker",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
            ),
            models.CheckConstraint(
                name="recognition_decision_has_reason",
                condition=Q(status="proposed") | ~Q(decision_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.occupation} {self.level}"


# The three rungs of the new eight-level ladder that carry no 职业技能等级证书 (SkillLevel.order):
# 学徒工 below 初级工, 特级技师 and 首席技师 above 高级技师 (中办发〔2022〕58号 (十一)). An
# enterprise records them for its employees as appointments (评聘); see docs/evaluation_ladder.md.
APPOINTED_LEVELS = (1, 7, 8)


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> AppointmentQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(_org_scope_q(scope, "organisation"))

    def active(self) -> AppointmentQuerySet:
        return self.filter(ended_on__isnull=True)


class LevelAppointment(TimeStampedModel):
    """A person's 学徒工, 特级技师 or 首席技师 level, recorded by the employing enterprise."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                     related_name="+")
    person = models.ForeignKey("registry.Person", verbose_name=_("worker"), on_delete=models.PROTECT,
                               related_name="level_appointments")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT,
                              related_name="+")
    appointed_on = models.DateField(_("appointed on"))
    basis = models.TextField(_("basis"), help_text=_("The enterprise's decision and the evidence (evaluation, contract …)."))
    employment_basis = models.CharField(_("employment checked against"), max_length=10,
                                        choices=EmploymentBasis.choices[1:])
    conditions = models.JSONField(_("conditions checked"), default=list)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-appointed_on", "id"]
        verbose_name = _("ladder appointment")
        verbose_name_plural = _("ladder appointments")
        constraints = [
            models.CheckConstraint(name="appointment_level_without_certificate", condition=Q(level__in=APPOINTED_LEVELS)),
            models.CheckConstraint(name="appointment_employment_basis",
                                   condition=Q(employment_basis__in=["insurance", "roster"])),
            models.CheckConstraint(name="appointment_end_after_start",
                                   condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("appointed_on"))),
            models.UniqueConstraint(fields=["person", "occupation", "level"], condition=Q(ended_on__isnull=True),
                                    name="appointment_once_while_active"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.occupation} {self.level}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate status", "valid")
    REVOKED = "revoked", pgettext_lazy("certificate status", "revoked")


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> CertificateQuerySet:
        return self.filter(status=CertificateStatus.VALID)

    def visible_to(self, user: Viewer) -> CertificateQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        if scope.organisation_id:
            from jixing.training.models import Enrollment

            trained = Enrollment.objects.filter(person_id=OuterRef("person_id")).filter(
                Q(training_class__project__organiser_id=scope.organisation_id)
                | Q(training_class__project__partner_id=scope.organisation_id)
            )
            return self.filter(Q(issuer_id=scope.organisation_id) | Exists(trained))
        if scope.region_prefix and not scope.department_id:
            return self.filter(
                within_region("issuer__county", scope.region_prefix)
                | within_region("person__current_region", scope.region_prefix)
                | within_region("person__household_region", scope.region_prefix)
            )
        return self.none()


class Certificate(TimeStampedModel):
    """职业技能等级证书 (or, for direct recognition, the recognised level). See
    ``numbering.py`` for the number structure and its source."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    person = models.ForeignKey("registry.Person", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates")
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("mode"), max_length=20, choices=EvaluationMode.choices)
    issuer = models.ForeignKey(
        "registry.Organisation", verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="issued_certificates"
    )
    filing = models.ForeignKey(
        EvaluationFiling, verbose_name=_("filing"), null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    issued_on = models.DateField(_("issued on"))
    result = models.OneToOneField(
        EvaluationResult, verbose_name=_("result"), null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    recognition = models.OneToOneField(
        DirectRecognition, verbose_name=_("direct recognition"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="certificate",
    )
    status = models.CharField(_("status"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CertificateQuerySet.as_manager()

    TRANSITIONS = {(CertificateStatus.VALID, CertificateStatus.REVOKED)}

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=Q(status="valid") | ~Q(revoked_reason=""),
            ),
            models.CheckConstraint(
                name="certificate_has_origin",
                condition=Q(result__isnull=False) | Q(recognition__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["person", "occupation", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.person.name} {self.occupation} {self.level}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID


class CertificateCounter(models.Model):
    """Sequence per issuing filing (or recognising region) × year, locked with
    ``select_for_update`` while a number is drawn (see numbering.py)."""

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")

    def __str__(self) -> str:
        return f"{self.key}={self.last}"


class OutsideCertificate(TimeStampedModel):
    """A certificate issued by another filed evaluation body, as listed in the national
    certificate register extract (全国职业技能等级证书查询) an HRSS officer imports. A person may
    claim 技能提升补贴 on it when number, ID number, occupation and level all agree."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    name = models.CharField(_("holder's name"), max_length=50)
    id_number = EncryptedTextField(_("ID number"), purpose="id_number")
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("issued on"))
    evaluation_body = models.CharField(_("evaluation body"), max_length=120)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        verbose_name = _("outside certificate (national register)")
        verbose_name_plural = _("outside certificates (national register)")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


# The 数字技术工程师 ladder lives in its own module; imported here so Django sees its models.
from .engineer_models import (  # noqa: E402,F401
    DigitalField,
    EngineerCandidate,
    EngineerCertificate,
    EngineerSession,
)
