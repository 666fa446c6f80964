"""Employment service and outcomes: job demands (岗位需求), referrals, placements, social-insurance
contribution records, and skill-linked pay reports.

Policy: seed 二(四) (培训就业联动: 岗位需求+技能培训+技能评价+就业服务), 二(三) (岗位薪酬与岗位价值、
技能等级双挂钩; 合理确定技能岗位的起点薪酬), the aim "劳动者提技增收", and 鲁人社字〔2025〕37号 (a city
may raise the subsidy when a trainee finds a job within 6 months of 就业技能培训 and proves it).

Outcomes are measured from administrative data (social-insurance contribution records),
not only from what institutions report; see ``rules.py`` and ``docs/outcomes.md``.

Scope (every list, detail and API call):
- job demands: officers their region subtree (by the post's county); organisations their own
  demands plus every open one; trainees open ones;
- referrals: officers by the demand's county; the employer its demands' referrals; the
  referring organisation its own referrals; a trainee their own;
- placements: officers by the place of work's county or the person's current region; the
  employer its own placements; a training organisation the placements it reported or of
  persons it trained; a trainee their own;
- contributions and held rows: officers only (contributions also to the person themself);
- sector officers (one department's actions): demands a project of their actions serves,
  referrals and placements after training in their actions, no pay reports or contributions.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import code_within, scope_for, scope_q
from jixing.core.actor import Viewer
from jixing.core.fields import EncryptedTextField
from jixing.core.masking import mask_id_number
from jixing.core.models import TimeStampedModel
from jixing.demand.models import JobDemand, JobDemandQuerySet, JobDemandStatus

# JobDemand lives in ``jixing.demand`` (below training, STYLE.md habit 13); named here too so
# callers of ``employment.models`` keep working.
__all__ = ["JobDemand", "JobDemandQuerySet", "JobDemandStatus"]

# The action a referral or placement belongs to: that of the training it followed (the
# department rule, jixing.core.access.scope_q).
TRAINED_IN_ACTION = "enrollment__training_class__project__action"


# ------------------------------------------------------------------ referrals


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", pgettext_lazy("referral status", "referred")
    INTERVIEWED = "interviewed", pgettext_lazy("referral status", "interviewed")
    HIRED = "hired", pgettext_lazy("referral status", "hired")
    DECLINED = "declined", pgettext_lazy("referral status", "declined")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> ReferralQuerySet:
        return self.filter(scope_q(
            scope_for(user), region=("demand__county",), organisation=("demand__employer", "referring_organisation"),
            person=("person",), action=TRAINED_IN_ACTION,
        ))


class Referral(TimeStampedModel):
    """岗位推荐: a completed trainee put forward for a job demand, with why they match."""

    demand = models.ForeignKey(JobDemand, verbose_name=_("job demand"), on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="referrals")
    enrollment = models.ForeignKey(
        "training.Enrollment", verbose_name=_("training completed"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="referrals",
    )
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referring_organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("referring organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="referrals_made",
    )
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    match_score = models.PositiveSmallIntegerField(_("match score"), default=0)
    match_reasons = models.JSONField(_("why this person matches"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    interviewed_on = models.DateField(_("interviewed on"), null=True, blank=True)
    result_note = models.CharField(_("result note"), max_length=300, blank=True)

    objects = ReferralQuerySet.as_manager()

    TRANSITIONS = {
        (ReferralStatus.REFERRED, ReferralStatus.INTERVIEWED),
        (ReferralStatus.REFERRED, ReferralStatus.DECLINED),
        (ReferralStatus.INTERVIEWED, ReferralStatus.HIRED),
        (ReferralStatus.INTERVIEWED, ReferralStatus.DECLINED),
    }

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["demand", "person"], name="referral_once_per_demand"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.demand.title}"


# ------------------------------------------------------------------ placements


class PlacementKind(models.TextChoices):
    EMPLOYED = "employed", pgettext_lazy("placement kind", "employed")
    FLEXIBLE = "flexible", pgettext_lazy("placement kind", "flexible employment")
    STARTUP = "startup", pgettext_lazy("placement kind", "business start-up")


class PlacementSource(models.TextChoices):
    ENTERPRISE = "enterprise", pgettext_lazy("placement source", "enterprise confirmation")
    INSTITUTION = "institution", pgettext_lazy("placement source", "institution report")
    INSURANCE = "insurance", pgettext_lazy("placement source", "social-insurance record")
    SELF_REPORT = "self_report", pgettext_lazy("placement source", "self-report with evidence")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", pgettext_lazy("verification status", "unverified")
    VERIFIED = "verified", pgettext_lazy("verification status", "verified")
    REJECTED = "rejected", pgettext_lazy("verification status", "rejected")


class PlacementQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> PlacementQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            org = scope.organisation_id
            from jixing.training.models import Enrollment

            trained = Enrollment.objects.filter(person_id=OuterRef("person_id")).filter(
                Q(training_class__project__organiser_id=org) | Q(training_class__project__partner_id=org)
            )
            return self.filter(Q(employer_id=org) | Q(reporting_organisation_id=org) | Exists(trained))
        return self.filter(scope_q(
            scope, region=("county", "person__current_region"), person=("person",), action=TRAINED_IN_ACTION,
        ))

    def verified(self) -> PlacementQuerySet:
        return self.filter(status=VerificationStatus.VERIFIED)


class Placement(TimeStampedModel):
    """就业安置: a person in work after training, with where the fact came from and whether it
    has been verified (by an officer, or automatically by contribution records)."""

    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="placements")
    enrollment = models.ForeignKey(
        "training.Enrollment", verbose_name=_("after training"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="placements",
    )
    referral = models.OneToOneField(
        Referral, verbose_name=_("referral"), null=True, blank=True, on_delete=models.PROTECT, related_name="placement"
    )
    kind = models.CharField(pgettext_lazy("placement", "kind"), max_length=12, choices=PlacementKind.choices)
    employer = models.ForeignKey(
        "registry.Organisation", verbose_name=_("employer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="placements",
    )
    employer_uscc = models.CharField(
        _("employer's unified social credit code"), max_length=18, blank=True, db_index=True,
        help_text=_("Kept even when the employer is not in the registry; linked when it appears."),
    )
    employer_name = models.CharField(_("employer name"), max_length=120, blank=True)
    business_licence_uscc = models.CharField(
        _("business licence credit code"), max_length=18, blank=True,
        help_text=_("For a business start-up: the unified social credit code on the new business licence."),
    )
    county = models.ForeignKey(
        "registry.Region", verbose_name=_("place of work (county)"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    start_date = models.DateField(pgettext_lazy("placement", "start date"))
    end_date = models.DateField(pgettext_lazy("placement", "end date"), null=True, blank=True)
    monthly_wage = models.DecimalField(_("monthly wage (yuan)"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=12, choices=PlacementSource.choices)
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("Labour contract, licence, payslip reference …"))
    status = models.CharField(
        _("verification"), max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.CharField(_("verification note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty when derived from contribution records."),
    )
    reporting_organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("reporting organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="placements_reported",
    )

    objects = PlacementQuerySet.as_manager()

    TRANSITIONS = {
        (VerificationStatus.UNVERIFIED, VerificationStatus.VERIFIED),
        (VerificationStatus.UNVERIFIED, VerificationStatus.REJECTED),
        (VerificationStatus.REJECTED, VerificationStatus.UNVERIFIED),  # resubmitted with new evidence
    }

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(name="placement_wage_not_negative", condition=Q(monthly_wage__gte=0)),
            models.CheckConstraint(
                name="placement_dates_ordered", condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date"))
            ),
            models.CheckConstraint(
                name="placement_startup_has_licence", condition=~Q(kind="startup") | ~Q(business_licence_uscc="")
            ),
            models.CheckConstraint(
                name="placement_employed_has_employer", condition=~Q(kind="employed") | ~Q(employer_uscc="")
            ),
            models.CheckConstraint(
                name="placement_self_report_has_evidence", condition=~Q(source="self_report") | ~Q(evidence="")
            ),
            models.UniqueConstraint(
                fields=["person", "employer_uscc", "start_date"], condition=~Q(employer_uscc=""),
                name="placement_once_per_employer_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.employer_name or self.get_kind_display()} · {self.start_date}"

    @property
    def employer_label(self) -> str:
        if self.employer_id:
            return str(self.employer)
        return self.employer_name or self.employer_uscc or str(self.get_kind_display())


# ------------------------------------------------------------------ social insurance


class HeldContributionQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> HeldContributionQuerySet:
        """A held row has no person yet, so no region of its own: it belongs to the region where
        the employer was registered, which the unified social credit code carries in its 3rd–8th
        characters (GB 32100-2015)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id:
            return self.alias(registered_in=Substr("employer_uscc", 3, 6)).filter(
                code_within("registered_in", scope.region_prefix))
        return self.none()


class PersonInsuranceQuerySet(models.QuerySet):
    """Insurance facts about a person: HRSS officers of the region the person lives in or comes
    from, and the person themself."""

    def visible_to(self, user: Viewer) -> Self:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("person__current_region") | scope.region_q("person__household_region"))
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.none()


class InsuranceContributionQuerySet(PersonInsuranceQuerySet):
    pass


class InsuranceType(models.TextChoices):
    """The insurance (险种) a contribution row is for. Only 失业保险 counts towards 技能提升补贴
    (funded by the unemployment-insurance fund); every kind evidences employment."""

    UNEMPLOYMENT = "unemployment", _("unemployment insurance (失业保险)")
    PENSION = "pension", _("pension insurance (养老保险)")
    WORK_INJURY = "work_injury", _("work-injury insurance (工伤保险)")
    MEDICAL = "medical", _("medical insurance (医疗保险)")
    MATERNITY = "maternity", _("maternity insurance (生育保险)")
    # Rows imported before files carried 险种: never counted as unemployment insurance.
    UNSPECIFIED = "unspecified", _("insurance type not recorded")


class InsuranceContribution(models.Model):
    """One month of social-insurance contributions of a person by one employer (缴费记录).

    The contribution base (缴费基数) is the wage proxy. Natural key person × employer × month ×
    insurance type (a re-import creates nothing; a changed base updates the row). ``insured_city``
    is the 4-digit city code of the collecting agency (参保地).
    """

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="contributions")
    employer_uscc = models.CharField(_("employer's unified social credit code"), max_length=18)
    employer = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("contribution month"), help_text=_("First day of the month."))
    base = models.DecimalField(_("contribution base (yuan)"), max_digits=10, decimal_places=2)
    insurance_type = models.CharField(_("insurance type"), max_length=20, choices=InsuranceType.choices,
                                      default=InsuranceType.UNSPECIFIED)
    insured_city = models.CharField(_("insured city (参保地)"), max_length=4, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InsuranceContributionQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "month"]
        verbose_name = _("social-insurance contribution")
        verbose_name_plural = _("social-insurance contributions")
        constraints = [
            models.UniqueConstraint(fields=["person", "employer_uscc", "month", "insurance_type"],
                                    name="contribution_once_per_month_and_type"),
            models.CheckConstraint(name="contribution_base_positive", condition=Q(base__gt=0)),
        ]
        indexes = [models.Index(fields=["employer_uscc", "month"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.employer_uscc} {self.month:%Y-%m} {self.base}"


class HeldContribution(models.Model):
    """A contribution row whose ID number matches no registered person yet (待匹配).

    Kept aside, never dropped: the number is stored encrypted with a keyed hash (the same
    blind index as ``Person.id_number_hash``), and ``rematch_held_contributions`` moves the
    rows over once the person is registered.
    """

    id_number = EncryptedTextField(_("ID number"), purpose="id_number", blank=True, default="")
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    employer_uscc = models.CharField(_("employer's unified social credit code"), max_length=18)
    month = models.DateField(_("contribution month"))
    base = models.DecimalField(_("contribution base (yuan)"), max_digits=10, decimal_places=2)
    insurance_type = models.CharField(_("insurance type"), max_length=20, choices=InsuranceType.choices,
                                      default=InsuranceType.UNSPECIFIED)
    insured_city = models.CharField(_("insured city (参保地)"), max_length=4, blank=True, default="")
    matched_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HeldContributionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("held contribution (person not registered)")
        verbose_name_plural = _("held contributions (persons not registered)")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash", "employer_uscc", "month", "insurance_type"],
                                    name="held_contribution_once_per_type"),
            models.CheckConstraint(name="held_contribution_base_positive", condition=Q(base__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{mask_id_number(self.id_number)} {self.employer_uscc} {self.month:%Y-%m}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class UnemploymentBenefitPeriodQuerySet(PersonInsuranceQuerySet):
    pass


class UnemploymentBenefitPeriod(models.Model):
    """A period in which a person drew unemployment benefit (领取失业保险金), from the agency of
    ``city`` (4-digit city code). Natural key person × start date."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="benefit_periods")
    starts_on = models.DateField(_("benefit from"))
    ends_on = models.DateField(_("benefit until"))
    city = models.CharField(_("paying city (参保地)"), max_length=4)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UnemploymentBenefitPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "starts_on"]
        verbose_name = _("unemployment-benefit period")
        verbose_name_plural = _("unemployment-benefit periods")
        constraints = [
            models.UniqueConstraint(fields=["person", "starts_on"], name="benefit_period_once"),
            models.CheckConstraint(name="benefit_period_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.starts_on}–{self.ends_on} {self.city}"


class HeldBenefitPeriodQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> HeldBenefitPeriodQuerySet:
        """A held period has no person yet: it belongs to the paying city (参保地). HRSS officers
        of the province or of that city see it; a county officer does not (a held row is an ID
        number of someone who may live anywhere in the city)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id and len(scope.region_prefix) <= 4:
            return self.filter(code_within("city", scope.region_prefix))
        return self.none()


class HeldBenefitPeriod(models.Model):
    """A benefit period whose ID number matches no registered person yet (待匹配), kept aside like
    ``HeldContribution``: the number encrypted, found through the keyed hash; attached to the
    person (``UnemploymentBenefitPeriod``) when they are registered or on the next re-match."""

    id_number = EncryptedTextField(_("ID number"), purpose="id_number", blank=True, default="")
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    starts_on = models.DateField(_("benefit from"))
    ends_on = models.DateField(_("benefit until"))
    city = models.CharField(_("paying city (参保地)"), max_length=4)
    matched_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HeldBenefitPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("held benefit period (person not registered)")
        verbose_name_plural = _("held benefit periods (persons not registered)")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash", "starts_on"], name="held_benefit_period_once"),
            models.CheckConstraint(name="held_benefit_period_ends_after_start",
                                   condition=Q(ends_on__gte=models.F("starts_on"))),
            # matched: the number is dropped and the person set, together
            models.CheckConstraint(
                name="held_benefit_period_match_complete",
                condition=(Q(matched_person__isnull=True) & Q(matched_at__isnull=True))
                | (Q(matched_person__isnull=False) & Q(matched_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_id_number(self.id_number)} {self.starts_on}–{self.ends_on} {self.city}"


# ------------------------------------------------------------------ skill-linked pay


class SkillPayReportQuerySet(models.QuerySet):
    def visible_to(self, user: Viewer) -> SkillPayReportQuerySet:
        # No action reaches an enterprise's pay report: sector officers see none.
        return self.filter(scope_q(scope_for(user), region=("enterprise__county",), organisation=("enterprise",)))


class SkillPayReport(TimeStampedModel):
    """An enterprise's yearly pay for one skill level of its skilled posts (seed 二(三):
    岗位薪酬与岗位价值、技能等级双挂钩; 合理确定技能岗位的起点薪酬)."""

    enterprise = models.ForeignKey(
        "registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="skill_pay_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), on_delete=models.PROTECT)
    workers = models.PositiveIntegerField(_("workers at this level"))
    average_monthly_pay = models.DecimalField(_("average monthly pay (yuan)"), max_digits=10, decimal_places=2)
    starting_monthly_pay = models.DecimalField(
        _("starting monthly pay of the skilled post (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SkillPayReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise_id", "level_id"]
        verbose_name = _("skill pay report")
        verbose_name_plural = _("skill pay reports")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "level"], name="skill_pay_once_per_level_year"),
            models.CheckConstraint(name="skill_pay_average_not_negative", condition=Q(average_monthly_pay__gte=0)),
            models.CheckConstraint(
                name="skill_pay_starting_not_negative",
                condition=Q(starting_monthly_pay__isnull=True) | Q(starting_monthly_pay__gte=0),
            ),
            models.CheckConstraint(name="skill_pay_year_range", condition=Q(year__gte=2000) & Q(year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {self.level}"
