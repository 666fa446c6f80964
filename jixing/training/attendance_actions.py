"""Attendance evidence writes (issue 13): attendance terminals, the rotating-QR check-in from a
trainee's phone, and weekly spot checks (抽查) by county officers.

Like ``actions``: atomic, keyword-only ``by``, one audit event each. A refused check-in or
terminal signature writes nothing but a denied audit event (the security trail), then raises
``ValidationError`` with the reason in Chinese.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core.access import scope_for
from jixing.core.actor import Actor
from jixing.core.events import publish
from jixing.core.models import AuditOutcome

from . import conf, qr, rules, terminals
from .actions import check_out, write_attendance
from .models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    ProjectStatus,
    Provenance,
    SpotCheck,
    SpotCheckDraw,
    SpotCheckPhoto,
    SpotCheckResult,
    Terminal,
    TrainingClass,
    TrainingSession,
)
from .signals import spot_check_recorded

# ---------------------------------------------------------------- terminals


def _require_institution(user: Actor) -> int:
    organisation_id = getattr(user, "organisation_id", None)
    if getattr(user, "role", None) != Role.INSTITUTION or not organisation_id:
        raise PermissionDenied(_("Only staff of a training institution manage its attendance terminals."))
    return int(organisation_id)


def register_terminal(*, by: User, device_id: str, name: str = "") -> tuple[Terminal, str]:
    """Register a device of the user's institution and issue its key: the key is returned
    (to be shown once) and kept only encrypted."""
    organisation_id = _require_institution(by)
    device_id = (device_id or "").strip()
    if not device_id or len(device_id) > 64:
        raise ValidationError({"device_id": [_("Give the device ID (at most 64 characters).")]})
    key = terminals.new_key()
    with transaction.atomic():
        if Terminal.objects.select_for_update().filter(device_id=device_id).exists():
            raise ValidationError({"device_id": [_("Device %(device)s is already registered.") % {"device": device_id}]})
        terminal = Terminal.objects.create(
            organisation_id=organisation_id, device_id=device_id, name=(name or "").strip()[:100],
            key_encrypted=terminals.seal(key), key_fingerprint=terminals.fingerprint(key), issued_by=by,
        )
        audit.record("training.terminal.register", actor=by, obj=terminal,
                     after={"device_id": device_id, "key_fingerprint": terminal.key_fingerprint})
    return terminal, key


def revoke_terminal(terminal: Terminal, *, by: User, reason: str) -> Terminal:
    """Revoke a terminal's key: rows it signs are refused from now on."""
    if _require_institution(by) != terminal.organisation_id:
        raise PermissionDenied(_("Only staff of a training institution manage its attendance terminals."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for revoking the terminal.")]})
    with transaction.atomic():
        terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
        if terminal.is_revoked:
            raise ValidationError(_("The terminal is already revoked."), code="revoked")
        terminal.revoked_at = timezone.now()
        terminal.revoked_by = by
        terminal.revoked_reason = reason[:200]
        terminal.save(update_fields=["revoked_at", "revoked_by", "revoked_reason", "updated_at"])
        audit.record("training.terminal.revoke", actor=by, obj=terminal, detail={"reason": reason[:200]})
    return terminal


# ---------------------------------------------------------------- rotating QR check-in


@dataclass(frozen=True)
class QrOutcome:
    record: Attendance
    action: str  # "check_in" or "check_out"


def _refuse(by: User, session: TrainingSession, code: str, message: str, **detail: Any) -> ValidationError:
    audit.record("training.attendance.qr_refused", actor=by, obj=session, outcome=AuditOutcome.DENIED,
                 detail={"reason": code, **detail})
    return ValidationError(message, code=code)


def qr_check_in(session: TrainingSession, *, by: User, token: str, latitude: Decimal | None,
                longitude: Decimal | None, at: dt.datetime | None = None) -> QrOutcome:
    """A trainee's own phone scanned the session's rotating code: check in, or out if in.

    Refused (with the reason) for a malformed, forged or expired code, a person not on the
    roster, a missing position, a position outside the class's geofence, or outside the
    session's time window."""
    now = at or timezone.now()
    klass = session.training_class
    if getattr(by, "role", None) != Role.TRAINEE or not getattr(by, "person_id", None):
        raise PermissionDenied(_("Only a trainee checks in with the QR code, on their own phone."))
    check = qr.check_token(session.pk, token, now)
    if check.code == "expired":
        raise _refuse(by, session, "expired", _(
            "The QR code has expired (it changes every %(seconds)d seconds). Scan the code on the screen again.")
            % {"seconds": conf.qr_step_seconds()}, step=check.step)
    if not check.ok:
        raise _refuse(by, session, check.code, _(
            "The QR code is not valid for this session (forged, altered or from another session). "
            "Scan the code on the screen at the class."))
    # the enrollment and this session's attendance row (if any) in one query
    enrollment = (Enrollment.objects.filter(training_class_id=klass.pk, person_id=by.person_id or 0)
                  .annotate(attendance_id=Subquery(Attendance.objects.filter(enrollment=OuterRef("pk"), session=session)
                                                   .values("pk")[:1]))
                  .first())
    if enrollment is None or enrollment.status != EnrollmentStatus.ENROLLED:
        raise _refuse(by, session, "not_on_roster", _("You are not on the roster of class %(code)s.")
                      % {"code": klass.code})
    if latitude is None or longitude is None:
        raise _refuse(by, session, "no_location", _(
            "Checking in needs your phone's location: allow this page to use your location and try again."))
    distance = rules.distance_metres(latitude, longitude, klass.latitude, klass.longitude)
    radius = conf.geofence_metres()
    if not rules.within_geofence(distance, radius):
        shown = (_("%(km).1f km") % {"km": distance / 1000}) if distance >= 1000 else (_("%(m)d m") % {"m": round(distance)})
        raise _refuse(by, session, "outside_geofence", _(
            "You are about %(distance)s from the class site; checking in is possible only within %(radius)d m.")
            % {"distance": shown, "radius": radius}, distance=round(distance))
    attendance_id = getattr(enrollment, "attendance_id", None)
    record = Attendance.objects.filter(pk=attendance_id).first() if attendance_id else None
    if record is None:
        if not (session.starts_at - conf.checkin_early() <= now <= session.ends_at):
            raise _refuse(by, session, "window", _("The check-in time is outside the session's time window."))
        record = write_attendance(
            enrollment, session, by=by, check_in_at=now, check_out_at=None, method=CheckInMethod.QR,
            provenance=Provenance.CAPTURED, device_id=f"qr:{check.step}", latitude=latitude, longitude=longitude,
        )
        return QrOutcome(record, "check_in")
    if record.check_out_at is not None:
        raise _refuse(by, session, "done", _("You have already checked in and out of this session."))
    if now > session.ends_at + conf.checkin_late():
        raise _refuse(by, session, "window", _("The check-out time is outside the session's time window."))
    return QrOutcome(check_out(record, by=by, at=now), "check_out")


# ---------------------------------------------------------------- spot checks (抽查)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _require_county_officer(user: Actor | None, county_id: str) -> None:
    scope = scope_for(user)
    if user is None:
        return  # the scheduled command
    if getattr(user, "role", None) != Role.HRSS_OFFICER or scope.department_id or not (
        scope.everything or (scope.region_prefix and county_id.startswith(scope.region_prefix))):
        raise PermissionDenied(_("Only an HRSS officer responsible for the county may do this."))


def running_classes(county_id: str, week: dt.date) -> list[int]:
    """Classes of the county whose dates meet the week (Monday to Sunday), not closed, of an
    approved or running project."""
    return sorted(TrainingClass.objects.filter(
        county_id=county_id, start_date__lte=week + dt.timedelta(days=6), end_date__gte=week, closed_at__isnull=True,
        project__status__in=[ProjectStatus.APPROVED, ProjectStatus.RUNNING],
    ).values_list("pk", flat=True))


def draw_spot_checks(*, by: User | None, county_id: str, week: dt.date, rate: Decimal | None = None,
                     seed: str | None = None) -> SpotCheckDraw:
    """Draw this week's sample of the county's running classes and assign each to a county
    officer in turn. The seed (random unless given) and the selection are stored and audited;
    ``rules.draw_sample`` with them gives the same classes again."""
    _require_county_officer(by, county_id)
    week = monday_of(week)
    rate = conf.spot_check_rate() if rate is None else Decimal(rate)
    if not (Decimal("0") < rate <= Decimal("1")):
        raise ValidationError({"rate": [_("The sampling rate must be above 0 and at most 1.")]})
    seed = seed or secrets.token_hex(16)
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        if SpotCheckDraw.objects.select_for_update().filter(county_id=county_id, week=week).exists():
            raise ValidationError(_("The spot checks of county %(county)s for the week of %(week)s are already drawn.")
                                  % {"county": county_id, "week": week.isoformat()}, code="duplicate")
        candidates = running_classes(county_id, week)
        selected = rules.draw_sample(candidates, rate, seed)
        draw = SpotCheckDraw.objects.create(county_id=county_id, week=week, rate=rate, seed=seed,
                                            candidates=candidates, selected=selected, drawn_by=by)
        officers = list(get_user_model().objects.filter(
            role=Role.HRSS_OFFICER, region_id=county_id, is_active=True).order_by("pk"))
        SpotCheck.objects.bulk_create([
            SpotCheck(draw=draw, training_class_id=class_id, county_id=county_id,
                      assigned_to=officers[i % len(officers)] if officers else None)
            for i, class_id in enumerate(selected)
        ])
        audit.record("training.spot_check.draw", actor=by, obj=draw, detail={
            "county": county_id, "week": week.isoformat(), "rate": str(rate), "seed": seed,
            "candidates": candidates, "selected": selected,
            "assigned": {str(c.training_class_id): c.assigned_to_id for c in draw.checks.all()},
        })
        # Each assigned officer hears of their visit (notify: training.spot_check.assigned), also
        # the one who drew: the assignment is the system's round robin, not the drawer's choice.
        for check in draw.checks.filter(assigned_to__isnull=False).select_related("training_class"):
            publish("training.spot_check.assigned", obj=check, actor=None,
                    **{"class": check.training_class.code, "week": week.isoformat()})
    return draw


PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PHOTOS = 10


def _checked_photo(photo: UploadedFile, number: int) -> tuple[bytes, str]:
    """The photo's bytes and content type, or ValidationError naming the photo."""
    from PIL import Image, UnidentifiedImageError

    name = photo.name or str(number)
    limit = conf.spot_check_photo_max_bytes()
    if (photo.size or 0) > limit:
        raise ValidationError({"photos": [_("Photo %(name)s is too large (%(size).1f MB; at most %(limit).1f MB).") % {
            "name": name, "size": (photo.size or 0) / 1048576, "limit": limit / 1048576}]})
    data = photo.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"photos": [_("Photo %(name)s is too large (%(size).1f MB; at most %(limit).1f MB).") % {
            "name": name, "size": len(data) / 1048576, "limit": limit / 1048576}]})
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        kind = ""
    if kind not in PHOTO_TYPES:
        raise ValidationError({"photos": [_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}]})
    return data, PHOTO_TYPES[kind]


def record_spot_check(check: SpotCheck, *, by: User | None, session: TrainingSession, present_count: int, note: str = "",
                      photos: Sequence[UploadedFile] = (), at: dt.datetime | None = None) -> SpotCheck:
    """The officer's visit record: who was present against the attendance the institution had
    recorded for the session at that moment (counted by the system), with photos. The result
    is clean when at least as many were present as recorded; a discrepancy above R12's
    threshold opens a supervision finding (supervision listens to ``spot_check_recorded``)."""
    if check.assigned_to_id not in (None, getattr(by, "pk", None)):
        raise PermissionDenied(_("This spot check is assigned to another officer."))
    _require_county_officer(by, check.county_id)
    now = at or timezone.now()
    errors: dict[str, list[str]] = {}
    if session.training_class_id != check.training_class_id:
        errors["session"] = [_("The session belongs to another class.")]
    elif not (session.starts_at - conf.checkin_early() <= now <= session.ends_at + conf.checkin_late()):
        errors["session"] = [_("A visit is recorded while the session runs; this session is not running now.")]
    if present_count is None or int(present_count) < 0:
        errors["present_count"] = [_("Give the number of trainees present (0 or more).")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos.") % {"n": MAX_PHOTOS}]
    if errors:
        raise ValidationError(errors)
    checked = [_checked_photo(p, i) for i, p in enumerate(photos, start=1)]
    with transaction.atomic():
        check = SpotCheck.objects.select_for_update().get(pk=check.pk)
        if check.is_visited:
            raise ValidationError(_("The visit of this spot check is already recorded."), code="duplicate")
        recorded = Attendance.objects.filter(session=session).count()
        discrepancy = rules.spot_check_discrepancy(int(present_count), recorded)
        check.session = session
        check.visited_at = now
        check.present_count = int(present_count)
        check.recorded_count = recorded
        check.result = SpotCheckResult.CLEAN if discrepancy == 0 else SpotCheckResult.DISCREPANCY
        check.note = (note or "").strip()
        check.recorded_by = by
        check.save()
        from django.core.files.base import ContentFile

        for (data, content_type), upload in zip(checked, photos, strict=True):
            digest = hashlib.sha256(data).hexdigest()
            photo = SpotCheckPhoto(spot_check=check, content_type=content_type, size=len(data), sha256=digest,
                                   uploaded_by=by)
            photo.file.save(upload.name or "photo", ContentFile(data), save=False)
            photo.save()
        audit.record("training.spot_check.visit", actor=by, obj=check, after={
            "session": session.pk, "present": check.present_count, "recorded": recorded,
            "discrepancy": str(discrepancy), "result": check.result, "photos": len(checked)})
        check_id = check.pk
        transaction.on_commit(lambda: spot_check_recorded.send(sender=SpotCheck, spot_check_id=check_id))
    return check


__all__ = [
    "QrOutcome", "draw_spot_checks", "monday_of", "qr_check_in", "record_spot_check", "register_terminal",
    "revoke_terminal", "running_classes",
]

