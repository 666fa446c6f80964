"""Supervision writes: rule settings, cases and their lifecycle, the institution's explanation,
decisions and the measures on a violation (seed 二(六): 追回补贴资金并依法查处，涉嫌犯罪的，
移送司法机关处理). Every action is atomic, takes the acting user as ``by=``, checks scope
itself and writes exactly one audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core.events import publish
from jixing.core.models import StatusChange
from jixing.core.workflow import IllegalTransition
from jixing.registry import actions as registry_actions
from jixing.registry.models import Organisation, OrganisationStatus, Person, RestrictionKind, RestrictionOrigin

from . import rules
from .access import can_edit_rules
from .models import (
    Case,
    CaseMeasure,
    CaseStatus,
    Explanation,
    Finding,
    FindingStatus,
    MeasureKind,
    RuleEditorGrant,
    RuleSetting,
    Severity,
)
from .roles import OFFICER_ROLES

REASON_MIN = 5  # a decision's reasons: at least a short phrase (Chinese is dense)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Allowed attachment types: extension → file signature (checked, not trusted from the name).
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


# ---------------------------------------------------------------- helpers

def _require_officer(by: User) -> None:
    if getattr(by, "role", None) not in OFFICER_ROLES:
        raise PermissionDenied(_("Only HRSS officers handle supervision cases."))


def _visible_case(case: Case, by: User) -> Case:
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    return Case.objects.select_for_update().get(pk=case.pk)


def _reasons(text: str, field: str = "reasons") -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError({field: _("Give the reasons for this decision (at least %(n)d characters).")
                               % {"n": REASON_MIN}})
    return text


def _status_rows(objs: Iterable[Any], from_to: Iterable[tuple[str, str]], by: User, reason: str) -> None:
    rows = [
        StatusChange(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), from_status=old,
                     to_status=new, by=by, reason=reason)
        for obj, (old, new) in zip(objs, from_to, strict=True)
    ]
    StatusChange.objects.bulk_create(rows)


def _move_case(case: Case, to: str, *, by: User, reason: str = "", fields: Iterable[str] = (),
               event: str, detail: Mapping[str, Any] | None = None) -> None:
    """Case lifecycle step: check the transition table, save, status-change row, one audit row."""
    current = case.status
    if (current, to) not in Case.TRANSITIONS:
        raise IllegalTransition(
            _("A case cannot move from “%(from)s” to “%(to)s”.")
            % {"from": CaseStatus(current).label, "to": CaseStatus(to).label}
        )
    case.status = to
    case.save(update_fields=["status", "updated_at", *fields])
    _status_rows([case], [(current, to)], by, reason)
    audit.record(event, actor=by, obj=case, before={"status": current}, after={"status": to},
                 detail={**({"reason": reason} if reason else {}), **(detail or {})})


def _move_findings(findings: list[Finding], to: str, *, by: User, reason: str, case: Case | None = None) -> None:
    pairs = []
    for f in findings:
        if (f.status, to) not in Finding.TRANSITIONS:
            raise IllegalTransition(
                _("Finding %(id)s is “%(status)s” and cannot become “%(to)s”.")
                % {"id": f.pk, "status": FindingStatus(f.status).label, "to": FindingStatus(to).label}
            )
        pairs.append((f.status, to))
        f.status = to
        if case is not None:
            f.case = case
        if to in (FindingStatus.CLEARED, FindingStatus.CONFIRMED):
            f.resolution = reason
    Finding.objects.bulk_update(findings, ["status", "case", "resolution"])
    _status_rows(findings, pairs, by, reason)


# ---------------------------------------------------------------- rule settings


def grant_rule_editor(user: User, *, by: User) -> RuleEditorGrant:
    """The security administrator approves an HRSS officer to edit rule settings."""
    if getattr(by, "role", None) != Role.SECURITY_ADMIN:
        raise PermissionDenied
    if user.role not in OFFICER_ROLES:
        raise ValidationError({"user": _("Only HRSS officers can be approved to edit supervision rules.")})
    with transaction.atomic():
        grant = RuleEditorGrant.objects.filter(user=user, revoked_at__isnull=True).first()
        if grant is None:
            grant = RuleEditorGrant.objects.create(user=user, granted_by=by)
        audit.record("supervision.rule_editor.grant", actor=by, obj=grant, after={"user": user.username})
    return grant


def revoke_rule_editor(user: User, *, by: User) -> None:
    if getattr(by, "role", None) != Role.SECURITY_ADMIN:
        raise PermissionDenied
    with transaction.atomic():
        changed = RuleEditorGrant.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by)
        audit.record("supervision.rule_editor.revoke", actor=by, object_type="accounts.user", object_id=user.pk,
                     after={"user": user.username, "revoked": changed})


def update_rule_setting(code: str, *, by: User, enabled: bool, severity: str, params: Mapping[str, Any]) -> RuleSetting:
    """Change a rule's settings; every value is checked against the range the rule declares and
    out-of-range values are refused with a message (nothing is saved then)."""
    if not can_edit_rules(by):
        raise PermissionDenied(_("Only an officer approved by the security administrator may change rule settings."))
    rule = rules.by_code().get(code)
    if rule is None:
        raise ValidationError({"code": _("Unknown rule.")})
    if severity not in ("", *Severity.values):
        raise ValidationError({"severity": _("Choose one of the listed values.")})
    cleaned, errors = rules.clean_params(rule.params, params)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting, _created = RuleSetting.objects.select_for_update().get_or_create(code=code)
        before = {"enabled": setting.enabled, "severity": setting.severity, "params": setting.params}
        setting.enabled, setting.severity, setting.params, setting.updated_by = enabled, severity, cleaned, by
        setting.save()
        audit.record("supervision.rule.update", actor=by, obj=setting, before=before,
                     after={"enabled": enabled, "severity": severity, "params": cleaned})
    return setting


# ---------------------------------------------------------------- cases

def _case_number(case: Case) -> str:
    return f"JC{timezone.localdate():%Y}-{case.pk:06d}"


def open_case(findings: Iterable[Finding], *, by: User, title: str = "", assign_to: Any = None) -> Case:
    """Group unresolved findings about one institution into a new case."""
    _require_officer(by)
    ids = sorted({f.pk for f in findings})
    if not ids:
        raise ValidationError({"findings": _("Choose at least one finding.")})
    with transaction.atomic():
        chosen = list(Finding.objects.visible_to(by).select_for_update().filter(pk__in=ids).order_by("id"))
        if len(chosen) != len(ids):
            raise PermissionDenied
        orgs = {f.organisation_id for f in chosen}
        if None in orgs or len(orgs) != 1:
            raise ValidationError({"findings": _("A case concerns one institution: choose findings of the same institution.")})
        organisation = Organisation.objects.get(pk=orgs.pop())
        title = (title or "").strip() or _("%(org)s: %(n)d finding(s)") % {"org": organisation.name, "n": len(chosen)}
        case = Case.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:20]}", title=title[:200], organisation=organisation,
            county_id=organisation.county_id, created_by=by,
        )
        case.number = _case_number(case)
        case.save(update_fields=["number"])
        _move_findings(chosen, FindingStatus.IN_CASE, by=by, reason=case.number, case=case)
        _status_rows([case], [("", CaseStatus.OPEN)], by, "")
        audit.record("supervision.case.open", actor=by, obj=case,
                     after={"number": case.number, "organisation": organisation.pk, "findings": ids})
    if assign_to is not None:
        assign_case(case, by=by, officer=assign_to)
    return case


def add_findings(case: Case, findings: Iterable[Finding], *, by: User) -> Case:
    _require_officer(by)
    ids = sorted({f.pk for f in findings})
    with transaction.atomic():
        case = _visible_case(case, by)
        if case.is_decided:
            raise ValidationError(_("The case is decided; open a new case for further findings."))
        chosen = list(Finding.objects.visible_to(by).select_for_update().filter(pk__in=ids))
        if len(chosen) != len(ids):
            raise PermissionDenied
        if any(f.organisation_id != case.organisation_id for f in chosen):
            raise ValidationError({"findings": _("A case concerns one institution: choose findings of the same institution.")})
        _move_findings(chosen, FindingStatus.IN_CASE, by=by, reason=case.number, case=case)
        audit.record("supervision.case.add_findings", actor=by, obj=case, after={"findings": ids})
    return case


def assign_case(case: Case, *, by: User, officer: Any) -> Case:
    _require_officer(by)
    if getattr(officer, "role", None) not in OFFICER_ROLES or not Case.objects.visible_to(officer).filter(pk=case.pk).exists():
        raise ValidationError({"officer": _("Assign the case to an HRSS officer responsible for its region.")})
    with transaction.atomic():
        case = _visible_case(case, by)
        if case.is_decided:
            raise ValidationError(_("The case is decided."))
        before = case.assigned_to_id
        case.assigned_to = officer
        if case.status == CaseStatus.OPEN:
            _move_case(case, CaseStatus.INVESTIGATING, by=by, fields=["assigned_to"], event="supervision.case.assign",
                       detail={"assigned_to": officer.username, "before": before})
        else:
            case.save(update_fields=["assigned_to", "updated_at"])
            audit.record("supervision.case.assign", actor=by, obj=case, before={"assigned_to": before},
                         after={"assigned_to": officer.pk})
    return case


def request_explanation(case: Case, *, by: User, questions: str, due: dt.date) -> Case:
    _require_officer(by)
    questions = (questions or "").strip()
    if not questions:
        raise ValidationError({"questions": _("Write what the institution should explain.")})
    if due < timezone.localdate():
        raise ValidationError({"due": _("The explanation deadline cannot be in the past.")})
    with transaction.atomic():
        case = _visible_case(case, by)
        case.explanation_request, case.explanation_due = questions, due
        _move_case(case, CaseStatus.AWAITING_EXPLANATION, by=by, reason=questions,
                   fields=["explanation_request", "explanation_due"], event="supervision.case.request_explanation",
                   detail={"due": due.isoformat()})
        publish("supervision.case.explanation_requested", obj=case, actor=by, due=due.isoformat())
    return case


def resume_investigation(case: Case, *, by: User, reason: str) -> Case:
    _require_officer(by)
    with transaction.atomic():
        case = _visible_case(case, by)
        _move_case(case, CaseStatus.INVESTIGATING, by=by, reason=_reasons(reason, "reason"),
                   event="supervision.case.resume")
    return case


def check_attachment(upload: UploadedFile | None) -> None:
    """Size-limited and type-checked by signature (SECURITY.md F1); refused with a message."""
    if upload is None:
        return
    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _("The attachment is larger than %(mb)d MB; attach a smaller file.")
                               % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)}})
    name = (upload.name or "").lower()
    ext = next((e for e in ATTACHMENT_SIGNATURES if name.endswith(e)), None)
    if ext is None:
        raise ValidationError({"attachment": _("Attach a PDF, PNG or JPEG file.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ATTACHMENT_SIGNATURES[ext]):
        raise ValidationError({"attachment": _("The file's content is not a %(ext)s file.") % {"ext": ext[1:].upper()}})


def submit_explanation(*, by: User, text: str, case: Case | None = None, finding: Finding | None = None,
                       attachment: UploadedFile | None = None) -> Explanation:
    """The institution answers a case awaiting its explanation, or explains one open finding."""
    if getattr(by, "role", None) not in (Role.INSTITUTION, Role.EVALUATOR) or not by.organisation_id:
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your explanation.")})
    if (case is None) == (finding is None):
        raise ValidationError(_("Explain either a case or a finding."))
    check_attachment(attachment)
    with transaction.atomic():
        explanation = Explanation(organisation_id=by.organisation_id, text=text, submitted_by=by)
        if case is not None:
            case = Case.objects.select_for_update().filter(pk=case.pk, organisation_id=by.organisation_id).first()
            if case is None:
                raise PermissionDenied
            if case.status != CaseStatus.AWAITING_EXPLANATION:
                raise ValidationError(_("This case is not waiting for your explanation."))
            explanation.case = case
        else:
            assert finding is not None
            finding = Finding.objects.select_for_update().filter(pk=finding.pk, organisation_id=by.organisation_id).first()
            if finding is None:
                raise PermissionDenied
            if finding.status not in (FindingStatus.OPEN, FindingStatus.EXPLAINED, FindingStatus.IN_CASE):
                raise ValidationError(_("This finding is already decided."))
            explanation.finding = finding
        if attachment is not None:
            digest = hashlib.sha256()
            for chunk in attachment.chunks():
                digest.update(chunk)
            attachment.seek(0)
            ext = "." + (attachment.name or "").rsplit(".", 1)[-1].lower()
            explanation.attachment_name = (attachment.name or "")[:200]
            explanation.attachment_sha256 = digest.hexdigest()
            explanation.attachment.save(f"{uuid.uuid4().hex}{ext}", attachment, save=False)
        explanation.save()
        if case is not None:
            _move_case(case, CaseStatus.EXPLAINED, by=by, event="supervision.case.explained",
                       detail={"explanation": explanation.pk, "attachment": explanation.attachment_sha256 or None})
            publish("supervision.case.explanation_answered", obj=case, actor=by)
        else:
            assert finding is not None
            if finding.status == FindingStatus.OPEN:
                _move_findings([finding], FindingStatus.EXPLAINED, by=by, reason=text[:200])
            audit.record("supervision.finding.explained", actor=by, obj=finding,
                         detail={"explanation": explanation.pk, "attachment": explanation.attachment_sha256 or None})
    return explanation


def clear_finding(finding: Finding, *, by: User, reasons: str) -> Finding:
    """An officer dismisses a finding not in a case (a false positive), with reasons."""
    _require_officer(by)
    reasons = _reasons(reasons)
    with transaction.atomic():
        locked = Finding.objects.visible_to(by).select_for_update().filter(pk=finding.pk).first()
        if locked is None:
            raise PermissionDenied
        if locked.status == FindingStatus.IN_CASE:
            raise ValidationError(_("This finding is in a case: decide the case instead."))
        before = locked.status
        _move_findings([locked], FindingStatus.CLEARED, by=by, reason=reasons)
        audit.record("supervision.finding.clear", actor=by, obj=locked, before={"status": before},
                     after={"status": FindingStatus.CLEARED}, detail={"reasons": reasons})
    return locked


def decide_case(case: Case, *, by: User, violation: bool, reasons: str) -> Case:
    """Clear the case or find a violation; a decision without reasons is refused."""
    _require_officer(by)
    reasons = _reasons(reasons)
    with transaction.atomic():
        case = _visible_case(case, by)
        to = CaseStatus.VIOLATION if violation else CaseStatus.CLEARED
        if (case.status, to) not in Case.TRANSITIONS:
            raise IllegalTransition(_("A case cannot move from “%(from)s” to “%(to)s”.")
                                    % {"from": CaseStatus(case.status).label, "to": CaseStatus(to).label})
        findings = list(case.findings.select_for_update().order_by("id"))
        _move_findings(findings, FindingStatus.CONFIRMED if violation else FindingStatus.CLEARED, by=by, reason=reasons)
        case.decision_reasons, case.decided_by, case.decided_at = reasons, by, timezone.now()
        _move_case(case, to, by=by, reason=reasons, fields=["decision_reasons", "decided_by", "decided_at"],
                   event="supervision.case.decide", detail={"findings": [f.pk for f in findings]})
        publish("supervision.case.decided", obj=case, actor=by, outcome=str(CaseStatus(to).label))
    return case


def close_case(case: Case, *, by: User, reason: str) -> Case:
    _require_officer(by)
    with transaction.atomic():
        case = _visible_case(case, by)
        _move_case(case, CaseStatus.CLOSED, by=by, reason=_reasons(reason, "reason"), event="supervision.case.close",
                   detail={"measures": list(case.measures.values_list("kind", flat=True))})
    return case


# ---------------------------------------------------------------- measures on a violation

def _violation_case(case: Case, by: User) -> Case:
    _require_officer(by)
    case = _visible_case(case, by)
    if case.status != CaseStatus.VIOLATION:
        raise ValidationError(_("Measures are taken on a case decided as a violation."))
    return case


def order_recovery(case: Case, *, by: User, amount: Decimal | str, deadline: dt.date, reason: str,
                   claim: Any = None) -> CaseMeasure:
    """Order the institution to pay back subsidy money, through funds' recovery action (ledger)."""
    from jixing.funds.actions import create_recovery_order

    reason = _reasons(reason, "reason")
    with transaction.atomic():
        case = _violation_case(case, by)
        order = create_recovery_order(by=by, payer=case.organisation, amount=amount, reason=reason, deadline=deadline,
                                      claim=claim, case_ref=case.number)
        measure = CaseMeasure.objects.create(
            case=case, kind=MeasureKind.RECOVERY, amount=order.amount, until=deadline, note=reason,
            reference=order.number, detail={"recovery_order_id": order.pk, "claim_id": getattr(claim, "pk", None)}, by=by,
        )
        audit.record("supervision.case.recovery", actor=by, obj=case,
                     after={"recovery_order": order.number, "amount": str(order.amount), "deadline": deadline.isoformat()})
    return measure


def set_organisation_status(organisation: Organisation, *, by: User, status: str, until: dt.date | None,
                            reason: str) -> Organisation:
    """Suspend, blacklist or reinstate an institution (Organisation.status / status_until /
    status_reason). A blocked institution may not submit projects or claims
    (``Organisation.is_blocked_on``, checked by training and funds)."""
    _require_officer(by)
    if status not in OrganisationStatus.values:
        raise ValidationError({"status": _("Choose one of the listed values.")})
    reason = _reasons(reason, "reason")
    if status != OrganisationStatus.ACTIVE and until is not None and until < timezone.localdate():
        raise ValidationError({"until": _("The end date cannot be in the past.")})
    with transaction.atomic():
        org = Organisation.objects.visible_to(by).select_for_update().filter(pk=organisation.pk).first()
        if org is None:
            raise PermissionDenied
        before = {"status": org.status, "status_until": org.status_until.isoformat() if org.status_until else None,
                  "status_reason": org.status_reason}
        org.status = status
        org.status_until = None if status == OrganisationStatus.ACTIVE else until
        org.status_reason = reason[:300]
        org.save(update_fields=["status", "status_until", "status_reason", "updated_at"])
        audit.record("organisation.status", actor=by, obj=org, before=before,
                     after={"status": status, "status_until": until.isoformat() if until else None,
                            "status_reason": org.status_reason})
    return org


def sanction_institution(case: Case, *, by: User, blacklist: bool, until: dt.date | None, reason: str) -> CaseMeasure:
    """Suspend or blacklist the case's institution for a period (``until`` None: indefinitely)."""
    reason = _reasons(reason, "reason")
    if until is None and not blacklist:
        raise ValidationError({"until": _("A suspension needs an end date.")})
    with transaction.atomic():
        case = _violation_case(case, by)
        status = OrganisationStatus.BLACKLISTED if blacklist else OrganisationStatus.SUSPENDED
        set_organisation_status(case.organisation, by=by, status=status, until=until,
                                reason=f"{case.number}: {reason}")
        measure = CaseMeasure.objects.create(
            case=case, kind=MeasureKind.BLACKLIST if blacklist else MeasureKind.SUSPENSION, until=until, note=reason,
            reference=case.organisation.uscc, by=by,
        )
    return measure


def revoke_certificates(case: Case, *, by: User, certificates: Iterable[Any], reason: str) -> CaseMeasure:
    """Revoke improperly issued certificates through evaluation's action (each audited there)."""
    from jixing.evaluation.actions import revoke_certificate

    reason = _reasons(reason, "reason")
    certs = list(certificates)
    if not certs:
        raise ValidationError({"certificates": _("Choose the certificates to revoke.")})
    with transaction.atomic():
        case = _violation_case(case, by)
        numbers = []
        for cert in certs:
            revoke_certificate(cert, by=by, reason=f"{case.number}: {reason}"[:300])
            numbers.append(cert.number)
        measure = CaseMeasure.objects.create(
            case=case, kind=MeasureKind.CERTIFICATE_REVOCATION, note=reason, reference=", ".join(numbers)[:100],
            detail={"certificates": numbers}, by=by,
        )
        audit.record("supervision.case.revoke_certificates", actor=by, obj=case, after={"certificates": numbers})
    return measure


def refer_to_judiciary(case: Case, *, by: User, authority: str, note: str) -> CaseMeasure:
    """Record the referral of a suspected crime to the public security / judicial authority."""
    authority = (authority or "").strip()
    if not authority:
        raise ValidationError({"authority": _("Name the authority the case is referred to.")})
    note = _reasons(note, "note")
    with transaction.atomic():
        case = _violation_case(case, by)
        measure = CaseMeasure.objects.create(case=case, kind=MeasureKind.JUDICIAL_REFERRAL, note=note,
                                             reference=authority[:100], by=by)
        audit.record("supervision.case.judicial_referral", actor=by, obj=case, after={"authority": authority})
    return measure


def restrict_person(case: Case, *, by: User, person: Person, blacklist: bool, until: dt.date | None,
                    reason: str) -> CaseMeasure:
    """A person found in the violation (a claimant who lent their ID, a trainee who signed for
    others) is barred from subsidies: the measure writes ``registry.PersonRestriction`` (kind
    blacklist or case decision, the case number as its document), which funds reads when the
    person claims. Lifted through the measure or by overturning the decision, never on its own."""
    reason = _reasons(reason, "reason")
    today = timezone.localdate()
    if until is not None and until < today:
        raise ValidationError({"until": _("The end date cannot be in the past.")})
    with transaction.atomic():
        case = _violation_case(case, by)
        restriction = registry_actions.restrict_person(
            person, by=by, kind=RestrictionKind.BLACKLIST if blacklist else RestrictionKind.CASE_DECISION,
            reason=f"{case.number}: {reason}", starts_on=today, ends_on=until, reference=case.number,
            origin=RestrictionOrigin.CASE,
        )
        measure = CaseMeasure.objects.create(
            case=case, kind=MeasureKind.PERSON_RESTRICTION, until=until, note=reason,
            reference=person.masked_id_number, restriction=restriction,
            detail={"person": person.pk, "restriction": restriction.pk, "kind": restriction.kind}, by=by,
        )
        audit.record("supervision.case.restrict_person", actor=by, obj=case, after={
            "person": person.pk, "id_number": person.masked_id_number, "restriction": restriction.pk,
            "kind": restriction.kind, "until": until.isoformat() if until else None})
    return measure


def _lift_measure(case: Case, measure: CaseMeasure, *, by: User, reason: str) -> int | None:
    restriction = measure.restriction
    if restriction is None or restriction.lifted_at is not None:
        return None
    registry_actions.lift_restriction(restriction, by=by, reason=f"{case.number}: {reason}", by_case=True)
    return restriction.pk


def lift_person_restriction(measure: CaseMeasure, *, by: User, reason: str) -> CaseMeasure:
    """Lift a case's restriction of a person early (e.g. the person was found to be a victim of
    identity misuse); the case itself stands."""
    _require_officer(by)
    reason = _reasons(reason, "reason")
    with transaction.atomic():
        case = _visible_case(measure.case, by)
        locked = CaseMeasure.objects.select_related("restriction").filter(pk=measure.pk, case=case).first()
        if locked is None or locked.kind != MeasureKind.PERSON_RESTRICTION:
            raise ValidationError(_("Only a restriction of a person is lifted here."))
        lifted = _lift_measure(case, locked, by=by, reason=reason)
        if lifted is None:
            raise ValidationError(_("This restriction was already lifted."))
        audit.record("supervision.case.lift_restriction", actor=by, obj=case,
                     after={"measure": locked.pk, "restriction": lifted, "reason": reason})
    return locked


def overturn_decision(case: Case, *, by: User, reason: str) -> Case:
    """The violation decision is set aside (行政复议 / 行政诉讼): every restriction of a person the
    case wrote is lifted, and the institution is reinstated if its status came from this case.
    Recovery orders stay with funds (their money is handled there: write-off or refund)."""
    _require_officer(by)
    reason = _reasons(reason, "reason")
    with transaction.atomic():
        case = _visible_case(case, by)
        if (case.status, CaseStatus.OVERTURNED) not in Case.TRANSITIONS:
            raise IllegalTransition(_("A case cannot move from “%(from)s” to “%(to)s”.")
                                    % {"from": CaseStatus(case.status).label, "to": CaseStatus.OVERTURNED.label})
        lifted = [
            pk for m in case.measures.filter(kind=MeasureKind.PERSON_RESTRICTION).select_related("restriction")
            if (pk := _lift_measure(case, m, by=by, reason=reason)) is not None
        ]
        org = case.organisation
        reinstated = org.status != OrganisationStatus.ACTIVE and org.status_reason.startswith(f"{case.number}:")
        if reinstated:
            set_organisation_status(org, by=by, status=OrganisationStatus.ACTIVE, until=None,
                                    reason=f"{case.number}: {reason}")
        _move_case(case, CaseStatus.OVERTURNED, by=by, reason=reason, event="supervision.case.overturn",
                   detail={"restrictions_lifted": lifted, "institution_reinstated": reinstated})
    return case


def start_run(*, by: User, full: bool = False) -> None:
    """Queue a supervision run on behalf of an officer (the page's "run now"). The task
    backends enqueue on commit (core.tasks_rq), so nothing runs for a rolled-back request."""
    from .tasks import run_supervision_task  # tasks import this module's callers

    run_supervision_task.enqueue(full=full, user_id=by.pk)
