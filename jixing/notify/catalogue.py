"""The event table: for each domain event, who is told, through which channels, with which
message template (docs/notifications.md is this table in prose; a test keeps them in step).

Who: an ``Audience`` names a relation from the event's object to users — the staff of an
organisation, the person's own trainee account, the officers of the object's region at some
levels, or one user named on the object. Every candidate is then checked against the
object's own ``visible_to`` (receivers.py): no one hears of what they may not see.

Channels: in the system always (unless the person turned a kind off where the kind allows),
email and SMS as listed here and as the person's preferences and consent allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jixing.accounts.models import Role


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the system")
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")


class Kind(models.TextChoices):
    """What a person may switch channels for (preferences are per kind and channel)."""

    CLAIMS = "claims", _("subsidy claims")
    PAYMENTS = "payments", _("subsidy payments")
    PROJECTS = "projects", _("training projects and classes")
    EVALUATION = "evaluation", _("evaluation filings and certificates")
    SUPERVISION = "supervision", _("supervision findings and cases")
    RECOVERY = "recovery", _("recovery of subsidies")
    EMPLOYMENT = "employment", _("job referrals")
    DATA = "data", _("imports and exports")
    SYSTEM = "system", _("system operation and account security")


# Kinds whose in-system message cannot be switched off (a payment notice always reaches the
# person's message centre; a recovery order is a legal notice).
MANDATORY_IN_APP = frozenset({Kind.PAYMENTS, Kind.RECOVERY})

ORG_STAFF = frozenset({Role.INSTITUTION, Role.EVALUATOR})
HRSS = frozenset({Role.HRSS_OFFICER})
AUDITORS = frozenset({Role.AUDITOR})
FINANCE = frozenset({Role.FINANCE_OFFICER})
SECTOR = frozenset({Role.SECTOR_OFFICER})
ANY_LEVEL = frozenset({"county", "city", "province"})
COUNTY = frozenset({"county"})
CITY = frozenset({"city"})
COUNTY_CITY = frozenset({"county", "city"})


@dataclass(frozen=True)
class Audience:
    relation: str  # "organisation" | "person" | "officers" | "user" | "province" (province-level officers) | "role"
    path: str  # attribute path on the object: an organisation id, person id, region code or user id
    roles: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()  # officers only: region levels told
    label: str | Promise = ""
    # Only when the object's attribute at ``only[0]`` equals (True) or differs from (False) ``only[1]``.
    only: tuple[str, str, bool] | None = None

    def describe(self) -> str:
        return str(self.label)


def org(path: str, label: str | Promise) -> Audience:
    return Audience("organisation", path, ORG_STAFF, label=label)


def person(path: str) -> Audience:
    return Audience("person", path, frozenset({Role.TRAINEE}), label=_("the person (trainee account)"))


def officers(path: str, roles: frozenset[str], levels: frozenset[str], label: str | Promise,
             only: tuple[str, str, bool] | None = None) -> Audience:
    return Audience("officers", path, roles, levels, label=label, only=only)


# The trade union reviews the 求学圆梦 (education) claims, HRSS officers every other claim (as in
# funds.queries.review_queue): each hears only of the claims it reviews.
EDUCATION = ("subsidy_item", "education", True)
NOT_EDUCATION = ("subsidy_item", "education", False)


def reviewers(levels: frozenset[str], label: str | Promise) -> tuple[Audience, Audience]:
    return (officers("county_id", frozenset({Role.HRSS_OFFICER}), levels, label, only=NOT_EDUCATION),
            officers("county_id", frozenset({Role.UNION_OFFICER}), levels, label, only=EDUCATION))


def user(path: str, label: str | Promise) -> Audience:
    return Audience("user", path, label=label)


def province(roles: frozenset[str], label: str | Promise) -> Audience:
    return Audience("province", "", roles, frozenset({"province"}), label=label)


def everyone_with(roles: frozenset[str], label: str | Promise) -> Audience:
    """Every active user of the roles (auditors: their scope is everything; visible_to still decides)."""
    return Audience("role", "", roles, label=label)


@dataclass(frozen=True)
class EventSpec:
    name: str
    kind: str
    template: str  # MessageTemplate code (the carrier-registered SMS template and the email text)
    title: str | Promise  # the in-system line, formatted with the same parameters
    audiences: tuple[Audience, ...]
    channels: frozenset[str]
    url_name: str = ""  # reversed with the object's pk (or ``url_path`` below)
    url_path: str = "pk"
    published: bool = True  # False: in the table, but no action publishes it yet


ALL = frozenset(Channel.values)
IN_APP_EMAIL = frozenset({Channel.IN_APP, Channel.EMAIL})

CLAIMANT = (org("organisation_id", _("staff of the claimant institution")), person("person_id"))

EVENTS: tuple[EventSpec, ...] = (
    # ------------------------------------------------------------------ funds
    EventSpec("funds.claim.submitted", Kind.CLAIMS, "JX_CLAIM_SUBMITTED",
              _("Claim %(number)s was submitted and waits for county review."),
              reviewers(COUNTY, _("HRSS (or trade-union) reviewers of the claim's county")),
              IN_APP_EMAIL, "funds:claim_detail"),
    EventSpec("funds.claim.county_reviewed", Kind.CLAIMS, "JX_CLAIM_COUNTY_REVIEWED",
              _("Claim %(number)s passed county review and waits for city approval."),
              reviewers(CITY, _("HRSS (or trade-union) reviewers of the claim's city")),
              IN_APP_EMAIL, "funds:claim_detail"),
    EventSpec("funds.claim.returned", Kind.CLAIMS, "JX_CLAIM_RETURNED",
              _("Claim %(number)s was returned for changes: %(reason)s"),
              CLAIMANT, ALL, "funds:claim_detail"),
    EventSpec("funds.claim.rejected", Kind.CLAIMS, "JX_CLAIM_REJECTED",
              _("Claim %(number)s was rejected: %(reason)s"),
              CLAIMANT, ALL, "funds:claim_detail"),
    EventSpec("funds.claim.approved", Kind.CLAIMS, "JX_CLAIM_APPROVED",
              _("Claim %(number)s was approved and is in public notice."),
              (*CLAIMANT, officers("county_id", FINANCE, COUNTY_CITY, _("finance officers of the claim's county and city")),
               officers("county_id", SECTOR, ANY_LEVEL, _("officers of the sector department responsible for the action"))),
              IN_APP_EMAIL, "funds:claim_detail"),
    EventSpec("funds.claim.awaiting_province", Kind.CLAIMS, "JX_CLAIM_AWAITING_PROVINCE",
              _("Provincial key claim %(number)s was approved by the city and waits for province approval."),
              (province(HRSS, _("HRSS officers of the province")),),
              IN_APP_EMAIL, "funds:claim_detail"),
    EventSpec("funds.claim.paid", Kind.PAYMENTS, "JX_SUBSIDY_PAID",
              _("Subsidy of %(amount)s yuan for claim %(number)s has been paid."),
              CLAIMANT, ALL, "funds:claim_detail"),
    EventSpec("funds.claim.payment_failed", Kind.PAYMENTS, "JX_PAYMENT_FAILED",
              _("Payment for claim %(number)s failed: %(reason)s"),
              (*CLAIMANT, officers("county_id", FINANCE, COUNTY_CITY, _("finance officers of the claim's county and city"))),
              ALL, "funds:claim_detail"),
    EventSpec("funds.recovery.ordered", Kind.RECOVERY, "JX_RECOVERY_ORDERED",
              _("Recovery order %(number)s: %(amount)s yuan to be repaid by %(deadline)s."),
              (org("payer_organisation_id", _("staff of the paying institution")), person("payer_person_id")),
              ALL, "funds:recovery_detail"),
    EventSpec("funds.recovery.overdue", Kind.RECOVERY, "JX_RECOVERY_OVERDUE",
              _("Recovery order %(number)s is overdue."),
              (org("payer_organisation_id", _("staff of the paying institution")), person("payer_person_id"),
               officers("county_id", HRSS, COUNTY, _("HRSS officers of the order's county")),
               everyone_with(AUDITORS, _("auditors"))),
              ALL, "funds:recovery_detail"),
    # ------------------------------------------------------------------ training
    EventSpec("training.project.submitted", Kind.PROJECTS, "JX_PROJECT_SUBMITTED",
              _("Training project %(number)s was submitted for review."),
              # county and city: both have it on their to-do list (notify.todos project_review)
              (officers("county_id", HRSS, COUNTY_CITY, _("HRSS officers of the project's county and city")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.project.approved", Kind.PROJECTS, "JX_PROJECT_APPROVED",
              _("Training project %(number)s was approved."),
              (org("organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.project.returned", Kind.PROJECTS, "JX_PROJECT_RETURNED",
              _("Training project %(number)s was returned for changes: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.project.rejected", Kind.PROJECTS, "JX_PROJECT_REJECTED",
              _("Training project %(number)s was rejected: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.spot_check.assigned", Kind.SUPERVISION, "JX_SPOT_CHECK_ASSIGNED",
              _("Spot check of class %(class)s in the week of %(week)s was assigned to you."),
              (user("assigned_to_id", _("the officer assigned to the spot check")),),
              IN_APP_EMAIL, "training:spot_check_detail"),
    EventSpec("training.class.starts_tomorrow", Kind.PROJECTS, "JX_CLASS_STARTS_TOMORROW",
              _("Class %(number)s (%(class_name)s) starts tomorrow, %(start)s."),
              (org("project.organiser_id", _("staff of the organising institution")),),
              ALL, "training:class_detail"),
    EventSpec("training.enrollment.class_starts_tomorrow", Kind.PROJECTS, "JX_CLASS_STARTS_TOMORROW",
              _("Class %(number)s (%(class_name)s) starts tomorrow, %(start)s."),
              (person("person_id"),),
              ALL, "training:enrollment_detail"),
    EventSpec("training.class.filed", Kind.PROJECTS, "JX_CLASS_FILED",
              _("Class %(number)s was filed (开班备案) and waits for the county's decision."),
              (officers("county_id", HRSS, COUNTY, _("HRSS officers of the class's county")),),
              IN_APP_EMAIL, "training:class_detail"),
    EventSpec("training.class.accepted", Kind.PROJECTS, "JX_CLASS_ACCEPTED",
              _("The filing of class %(number)s was accepted; enrollment and attendance are open."),
              (org("project.organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:class_detail"),
    EventSpec("training.class.returned", Kind.PROJECTS, "JX_CLASS_RETURNED",
              _("The filing of class %(number)s was returned: %(reason)s"),
              (org("project.organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:class_detail"),
    # 公共实训基地共建共享 (seed 一(九)): the base hears of requests, the requester of decisions
    EventSpec("bases.booking.requested", Kind.PROJECTS, "JX_BASE_BOOKING_REQUESTED",
              _("Booking %(code)s of your training base's stations waits for your decision."),
              (org("base_id", _("staff of the training base")),),
              IN_APP_EMAIL, "bases:booking_detail"),
    EventSpec("bases.booking.accepted", Kind.PROJECTS, "JX_BASE_BOOKING_ACCEPTED",
              _("The training base accepted booking %(code)s."),
              (org("requester_id", _("staff of the requesting institution")),),
              IN_APP_EMAIL, "bases:booking_detail"),
    EventSpec("bases.booking.declined", Kind.PROJECTS, "JX_BASE_BOOKING_DECLINED",
              _("The training base declined booking %(code)s: %(reason)s"),
              (org("requester_id", _("staff of the requesting institution")),),
              IN_APP_EMAIL, "bases:booking_detail"),
    EventSpec("bases.booking.withdrawn", Kind.PROJECTS, "JX_BASE_BOOKING_WITHDRAWN",
              _("Booking %(code)s was withdrawn by the requesting institution."),
              (org("base_id", _("staff of the training base")),),
              IN_APP_EMAIL, "bases:booking_detail"),
    EventSpec("training.topic_application.awarded", Kind.PROJECTS, "JX_TOPIC_AWARDED",
              _("Your application %(number)s for topic %(topic)s was awarded: %(amount)s yuan, project %(project)s."),
              (org("applicant_id", _("staff of the applicant institution")),
               org("partner_id", _("staff of the partner enterprise"))),
              IN_APP_EMAIL, "training:topic_application"),
    EventSpec("training.topic_application.rejected", Kind.PROJECTS, "JX_TOPIC_REJECTED",
              _("Your application %(number)s was not awarded: %(reason)s"),
              (org("applicant_id", _("staff of the applicant institution")),),
              IN_APP_EMAIL, "training:topic_application"),
    EventSpec("training.key_milestone.reported", Kind.PROJECTS, "JX_MILESTONE_REPORTED",
              _("Key project milestone %(number)s was reported and waits for acceptance."),
              (province(HRSS, _("HRSS officers of the province")),),
              IN_APP_EMAIL, "training:topic_application", "application_id"),
    EventSpec("training.key_milestone.accepted", Kind.PROJECTS, "JX_MILESTONE_ACCEPTED",
              _("Key project milestone %(number)s was accepted: %(amount)s yuan payable."),
              (org("application.applicant_id", _("staff of the applicant institution")),),
              IN_APP_EMAIL, "training:topic_application", "application_id"),
    EventSpec("training.key_milestone.failed", Kind.PROJECTS, "JX_MILESTONE_FAILED",
              _("Key project milestone %(number)s was not accepted (%(amount)s yuan payable): %(reason)s"),
              (org("application.applicant_id", _("staff of the applicant institution")),),
              IN_APP_EMAIL, "training:topic_application", "application_id"),
    EventSpec("training.project.quality_adjust", Kind.PROJECTS, "JX_PROJECT_QUALITY_ADJUST",
              _("Training project %(number)s was adjusted by quality review: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.project.quality_suspend", Kind.PROJECTS, "JX_PROJECT_QUALITY_SUSPEND",
              _("Training project %(number)s was suspended by quality review: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              ALL, "training:project_detail"),
    EventSpec("training.project.quality_reinstate", Kind.PROJECTS, "JX_PROJECT_QUALITY_REINSTATE",
              _("Training project %(number)s was reinstated: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              IN_APP_EMAIL, "training:project_detail"),
    EventSpec("training.project.quality_terminate", Kind.PROJECTS, "JX_PROJECT_QUALITY_TERMINATE",
              _("Training project %(number)s was terminated by quality review: %(reason)s"),
              (org("organiser_id", _("staff of the organising institution")),),
              ALL, "training:project_detail"),
    # ------------------------------------------------------------------ evaluation
    EventSpec("evaluation.filing.submitted", Kind.EVALUATION, "JX_FILING_SUBMITTED",
              _("An evaluation filing by %(organisation)s waits for acceptance."),
              (officers("organisation.county_id", HRSS, frozenset({"city", "province"}),
                        _("HRSS officers of the body's city and of the province")),),
              IN_APP_EMAIL, "evaluation:filing_detail"),
    EventSpec("evaluation.filing.approved", Kind.EVALUATION, "JX_FILING_APPROVED",
              _("Evaluation filing %(number)s was accepted."),
              (org("organisation_id", _("staff of the evaluation body")),),
              IN_APP_EMAIL, "evaluation:filing_detail"),
    EventSpec("evaluation.filing.rejected", Kind.EVALUATION, "JX_FILING_REJECTED",
              _("The evaluation filing was not accepted: %(reason)s"),
              (org("organisation_id", _("staff of the evaluation body")),),
              IN_APP_EMAIL, "evaluation:filing_detail"),
    EventSpec("evaluation.filing.suspended", Kind.EVALUATION, "JX_FILING_SUSPENDED",
              _("Evaluation filing %(number)s was suspended: %(reason)s"),
              (org("organisation_id", _("staff of the evaluation body")),),
              IN_APP_EMAIL, "evaluation:filing_detail"),
    EventSpec("evaluation.filing.revoked", Kind.EVALUATION, "JX_FILING_REVOKED",
              _("Evaluation filing %(number)s was revoked: %(reason)s"),
              (org("organisation_id", _("staff of the evaluation body")),),
              IN_APP_EMAIL, "evaluation:filing_detail"),
    EventSpec("evaluation.certificate.issued", Kind.EVALUATION, "JX_CERTIFICATE_ISSUED",
              _("Certificate %(number)s was issued to you."),
              (person("person_id"),), ALL, "evaluation:certificate_detail"),
    EventSpec("evaluation.certificate.revoked", Kind.EVALUATION, "JX_CERTIFICATE_REVOKED",
              _("Certificate %(number)s was revoked: %(reason)s"),
              (person("person_id"),), ALL, "evaluation:certificate_detail"),
    # ------------------------------------------------------------------ supervision
    EventSpec("supervision.finding.opened", Kind.SUPERVISION, "JX_FINDING_OPENED",
              _("A supervision finding was opened about your institution: %(title)s"),
              (org("organisation_id", _("staff of the institution concerned")),),
              IN_APP_EMAIL, "supervision:finding"),
    EventSpec("supervision.case.explanation_requested", Kind.SUPERVISION, "JX_EXPLANATION_REQUESTED",
              _("Case %(number)s: please explain by %(due)s."),
              (org("organisation_id", _("staff of the institution concerned")),),
              IN_APP_EMAIL, "supervision:case"),
    EventSpec("supervision.case.explanation_answered", Kind.SUPERVISION, "JX_EXPLANATION_ANSWERED",
              _("Case %(number)s: the institution has explained."),
              (user("assigned_to_id", _("the officer assigned to the case")),
               officers("county_id", HRSS, COUNTY, _("HRSS officers of the case's county"))),
              IN_APP_EMAIL, "supervision:case"),
    EventSpec("supervision.case.decided", Kind.SUPERVISION, "JX_CASE_DECIDED",
              _("Case %(number)s was decided: %(outcome)s"),
              (org("organisation_id", _("staff of the institution concerned")),
               user("assigned_to_id", _("the officer assigned to the case"))),
              IN_APP_EMAIL, "supervision:case"),
    # ------------------------------------------------------------------ employment
    EventSpec("employment.referral.made", Kind.EMPLOYMENT, "JX_REFERRAL_MADE",
              _("A candidate was referred to your job demand %(demand)s."),
              (org("demand.employer_id", _("staff of the employer")), person("person_id")),
              ALL, "employment:demand_detail", url_path="demand_id"),
    # ------------------------------------------------------------------ data
    EventSpec("imports.job.finished", Kind.DATA, "JX_IMPORT_FINISHED",
              _("Import %(file)s finished: %(rows)s rows imported, %(rejected)s rejected."),
              (user("created_by_id", _("the user who started the import")),),
              IN_APP_EMAIL, "imports:job"),
    EventSpec("imports.job.failed", Kind.DATA, "JX_IMPORT_FAILED",
              _("Import %(file)s failed: %(reason)s"),
              (user("created_by_id", _("the user who started the import")),),
              IN_APP_EMAIL, "imports:job"),
    EventSpec("core.export.ready", Kind.DATA, "JX_EXPORT_FILE_READY",
              _("Your export %(file)s is ready (%(rows)s rows)."),
              (user("user_id", _("the user who asked for it")),),
              frozenset({Channel.IN_APP}), "web:export"),
    EventSpec("stats.export.ready", Kind.DATA, "JX_EXPORT_READY",
              _("The dispatch report for %(period)s is ready."),
              (user("generated_by_id", _("the user who asked for it")), province(HRSS, _("HRSS officers of the province")),
               everyone_with(AUDITORS, _("auditors"))),
              IN_APP_EMAIL, "stats:report"),
    # ------------------------------------------------------------------ system
    EventSpec("accounts.user.locked", Kind.SYSTEM, "JX_ACCOUNT_LOCKED",
              _("Account %(username)s was locked after repeated failed sign-ins, until %(until)s."),
              (everyone_with(frozenset({Role.SECURITY_ADMIN}), _("security administrators")),),
              IN_APP_EMAIL),
    EventSpec("ops.job.failed", Kind.SYSTEM, "JX_JOB_FAILED",
              _("Scheduled job %(job)s failed: %(error)s"),
              (everyone_with(frozenset({Role.SYSTEM_ADMIN}), _("system administrators")),),
              IN_APP_EMAIL),
)

BY_NAME: dict[str, EventSpec] = {spec.name: spec for spec in EVENTS}

# A digest replaces the single messages of one bulk operation for a person told of more
# than DIGEST_THRESHOLD events in it (settings.JIXING_NOTIFY_DIGEST_THRESHOLD).
DIGEST_TEMPLATE = "JX_DIGEST"
DIGEST_TITLE = _("%(count)s updates from %(batch)s")
