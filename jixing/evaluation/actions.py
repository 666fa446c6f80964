"""Every evaluation write: atomic, keyword-only ``by``, one audit row each (status moves
through ``jixing.core.workflow.move``, which writes the StatusChange and the audit row).

Errors the user can fix raise ``ValidationError`` with Chinese-ready messages; a caller
outside its scope gets ``PermissionDenied`` (views fetch through ``get_for_user`` first, so
normally they answer 404 before reaching here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core import employment as employment_records
from jixing.core.events import publish
from jixing.core.masking import mask_name
from jixing.core.workflow import move
from jixing.registry.models import Occupation, Organisation, Person, SkillLevel

from . import numbering, queries, rules
from .models import (
    APPOINTED_LEVELS,
    Candidate,
    CandidateSource,
    Certificate,
    CertificateStatus,
    DirectRecognition,
    EnterpriseRosterEntry,
    EvaluationFiling,
    EvaluationMode,
    EvaluationResult,
    EvaluationSession,
    FilingKind,
    FilingScope,
    FilingStatus,
    LevelAppointment,
    RecognitionStatus,
    ResultStatus,
    SessionStatus,
)

ORG_ROLES = frozenset({Role.EVALUATOR, Role.INSTITUTION})


# ------------------------------------------------------------------ helpers


def _refuse(decision: rules.Decision) -> None:
    if not decision.ok:
        raise ValidationError(decision.reasons)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."))
    return reason[:300]


def require_member(by: User, organisation_id: int) -> None:
    if getattr(by, "role", None) not in ORG_ROLES or by.organisation_id != organisation_id:
        raise PermissionDenied


def _require_officer(by: User, organisation: Organisation) -> None:
    if getattr(by, "role", None) != Role.HRSS_OFFICER:
        raise PermissionDenied
    if not Organisation.objects.visible_to(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied


def _not_same(by: User, maker_id: int | None) -> None:
    """Maker ≠ checker (SECURITY.md G1)."""
    if maker_id is not None and by.pk == maker_id:
        raise PermissionDenied(_("You cannot review your own submission."))


def _province(organisation: Organisation) -> str:
    return organisation.county_id[:2]


def _category(kind: str) -> str:
    return numbering.CATEGORY_EMPLOYER if kind == FilingKind.ENTERPRISE else numbering.CATEGORY_SOCIAL


# ------------------------------------------------------------------ employment at the enterprise


def employment_check(organisation: Organisation, person: Person, on: dt.date) -> tuple[rules.Check, str]:
    """Is the person the enterprise's employee on ``on``? (insurance records, else its roster)"""
    records = employment_records.employment_evidence(person.pk, organisation.uscc, on)
    on_roster = EnterpriseRosterEntry.objects.filter(organisation=organisation, person=person).exists()
    return rules.check_employment(records=records, on_roster=on_roster, organisation_name=organisation.name)


def record_enterprise_roster(*, organisation: Organisation, persons: Iterable[Person], by: User,
                             source_sha256: str = "") -> int:
    """An enterprise not yet in the insurance records uploads its employees (marked as a roster
    basis wherever used). Refused once the records know the enterprise: they decide then."""
    require_member(by, organisation.pk)
    if organisation.kind != "enterprise":
        raise ValidationError(_("Only an enterprise uploads a roster of its employees."))
    if employment_records.employer_in_records(organisation.uscc):
        raise ValidationError(_("%(org)s is in the insurance records; they decide who its employees are, not a "
                                "roster.") % {"org": organisation.name}, code="in_records")
    persons = list(dict.fromkeys(persons))
    if not persons:
        raise ValidationError(_("The roster names nobody."))
    with transaction.atomic():
        existing = set(EnterpriseRosterEntry.objects.filter(organisation=organisation, person__in=persons)
                       .values_list("person_id", flat=True))
        new = [EnterpriseRosterEntry(organisation=organisation, person=p, uploaded_by=by, source_sha256=source_sha256[:64])
               for p in persons if p.pk not in existing]
        EnterpriseRosterEntry.objects.bulk_create(new)
        audit.record("evaluation.roster.upload", actor=by, obj=organisation,
                     after={"added": len(new), "already": len(existing), "sha256": source_sha256[:64]})
    return len(new)


# ------------------------------------------------------------------ filings


def submit_filing(
    *, organisation: Organisation, kind: str, valid_from: dt.date, valid_to: dt.date,
    scopes: Sequence[tuple[Occupation, SkillLevel]], examiners: Iterable[Person], by: User,
) -> EvaluationFiling:
    require_member(by, organisation.pk)
    examiners = list(examiners)
    pairs = list(dict.fromkeys((o.pk, lv.pk) for o, lv in scopes))
    levels = {lv.pk: lv for _o, lv in scopes}
    today = timezone.localdate()
    _refuse(rules.check_filing(rules.FilingDraft(
        kind=kind, organisation_kind=organisation.kind, organisation_blocked=organisation.is_blocked_on(today),
        valid_from=valid_from, valid_to=valid_to,
        scope_levels=tuple((levels[lv].name, levels[lv].national_level) for _o, lv in pairs),
        examiner_count=len(examiners), above_size_list_year=organisation.above_size_list_year,
    )))
    with transaction.atomic():
        filing = EvaluationFiling.objects.create(
            organisation=organisation, kind=kind, valid_from=valid_from, valid_to=valid_to, submitted_by=by,
        )
        FilingScope.objects.bulk_create(FilingScope(filing=filing, occupation_id=o, level_id=lv) for o, lv in pairs)
        filing.examiners.set(examiners)
        audit.record("evaluation_filing.submit", actor=by, obj=filing, after={
            "kind": kind, "valid_from": str(valid_from), "valid_to": str(valid_to),
            "scopes": [list(p) for p in pairs], "examiners": len(examiners),
        })
        publish("evaluation.filing.submitted", obj=filing, actor=by, organisation=organisation.name)
    return filing


def approve_filing(filing: EvaluationFiling, *, by: User) -> EvaluationFiling:
    _require_officer(by, filing.organisation)
    _not_same(by, filing.submitted_by_id)
    with transaction.atomic():
        filing = EvaluationFiling.objects.select_for_update().get(pk=filing.pk)
        if filing.status == FilingStatus.SUBMITTED and not filing.code:
            filing.code = numbering.next_filing_prefix(_category(filing.kind), _province(filing.organisation))
        filing.decided_by = by
        filing.decided_at = timezone.now()
        filing.status_reason = ""
        filing.save(update_fields=["code", "decided_by", "decided_at", "status_reason", "updated_at"])
        move(filing, FilingStatus.APPROVED, by=by, event="evaluation_filing.approve")
        publish("evaluation.filing.approved", obj=filing, actor=by)
    return filing


def _filing_decision(filing: EvaluationFiling, to: str, *, by: User, reason: str, event: str) -> EvaluationFiling:
    _require_officer(by, filing.organisation)
    _not_same(by, filing.submitted_by_id)
    reason = _reason(reason)
    with transaction.atomic():
        filing = EvaluationFiling.objects.select_for_update().get(pk=filing.pk)
        filing.status_reason = reason
        filing.decided_by = by
        filing.decided_at = timezone.now()
        filing.save(update_fields=["status_reason", "decided_by", "decided_at", "updated_at"])
        move(filing, to, by=by, reason=reason, event=event)
        publish(f"evaluation.filing.{to}", obj=filing, actor=by, reason=reason)
    return filing


def reject_filing(filing: EvaluationFiling, *, by: User, reason: str) -> EvaluationFiling:
    return _filing_decision(filing, FilingStatus.REJECTED, by=by, reason=reason, event="evaluation_filing.reject")


def suspend_filing(filing: EvaluationFiling, *, by: User, reason: str) -> EvaluationFiling:
    """Stops new sessions (rules.check_session); sessions already held keep their results."""
    return _filing_decision(filing, FilingStatus.SUSPENDED, by=by, reason=reason, event="evaluation_filing.suspend")


def reinstate_filing(filing: EvaluationFiling, *, by: User, reason: str) -> EvaluationFiling:
    return _filing_decision(filing, FilingStatus.APPROVED, by=by, reason=reason, event="evaluation_filing.reinstate")


def revoke_filing(filing: EvaluationFiling, *, by: User, reason: str) -> EvaluationFiling:
    return _filing_decision(filing, FilingStatus.REVOKED, by=by, reason=reason, event="evaluation_filing.revoke")


# ------------------------------------------------------------------ sessions


def create_session(
    *, filing: EvaluationFiling, occupation: Occupation, level: SkillLevel, mode: str, date: dt.date,
    site: str, examiners: Iterable[Person], by: User,
) -> EvaluationSession:
    require_member(by, filing.organisation_id)
    examiners = list(examiners)
    with transaction.atomic():
        # lock the filing so a suspension cannot slip between the check and the insert
        filing = EvaluationFiling.objects.select_for_update().get(pk=filing.pk)
        return _create_session(filing=filing, occupation=occupation, level=level, mode=mode, date=date, site=site,
                               examiners=examiners, by=by)


def _create_session(
    *, filing: EvaluationFiling, occupation: Occupation, level: SkillLevel, mode: str, date: dt.date,
    site: str, examiners: list[Person], by: User,
) -> EvaluationSession:
    decision = rules.check_session(
        queries.filing_facts(filing), occupation_id=occupation.pk, level_order=level.pk, level_name=level.name,
        national_level=level.national_level, on=date, mode=mode,
    )
    _refuse(decision)
    if not site.strip():
        raise ValidationError(_("Give the evaluation site."))
    allowed = set(filing.examiners.values_list("pk", flat=True))
    if not examiners:
        raise ValidationError(_("Name at least one examiner."))
    if any(p.pk not in allowed for p in examiners):
        raise ValidationError(_("Every examiner must be one of the filing's examiners."))
    with transaction.atomic():
        seq = numbering.next_sequence(f"session:{date.year}")
        session = EvaluationSession.objects.create(
            code=f"PC{date.year}{seq:06d}", filing=filing, occupation=occupation, level=level, mode=mode,
            date=date, site=site.strip()[:200], created_by=by,
        )
        session.examiners.set(examiners)
        audit.record("evaluation_session.create", actor=by, obj=session, after={
            "filing": filing.code, "occupation": occupation.pk, "level": level.pk, "mode": mode, "date": str(date),
        })
    return session


def _applicant(person: Person, session: EvaluationSession, *, years_of_work: int, completed_training: bool) -> rules.Applicant:
    return rules.Applicant(
        age=person.age_on(session.date), education=person.education, years_of_work=years_of_work,
        held_level=queries.held_level(person.pk, session.occupation_id), completed_training=completed_training,
    )


def _check_editable(session: EvaluationSession) -> None:
    if not session.is_editable:
        raise ValidationError(_("The session's results are submitted or locked; it can no longer be changed."))


def _add_candidate(
    session: EvaluationSession, person: Person, *, enrollment: Any, years_of_work: int, by: User,
    extra: rules.Decision | None = None,
) -> Candidate:
    require_member(by, session.filing.organisation_id)
    _check_editable(session)
    if years_of_work < 0 or years_of_work > 60:
        raise ValidationError(_("Years of related work must be between 0 and 60."))
    if Candidate.objects.filter(session=session, person=person).exists():
        raise ValidationError(_("This person is already a candidate of this session."))
    decision = rules.check_application(
        _applicant(person, session, years_of_work=years_of_work, completed_training=enrollment is not None),
        level_order=session.level_id, level_name=session.level.name, mode=session.mode,
    )
    if extra is not None:
        decision = rules.Decision(extra.checks + decision.checks)
    basis = ""
    if session.mode in (EvaluationMode.ENTERPRISE, EvaluationMode.DIRECT):
        check, basis = employment_check(session.filing.organisation, person, session.date)
        decision = rules.Decision((*decision.checks, check))
    _refuse(decision)
    with transaction.atomic():
        candidate = Candidate.objects.create(
            session=session, person=person, enrollment=enrollment,
            source=CandidateSource.ENROLLMENT if enrollment is not None else CandidateSource.APPLICATION,
            years_of_work=years_of_work, conditions=decision.as_json(), added_by=by, employment_basis=basis,
        )
        audit.record("evaluation_candidate.add", actor=by, obj=candidate, after={
            "session": session.code, "person": person.masked_id_number, "source": candidate.source,
        })
    return candidate


def add_enrollment_candidate(session: EvaluationSession, enrollment: Any, *, years_of_work: int = 0, by: User) -> Candidate:
    """A trainee who completed a course sits the evaluation; refused when the evaluation is
    dated before the training ended (a fraud pattern audits found)."""
    e = enrollment
    check = rules.check_enrollment_candidate(
        rules.EnrollmentFacts(status=e.status, completed_on=e.completed_on, class_end_date=e.training_class.end_date,
                              occupation_id=e.training_class.project.occupation_id),
        session_occupation_id=session.occupation_id, session_date=session.date,
    )
    return _add_candidate(session, e.person, enrollment=e, years_of_work=years_of_work, by=by, extra=check)


def add_applicant(session: EvaluationSession, person: Person, *, years_of_work: int, by: User) -> Candidate:
    return _add_candidate(session, person, enrollment=None, years_of_work=years_of_work, by=by)


def _session_examiner_ids(session: EvaluationSession) -> set[int]:
    return set(session.examiners.values_list("pk", flat=True))


def _scores(theory: Decimal | None, practical: Decimal | None, comprehensive: Decimal | None,
            marks: rules.PassMarks) -> rules.Scores:
    if theory is None or practical is None:
        raise ValidationError(_("Enter both the theory and the practical score."))
    scores = rules.Scores(theory=Decimal(theory), practical=Decimal(practical),
                          comprehensive=None if comprehensive is None else Decimal(comprehensive))
    _refuse(rules.check_scores(scores, marks))
    return scores


def _dated_after_session(session: EvaluationSession, day: dt.date, *, what: str) -> None:
    """No result or certificate is dated before the evaluation session took place (issue 16:
    scores were accepted and certificates issued dated before the session's date)."""
    if day < session.date:
        raise ValidationError(_("%(what)s cannot be dated %(day)s, before the evaluation session's date %(date)s.")
                              % {"what": what, "day": day, "date": session.date}, code="before_session")


def _enrollment_date_check(candidate: Candidate, day: dt.date | None = None) -> None:
    """Neither the session nor the result/certificate date may precede the end of the training."""
    e = candidate.enrollment
    if e is None:
        return
    ended = max(e.training_class.end_date, e.completed_on or e.training_class.end_date)
    if day is not None and day < ended:
        raise ValidationError(_("A result or certificate cannot be dated %(day)s, before the training ended (%(end)s).")
                              % {"day": day, "end": ended}, code="before_training_end")
    if candidate.session.date < ended:
        raise ValidationError(_("The evaluation date %(date)s is before the training ended (%(end)s).")
                              % {"date": candidate.session.date, "end": ended})


def record_result(
    candidate: Candidate, *, theory: Decimal | None, practical: Decimal | None, comprehensive: Decimal | None = None,
    examiner: Person, by: User,
) -> EvaluationResult:
    """Enter or overwrite the draft scores of a candidate while the session is open."""
    session = candidate.session
    require_member(by, session.filing.organisation_id)
    _check_editable(session)
    _dated_after_session(session, timezone.localdate(), what=_("A result"))
    _enrollment_date_check(candidate, timezone.localdate())
    if examiner.pk not in _session_examiner_ids(session):
        raise ValidationError(_("The examiner must be one of the session's examiners."))
    marks = queries.pass_marks_for(session.occupation_id, session.level_id)
    scores = _scores(theory, practical, comprehensive, marks)
    verdict = rules.decide_pass(scores, marks)
    with transaction.atomic():
        result = EvaluationResult.objects.select_for_update().filter(
            candidate=candidate, status=ResultStatus.DRAFT, supersedes__isnull=True
        ).first()
        before = None
        if result is None:
            if candidate.results.exists():
                raise ValidationError(_("This candidate's result is already submitted."))
            result = EvaluationResult(candidate=candidate, version=1, entered_by=by)
        else:
            before = {"theory": str(result.theory_score), "practical": str(result.practical_score),
                      "comprehensive": str(result.comprehensive_score), "passed": result.passed}
        result.theory_score, result.practical_score = scores.theory, scores.practical
        result.comprehensive_score = scores.comprehensive
        result.passed, result.pass_reasons = verdict.ok, verdict.as_json()
        result.examiner, result.entered_by = examiner, by
        result.full_clean(exclude=["candidate", "supersedes", "examiner", "entered_by", "reviewed_by"])
        result.save()
        audit.record("evaluation_result.record", actor=by, obj=result, before=before, after={
            "theory": str(scores.theory), "practical": str(scores.practical),
            "comprehensive": str(scores.comprehensive), "passed": verdict.ok, "examiner": examiner.pk,
        })
    return result


def submit_results(session: EvaluationSession, *, by: User) -> EvaluationSession:
    require_member(by, session.filing.organisation_id)
    with transaction.atomic():
        session = EvaluationSession.objects.select_for_update().get(pk=session.pk)
        _check_editable(session)
        drafts = EvaluationResult.objects.filter(candidate__session=session, status=ResultStatus.DRAFT)
        if not drafts.exists():
            raise ValidationError(_("Enter at least one result before submitting."))
        drafts.update(status=ResultStatus.SUBMITTED, updated_at=timezone.now())
        session.submitted_by = by
        session.save(update_fields=["submitted_by", "updated_at"])
        move(session, SessionStatus.SUBMITTED, by=by, event="evaluation_session.submit")
    return session


def return_results(session: EvaluationSession, *, by: User, reason: str) -> EvaluationSession:
    _require_officer(by, session.filing.organisation)
    _not_same(by, session.submitted_by_id)
    reason = _reason(reason)
    with transaction.atomic():
        session = EvaluationSession.objects.select_for_update().get(pk=session.pk)
        EvaluationResult.objects.filter(candidate__session=session, status=ResultStatus.SUBMITTED).update(
            status=ResultStatus.DRAFT, updated_at=timezone.now()
        )
        move(session, SessionStatus.RETURNED, by=by, reason=reason, event="evaluation_session.return")
    return session


def lock_results(session: EvaluationSession, *, by: User) -> list[Certificate]:
    """Review and lock a session (maker ≠ checker); passed results get their certificates."""
    _require_officer(by, session.filing.organisation)
    _not_same(by, session.submitted_by_id)
    now = timezone.now()
    _dated_after_session(session, timezone.localdate(), what=_("A locked result"))
    with transaction.atomic():
        session = EvaluationSession.objects.select_for_update().get(pk=session.pk)
        submitted = EvaluationResult.objects.filter(candidate__session=session, status=ResultStatus.SUBMITTED)
        if submitted.filter(entered_by=by).exists():
            raise PermissionDenied(_("You cannot review your own submission."))
        submitted.update(status=ResultStatus.LOCKED, reviewed_by=by, locked_at=now, updated_at=now)
        session.reviewed_by, session.reviewed_at = by, now
        session.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
        move(session, SessionStatus.LOCKED, by=by, event="evaluation_session.lock")
        passed = EvaluationResult.objects.filter(candidate__session=session, status=ResultStatus.LOCKED, passed=True)
        return [issue_certificate(r, by=by) for r in passed.select_related("candidate__session__filing__organisation")]


# ------------------------------------------------------------------ corrections


def correct_result(
    result: EvaluationResult, *, theory: Decimal | None, practical: Decimal | None, comprehensive: Decimal | None = None,
    examiner: Person, reason: str, by: User,
) -> EvaluationResult:
    """A locked result is never edited: the correction is a new version for review."""
    candidate = result.candidate
    session = candidate.session
    require_member(by, session.filing.organisation_id)
    reason = _reason(reason)
    _dated_after_session(session, timezone.localdate(), what=_("A result"))
    if not queries.current_locked_results(EvaluationResult.objects.filter(pk=result.pk)).exists():
        raise ValidationError(_("Only the current locked result can be corrected."))
    if examiner.pk not in _session_examiner_ids(session):
        raise ValidationError(_("The examiner must be one of the session's examiners."))
    marks = queries.pass_marks_for(session.occupation_id, session.level_id)
    scores = _scores(theory, practical, comprehensive, marks)
    verdict = rules.decide_pass(scores, marks)
    with transaction.atomic():
        Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.results.filter(status__in=[ResultStatus.DRAFT, ResultStatus.SUBMITTED]).exists():
            raise ValidationError(_("A correction of this result is already waiting for review."))
        top = candidate.results.order_by("-version").values_list("version", flat=True).first() or 0
        new = EvaluationResult.objects.create(
            candidate=candidate, version=top + 1, supersedes=result, correction_reason=reason,
            theory_score=scores.theory, practical_score=scores.practical, comprehensive_score=scores.comprehensive,
            passed=verdict.ok, pass_reasons=verdict.as_json(), examiner=examiner, status=ResultStatus.SUBMITTED,
            entered_by=by,
        )
        audit.record("evaluation_result.correct", actor=by, obj=new, before={
            "version": result.version, "theory": str(result.theory_score), "practical": str(result.practical_score),
            "comprehensive": str(result.comprehensive_score), "passed": result.passed,
        }, after={
            "version": new.version, "theory": str(new.theory_score), "practical": str(new.practical_score),
            "comprehensive": str(new.comprehensive_score), "passed": new.passed,
        }, detail={"reason": reason})
    return new


def review_correction(result: EvaluationResult, *, by: User, approve: bool, reason: str = "") -> EvaluationResult:
    """Lock (approve) or reject a correction. On approval the certificate follows the new
    verdict: revoked when it no longer passes, issued when it now passes."""
    session = result.candidate.session
    _require_officer(by, session.filing.organisation)
    _not_same(by, result.entered_by_id)
    if not approve:
        reason = _reason(reason)
    with transaction.atomic():
        result = EvaluationResult.objects.select_for_update().get(pk=result.pk)
        if result.status != ResultStatus.SUBMITTED or result.supersedes_id is None:
            raise ValidationError(_("This correction is not waiting for review."))
        now = timezone.now()
        result.reviewed_by = by
        if not approve:
            result.status = ResultStatus.REJECTED
            result.save(update_fields=["status", "reviewed_by", "updated_at"])
            audit.record("evaluation_result.correction_reject", actor=by, obj=result, detail={"reason": reason})
            return result
        result.status, result.locked_at = ResultStatus.LOCKED, now
        result.save(update_fields=["status", "reviewed_by", "locked_at", "updated_at"])
        audit.record("evaluation_result.correction_lock", actor=by, obj=result,
                     after={"version": result.version, "passed": result.passed})
        existing = Certificate.objects.valid().filter(result__candidate=result.candidate).first()
        if existing and not result.passed:
            revoke_certificate(existing, by=by, reason=_("Result corrected to a fail (version %(v)s).") % {"v": result.version})
        elif existing is None and result.passed:
            issue_certificate(result, by=by)
    return result


# ------------------------------------------------------------------ certificates


def issue_certificate(result: EvaluationResult, *, by: User) -> Certificate:
    """Certificate for a passed, locked, current result; numbered per filing × year."""
    existing = Certificate.objects.filter(result=result).first()
    if existing is not None:
        return existing
    if not (result.status == ResultStatus.LOCKED and result.passed):
        raise ValidationError(_("Only a passed, locked result gets a certificate."))
    candidate = result.candidate
    session = candidate.session
    filing = session.filing
    level = session.level
    digit = numbering.level_code(level.national_level)
    if digit is None:
        raise ValidationError(_("No skill-level certificate is issued for this level."))
    issued_on = timezone.localdate()
    _dated_after_session(session, issued_on, what=_("A certificate"))
    _enrollment_date_check(candidate, issued_on)
    with transaction.atomic():
        # the result row lock makes a second, concurrent issue of the same result wait and then
        # find the first one's certificate (the OneToOne constraint is the final guard)
        EvaluationResult.objects.select_for_update().filter(pk=result.pk).first()
        existing = Certificate.objects.filter(result=result).first()
        if existing is not None:
            return existing
        number = numbering.next_certificate_number(filing.code, issued_on=issued_on, level_digit=digit)
        cert = Certificate.objects.create(
            number=number, person_id=candidate.person_id, occupation_id=session.occupation_id, level=level,
            mode=session.mode, issuer_id=filing.organisation_id, filing=filing, issued_on=issued_on, result=result,
            issued_by=by,
        )
        audit.record("certificate.issue", actor=by, obj=cert, after={
            "number": number, "level": level.pk, "occupation": session.occupation_id, "mode": session.mode,
        })
        publish("evaluation.certificate.issued", obj=cert, actor=by)
    return cert


def revoke_certificate(cert: Certificate, *, by: User, reason: str) -> Certificate:
    if getattr(by, "role", None) != Role.HRSS_OFFICER or not Certificate.objects.visible_to(by).filter(pk=cert.pk).exists():
        raise PermissionDenied
    reason = _reason(reason)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        cert.revoked_reason, cert.revoked_at = reason, timezone.now()
        cert.save(update_fields=["revoked_reason", "revoked_at", "updated_at"])
        move(cert, CertificateStatus.REVOKED, by=by, reason=reason, event="certificate.revoke")
        publish("evaluation.certificate.revoked", obj=cert, actor=by, reason=reason)
    return cert


# ------------------------------------------------------------------ direct recognition


def propose_recognition(
    *, organisation: Organisation, person: Person, occupation: Occupation, level: SkillLevel,
    achievements: str, evidence: str, by: User,
) -> DirectRecognition:
    require_member(by, organisation.pk)
    decision = rules.check_recognition(rules.RecognitionFacts(
        organisation_kind=organisation.kind, organisation_blocked=organisation.is_blocked_on(timezone.localdate()),
        level_order=level.pk, level_name=level.name, national_level=level.national_level,
        held_level=queries.held_level(person.pk, occupation.pk), achievements=achievements, evidence=evidence,
    ))
    check, basis = employment_check(organisation, person, timezone.localdate())
    decision = rules.Decision((*decision.checks, check))
    _refuse(decision)
    if DirectRecognition.objects.filter(person=person, occupation=occupation, status=RecognitionStatus.PROPOSED).exists():
        raise ValidationError(_("A proposal for this worker and occupation is already waiting."))
    with transaction.atomic():
        rec = DirectRecognition.objects.create(
            organisation=organisation, person=person, occupation=occupation, level=level,
            achievements=achievements.strip(), evidence=evidence.strip(), proposed_by=by, employment_basis=basis,
        )
        audit.record("direct_recognition.propose", actor=by, obj=rec, after={
            "person": person.masked_id_number, "occupation": occupation.pk, "level": level.pk,
        })
    return rec


def _recognition_prefix(rec: DirectRecognition, on: dt.date) -> tuple[str, EvaluationFiling | None]:
    """The enterprise's own approved, valid filing if it has one; else the province's
    reserved recognition sequence (numbering.py, local convention)."""
    filing = (
        EvaluationFiling.objects.filter(
            organisation=rec.organisation, kind=FilingKind.ENTERPRISE, status=FilingStatus.APPROVED,
            valid_from__lte=on, valid_to__gte=on,
        ).exclude(code="").order_by("-valid_to").first()
    )
    if filing is not None:
        return filing.code, filing
    return numbering.filing_prefix(numbering.CATEGORY_EMPLOYER, _province(rec.organisation), 0), None


def approve_recognition(rec: DirectRecognition, *, by: User, reason: str) -> Certificate:
    _require_officer(by, rec.organisation)
    _not_same(by, rec.proposed_by_id)
    reason = _reason(reason)
    held = queries.held_level(rec.person_id, rec.occupation_id)
    if held is not None and held >= rec.level_id:
        raise ValidationError(_("Already holds a certificate of this occupation at %(level)s or higher.")
                              % {"level": rec.level.name})
    digit = numbering.level_code(rec.level.national_level)
    if digit is None:
        raise ValidationError(_("No skill-level certificate is issued for this level."))
    today = timezone.localdate()
    with transaction.atomic():
        rec = DirectRecognition.objects.select_for_update().get(pk=rec.pk)
        rec.decision_reason, rec.decided_by, rec.decided_at = reason, by, timezone.now()
        rec.save(update_fields=["decision_reason", "decided_by", "decided_at", "updated_at"])
        move(rec, RecognitionStatus.APPROVED, by=by, reason=reason, event="direct_recognition.approve")
        prefix, filing = _recognition_prefix(rec, today)
        number = numbering.next_certificate_number(prefix, issued_on=today, level_digit=digit)
        cert = Certificate.objects.create(
            number=number, person_id=rec.person_id, occupation_id=rec.occupation_id, level_id=rec.level_id,
            mode=EvaluationMode.DIRECT, issuer_id=rec.organisation_id, filing=filing, issued_on=today,
            recognition=rec, issued_by=by,
        )
        audit.record("certificate.issue", actor=by, obj=cert, after={
            "number": number, "level": rec.level_id, "occupation": rec.occupation_id, "mode": EvaluationMode.DIRECT,
            "holder": mask_name(rec.person.name),
        })
    return cert


def reject_recognition(rec: DirectRecognition, *, by: User, reason: str) -> DirectRecognition:
    _require_officer(by, rec.organisation)
    _not_same(by, rec.proposed_by_id)
    reason = _reason(reason)
    with transaction.atomic():
        rec = DirectRecognition.objects.select_for_update().get(pk=rec.pk)
        rec.decision_reason, rec.decided_by, rec.decided_at = reason, by, timezone.now()
        rec.save(update_fields=["decision_reason", "decided_by", "decided_at", "updated_at"])
        move(rec, RecognitionStatus.REJECTED, by=by, reason=reason, event="direct_recognition.reject")
    return rec


# ------------------------------------------------------------------ ladder appointments


def appoint_level(
    *, organisation: Organisation, person: Person, occupation: Occupation, level: SkillLevel, appointed_on: dt.date,
    basis: str, by: User,
) -> LevelAppointment:
    """The employing enterprise records a worker's 学徒工, 特级技师 or 首席技师 level (the rungs of the
    new eight-level ladder that carry no certificate), after the conditions and the employment check."""
    require_member(by, organisation.pk)
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": [_("Give the basis: the enterprise's decision and its evidence.")]})
    today = timezone.localdate()
    held_appointment = (LevelAppointment.objects.active().filter(person=person, occupation=occupation)
                        .order_by("-level_id").values_list("level_id", flat=True).first())
    decision = rules.check_appointment(rules.AppointmentFacts(
        organisation_kind=organisation.kind, organisation_blocked=organisation.is_blocked_on(today),
        level_order=level.pk, level_name=level.name, appointed_on=appointed_on, today=today,
        held_certificate_level=queries.held_level(person.pk, occupation.pk), held_appointment_level=held_appointment,
    ))
    employed, employment_basis = employment_check(organisation, person, appointed_on)
    decision = rules.Decision((*decision.checks, employed))
    _refuse(decision)
    assert level.pk in APPOINTED_LEVELS
    with transaction.atomic():
        appointment = LevelAppointment.objects.create(
            organisation=organisation, person=person, occupation=occupation, level=level, appointed_on=appointed_on,
            basis=basis[:2000], employment_basis=employment_basis, conditions=decision.as_json(), recorded_by=by,
        )
        audit.record("evaluation.level_appointment.record", actor=by, obj=appointment, after={
            "person": person.masked_id_number, "occupation": occupation.pk, "level": level.pk,
            "appointed_on": str(appointed_on), "employment_basis": employment_basis,
        })
    return appointment


def end_appointment(appointment: LevelAppointment, *, by: User, ended_on: dt.date, reason: str) -> LevelAppointment:
    """Leaving the enterprise or the post ends the appointment (kept, never deleted)."""
    require_member(by, appointment.organisation_id)
    reason = _reason(reason)
    with transaction.atomic():
        appointment = LevelAppointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.ended_on is not None:
            raise ValidationError(_("The appointment has already ended."))
        if ended_on < appointment.appointed_on or ended_on > timezone.localdate():
            raise ValidationError(_("The end date must lie between the appointment date and today."))
        appointment.ended_on, appointment.end_reason = ended_on, reason
        appointment.save(update_fields=["ended_on", "end_reason", "updated_at"])
        audit.record("evaluation.level_appointment.end", actor=by, obj=appointment,
                     after={"ended_on": str(ended_on)}, detail={"reason": reason})
    return appointment
