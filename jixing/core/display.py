"""Words, not values: one display layer for pages, messages, Excel and the API's readable fields.

- ``local_minute(value)``: an aware time as Asia/Shanghai ``YYYY-MM-DD HH:MM`` (never ``+00:00``);
- ``percent(ratio)``: 0.638 → ``63.8%``;
- ``event_label(code)``: an audit event code in words (``login.succeeded`` → 登录成功);
- ``object_words`` / ``object_url``: an audited object as "人员 李历下 370102********0133" with a link;
- ``audit_details(event)``: before / after / detail as ``key：value`` text, not Python dicts.

The template filters in jixing/web/templatetags/jixing_format.py call these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


def local_minute(value: dt.datetime | dt.date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat()


def percent(ratio: object, digits: int = 1) -> str:
    """A ratio (0.638) as a percentage (63.8%); empty for nothing."""
    if ratio is None or ratio == "":
        return ""
    try:
        number = Decimal(str(ratio)) * 100
    except InvalidOperation:
        return str(ratio)
    return f"{number:.{digits}f}%"


EVENT_LABELS: dict[str, Promise] = {
    "account.unlocked": pgettext_lazy("audit event", "Account unlocked"),
    "api_token.created": pgettext_lazy("audit event", "API token created"),
    "api_token.revoked": pgettext_lazy("audit event", "API token revoked"),
    "audit.log_viewed": pgettext_lazy("audit event", "Audit log viewed"),
    "audit.purged": pgettext_lazy("audit event", "Old audit rows purged"),
    "authorization.denied": pgettext_lazy("audit event", "Access refused"),
    "certificate.issue": pgettext_lazy("audit event", "Certificate issued"),
    "certificate.verify": pgettext_lazy("audit event", "Certificate checked (public)"),
    "certificate.revoke": pgettext_lazy("audit event", "Certificate revoked"),
    "claim.approved": pgettext_lazy("audit event", "Claim approved"),
    "direct_recognition.propose": pgettext_lazy("audit event", "Direct recognition proposed"),
    "evaluation_candidate.add": pgettext_lazy("audit event", "Candidate added to an evaluation"),
    "evaluation_filing.submit": pgettext_lazy("audit event", "Evaluation filing submitted"),
    "evaluation_result.correct": pgettext_lazy("audit event", "Evaluation result corrected"),
    "evaluation_result.correction_lock": pgettext_lazy("audit event", "Correction locked"),
    "evaluation_result.correction_reject": pgettext_lazy("audit event", "Correction rejected"),
    "evaluation_result.import": pgettext_lazy("audit event", "Evaluation results imported"),
    "evaluation_result.record": pgettext_lazy("audit event", "Evaluation result recorded"),
    "evaluation_session.create": pgettext_lazy("audit event", "Evaluation session created"),
    "export.requested": pgettext_lazy("audit event", "List exported"),
    "export.downloaded": pgettext_lazy("audit event", "Export downloaded"),
    "export.unmasked": pgettext_lazy("audit event", "List exported with personal data unmasked"),
    "funds.bank_file.export": pgettext_lazy("audit event", "Bank file exported"),
    "funds.bank_return.reconcile": pgettext_lazy("audit event", "Bank return reconciled"),
    "funds.budget.allocate": pgettext_lazy("audit event", "Budget allocated"),
    "funds.budget.appropriate": pgettext_lazy("audit event", "Budget appropriated"),
    "funds.budget.create": pgettext_lazy("audit event", "Budget created"),
    "funds.claim.city_approve": pgettext_lazy("audit event", "Claim approved by the city"),
    "funds.claim.create": pgettext_lazy("audit event", "Claim created"),
    "funds.claim.exclude_line": pgettext_lazy("audit event", "Claim line excluded"),
    "funds.claim.payee_account": pgettext_lazy("audit event", "Claim payee account set"),
    "funds.claim.province_approve": pgettext_lazy("audit event", "Claim approved by the province"),
    "funds.payee_account.register": pgettext_lazy("audit event", "Payee account registered"),
    "funds.payment_batch.create": pgettext_lazy("audit event", "Payment batch created"),
    "funds.payment_order.issue": pgettext_lazy("audit event", "Payment order issued"),
    "funds.reconciliation_issue.resolve": pgettext_lazy("audit event", "Reconciliation mismatch resolved"),
    "funds.recovery.create": pgettext_lazy("audit event", "Recovery order created"),
    "funds.recovery.instalment": pgettext_lazy("audit event", "Recovery instalment recorded"),
    "funds.rule_table.publish": pgettext_lazy("audit event", "Subsidy rule version published"),
    "funds.staff_education.report": pgettext_lazy("audit event", "Staff education reported"),
    "funds.study.create": pgettext_lazy("audit event", "Study record created"),
    "import.error_file": pgettext_lazy("audit event", "Import error file downloaded"),
    "import.rejected": pgettext_lazy("audit event", "Import refused"),
    "import.uploaded": pgettext_lazy("audit event", "File uploaded for import"),
    "insurance.rematched": pgettext_lazy("audit event", "Insurance records matched again"),
    "job_demand.created": pgettext_lazy("audit event", "Job demand created"),
    "login.failed": pgettext_lazy("audit event", "Login failed"),
    "login.locked": pgettext_lazy("audit event", "Account locked after failed logins"),
    "login.otp_failed": pgettext_lazy("audit event", "Second factor code wrong"),
    "login.succeeded": pgettext_lazy("audit event", "Logged in"),
    "login.throttled": pgettext_lazy("audit event", "Login attempts throttled"),
    "logout": pgettext_lazy("audit event", "Logged out"),
    "organisation.create": pgettext_lazy("audit event", "Organisation registered"),
    "organisation.status": pgettext_lazy("audit event", "Organisation status changed"),
    "organisation.update": pgettext_lazy("audit event", "Organisation updated"),
    "password.change_failed": pgettext_lazy("audit event", "Password change refused"),
    "password.changed": pgettext_lazy("audit event", "Password changed"),
    "password.set_by_admin": pgettext_lazy("audit event", "Password set by an administrator"),
    "person.archive": pgettext_lazy("audit event", "Person archived"),
    "person.create": pgettext_lazy("audit event", "Person registered"),
    "person.unmask": pgettext_lazy("audit event", "Personal data unmasked"),
    "person.update": pgettext_lazy("audit event", "Person updated"),
    "placement.derived_from_insurance": pgettext_lazy("audit event", "Employment derived from insurance records"),
    "placement.reported": pgettext_lazy("audit event", "Employment reported"),
    "plan.allocations.set": pgettext_lazy("audit event", "Target allocations set"),
    "referral.created": pgettext_lazy("audit event", "Job referral made"),
    "registry.persons_imported": pgettext_lazy("audit event", "Persons imported"),
    "session.expired": pgettext_lazy("audit event", "Session expired"),
    "skill_pay.reported": pgettext_lazy("audit event", "Skill pay reported"),
    "stats.dispatch_report": pgettext_lazy("audit event", "Dispatch report generated"),
    "stats.export": pgettext_lazy("audit event", "Dashboard table exported"),
    "stats.report_download": pgettext_lazy("audit event", "Report downloaded"),
    "stats.selection_proposed": pgettext_lazy("audit event", "Selection proposed"),
    "supervision.case.add_findings": pgettext_lazy("audit event", "Findings added to a case"),
    "supervision.case.assign": pgettext_lazy("audit event", "Case assigned"),
    "supervision.case.judicial_referral": pgettext_lazy("audit event", "Case referred to the judiciary"),
    "supervision.case.open": pgettext_lazy("audit event", "Case opened"),
    "supervision.case.recovery": pgettext_lazy("audit event", "Recovery ordered for a case"),
    "supervision.case.revoke_certificates": pgettext_lazy("audit event", "Certificates revoked for a case"),
    "supervision.finding.clear": pgettext_lazy("audit event", "Finding cleared"),
    "supervision.finding.explained": pgettext_lazy("audit event", "Finding explained"),
    "supervision.rule.update": pgettext_lazy("audit event", "Supervision rule changed"),
    "supervision.rule_editor.grant": pgettext_lazy("audit event", "Rule editing granted"),
    "supervision.rule_editor.revoke": pgettext_lazy("audit event", "Rule editing withdrawn"),
    "totp.enrol_failed": pgettext_lazy("audit event", "Second factor enrolment failed"),
    "totp.enrolled": pgettext_lazy("audit event", "Second factor enrolled"),
    "totp.reset": pgettext_lazy("audit event", "Second factor reset"),
    "training.attendance.check_in": pgettext_lazy("audit event", "Checked in"),
    "training.attendance.check_out": pgettext_lazy("audit event", "Checked out"),
    "training.attendance.import": pgettext_lazy("audit event", "Attendance imported"),
    "training.class.close": pgettext_lazy("audit event", "Class closed"),
    "training.class.create": pgettext_lazy("audit event", "Class created"),
    "training.class.update": pgettext_lazy("audit event", "Class updated"),
    "training.enrollment.override": pgettext_lazy("audit event", "Enrollment check overridden"),
    "training.project.create": pgettext_lazy("audit event", "Training project created"),
    "training.project.update": pgettext_lazy("audit event", "Training project updated"),
    "training.session.add": pgettext_lazy("audit event", "Class session added"),
    "training.teacher.add": pgettext_lazy("audit event", "Teacher added"),
    "training.trainee.register": pgettext_lazy("audit event", "Trainee enrolled"),
}


def event_label(code: str) -> str:
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code


# Audited object types whose record has a page: "app_label.model" -> URL name (argument: the id).
OBJECT_PAGES: dict[str, str] = {
    "registry.person": "registry:person_detail",
    "registry.organisation": "registry:organisation_detail",
    "training.trainingproject": "training:project_detail",
    "training.trainingclass": "training:class_detail",
    "training.classsession": "training:session_detail",
    "training.enrollment": "training:enrollment_detail",
    "evaluation.certificate": "evaluation:certificate_detail",
    "evaluation.evaluationfiling": "evaluation:filing_detail",
    "evaluation.evaluationsession": "evaluation:session_detail",
    "evaluation.evaluationresult": "evaluation:result_detail",
    "evaluation.directrecognition": "evaluation:recognition_detail",
    "funds.claim": "funds:claim_detail",
    "funds.budget": "funds:budget_detail",
    "funds.paymentbatch": "funds:batch_detail",
    "funds.recoveryorder": "funds:recovery_detail",
    "supervision.finding": "supervision:finding",
    "supervision.case": "supervision:case",
    "demand.jobdemand": "employment:demand_detail",
    "employment.jobdemand": "employment:demand_detail",  # audit rows written before the model moved to demand
    "employment.placement": "employment:placement_detail",
    "imports.importjob": "imports:job",
}


# Models that moved app (issue 14): append-only audit rows keep the label they were written with.
MOVED_MODELS = {"employment.jobdemand": "demand.jobdemand"}


def object_kind(object_type: str) -> str:
    """The model's name in words ("人员"), or the type as stored if it is not a model."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(MOVED_MODELS.get(object_type, object_type))
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def object_words(object_type: str, object_id: str, label: str = "") -> str:
    if not object_type:
        return ""
    return f"{object_kind(object_type)} {label or ('#' + str(object_id))}".strip()


def object_url(object_type: str, object_id: str) -> str:
    name = OBJECT_PAGES.get(object_type)
    if not name or not str(object_id).isdigit():
        return ""
    try:
        return reverse(name, args=[int(object_id)])
    except NoReverseMatch:
        return ""


# Keys of an audit row's detail, in words; a key not listed is shown as stored.
DETAIL_KEYS: dict[str, Promise] = {
    "required_roles": pgettext_lazy("audit detail", "roles allowed"),
    "method": pgettext_lazy("audit detail", "request"),
    "reason": pgettext_lazy("audit detail", "reason"),
    "reasons": pgettext_lazy("audit detail", "reasons"),
    "rows": pgettext_lazy("audit detail", "rows"),
    "year": pgettext_lazy("audit detail", "year"),
    "note": pgettext_lazy("audit detail", "note"),
    "count": pgettext_lazy("audit detail", "count"),
    "fields": pgettext_lazy("audit detail", "fields"),
    "period": pgettext_lazy("audit detail", "period"),
    "kind": pgettext_lazy("audit detail", "kind"),
    "name": pgettext_lazy("audit detail", "name"),
    "explanation": pgettext_lazy("audit detail", "explanation"),
    "resolution": pgettext_lazy("audit detail", "resolution"),
    "list": pgettext_lazy("audit detail", "list"),
    "created": pgettext_lazy("audit detail", "created"),
}


def _role_words(codes: Any) -> str:
    """Role codes (``hrss_officer``) as their names; the user model is looked up, not imported."""
    try:
        choices = dict(apps.get_model("accounts", "User")._meta.get_field("role").flatchoices)
    except (LookupError, ValueError):
        choices = {}
    items = codes if isinstance(codes, list | tuple) else [codes]
    return "、".join(str(choices.get(code, code)) for code in items)


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "，".join(
            f"{DETAIL_KEYS.get(k, k)}：{_role_words(v) if k == 'required_roles' else _value_words(v)}"
            for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_value_words(v) for v in value)
    return str(value)


def audit_details(event: Any) -> str:
    """An audit row's before / after / detail as one line of text."""
    parts = []
    if event.before:
        parts.append(_("before: %(values)s") % {"values": _value_words(event.before)})
    if event.after:
        parts.append(_("after: %(values)s") % {"values": _value_words(event.after)})
    if event.detail:
        parts.append(_value_words(event.detail))
    return "；".join(parts)
