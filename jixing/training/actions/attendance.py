"""Attendance: check-in and check-out, officer corrections, attendance rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit

from .. import conf, rules
from ..access import is_organiser_staff
from ..face import get_provider
from ..models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    FilingStatus,
    Provenance,
    TrainingClass,
    TrainingSession,
)
from .common import _lock

# ---------------------------------------------------------------- attendance


def refresh_attendance_rates(*, class_ids: Iterable[int] | None = None, enrollment_ids: Iterable[int] | None = None) -> int:
    """Recompute attended hours / class hours (rules.attendance_rate) for the enrollments of
    the given classes and/or ids, set-based: one UPDATE … FROM two grouped sums."""
    conditions, params = [], []
    if class_ids is not None:
        ids = list(class_ids)
        if not ids:
            return 0
        conditions.append(f"e.training_class_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if enrollment_ids is not None:
        ids = list(enrollment_ids)
        if not ids:
            return 0
        conditions.append(f"e.id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    where = " AND ".join(conditions) or "1 = 1"
    # Floating-point division (SQLite would divide integers), rounded in SQL to the column's three
    # decimals so comparisons with the required rate are exact on both databases.
    real = "DOUBLE PRECISION" if connection.vendor == "postgresql" else "REAL"
    rounded = "ROUND(CAST(x.rate AS NUMERIC), 3)" if connection.vendor == "postgresql" else "ROUND(x.rate, 3)"
    sql = f"""
        UPDATE training_enrollment SET attendance_rate = {rounded}
        FROM (
            SELECT e.id AS enrollment_id,
                   CASE WHEN COALESCE(h.total, 0) = 0 THEN 0
                        ELSE MIN(CAST(COALESCE(a.total, 0) AS {real}) / CAST(h.total AS {real}), 1.0) END AS rate
            FROM training_enrollment e
            LEFT JOIN (SELECT enrollment_id, SUM(credited_hours) AS total FROM training_attendance
                       WHERE enrollment_id IN (SELECT e.id FROM training_enrollment e WHERE {where})
                       GROUP BY enrollment_id) a ON a.enrollment_id = e.id
            LEFT JOIN (SELECT training_class_id, SUM(hours) AS total FROM training_trainingsession
                       WHERE training_class_id IN (SELECT e.training_class_id FROM training_enrollment e WHERE {where})
                       GROUP BY training_class_id) h ON h.training_class_id = e.training_class_id
            WHERE {where}
        ) x
        WHERE training_enrollment.id = x.enrollment_id AND training_enrollment.attendance_rate <> {rounded}
    """
    if connection.vendor == "postgresql":
        sql = sql.replace("MIN(CAST", "LEAST(CAST")
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 3)
        return cursor.rowcount


def _share_lock_class(class_id: int) -> tuple[bool, str]:
    """Is the class closed, and its filing status, read in the statement that locks it. On
    PostgreSQL the row is held ``FOR SHARE`` until commit: check-ins of one class (and the bulk
    attendance import, which does the same) run side by side, while closing the class (``FOR
    UPDATE`` in ``close_class``) waits for them and they for it, so no row lands in a class once
    it is closed. SQLite serialises writers anyway."""
    suffix = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT closed_at, filing_status FROM {TrainingClass._meta.db_table} WHERE id = %s{suffix}",
                       [class_id])
        row = cursor.fetchone()
    if row is None:
        raise TrainingClass.DoesNotExist
    return row[0] is not None, row[1]


def _lock_enrollment(enrollment_id: int, session_id: int) -> tuple[str, bool]:
    """The enrollment's status and whether it has a row for the session, its row locked
    (``FOR NO KEY UPDATE``) until commit: two check-ins of the same person queue here. (A row
    the other one committed while this one waited is not in this statement's snapshot: the
    unique constraint on (enrollment, session) refuses it at the insert.)"""
    suffix = " FOR NO KEY UPDATE OF e" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.status, EXISTS (SELECT 1 FROM {Attendance._meta.db_table} a WHERE a.enrollment_id = e.id "
            f"AND a.session_id = %s) FROM {Enrollment._meta.db_table} e WHERE e.id = %s{suffix}",
            [session_id, enrollment_id])
        row = cursor.fetchone()
    if row is None:
        raise Enrollment.DoesNotExist
    return str(row[0]), bool(row[1])


def _check_window(session: TrainingSession, check_in_at: dt.datetime) -> None:
    if not (session.starts_at - conf.checkin_early() <= check_in_at <= session.ends_at):
        raise ValidationError({"check_in_at": [_("The check-in time is outside the session's time window.")]},
                              code="window")


def _check_coordinates(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if latitude is not None and not (-90 <= latitude <= 90):
        raise ValidationError({"latitude": [_("The latitude must be between -90 and 90.")]})
    if longitude is not None and not (-180 <= longitude <= 180):
        raise ValidationError({"longitude": [_("The longitude must be between -180 and 180.")]})


def _require_attendance_writer(user: Any, enrollment: Enrollment) -> None:
    if is_organiser_staff(user, enrollment.training_class.project):
        return
    if getattr(user, "role", None) == Role.TRAINEE and user.person_id == enrollment.person_id:
        return
    raise PermissionDenied(_("Only the organising institution or the trainee may record attendance."))


def record_attendance(
    enrollment: Enrollment, session: TrainingSession, *, by: Any, check_in_at: dt.datetime,
    check_out_at: dt.datetime | None = None, method: str = CheckInMethod.TEACHER, device_id: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, face_score: Decimal | None = None,
    photo_ref: str = "",
) -> Attendance:
    _require_attendance_writer(by, enrollment)
    if method not in CheckInMethod.values:
        raise ValidationError({"method": [_("Unknown check-in method.")]})
    if session.training_class_id != enrollment.training_class_id:
        raise ValidationError({"session": [_("The session belongs to another class.")]})
    if check_out_at is not None and check_out_at <= check_in_at:
        raise ValidationError({"check_out_at": [_("The check-out must be after the check-in.")]})
    _check_coordinates(latitude, longitude)
    _check_window(session, check_in_at)
    # Provenance (issue 13): only a face check the configured provider scored here is evidence
    # the system captured; a score or method the caller merely states is declared.
    provenance = Provenance.DECLARED
    if method == CheckInMethod.FACE and face_score is None:
        if not photo_ref:
            raise ValidationError({"photo_ref": [_("A face check-in needs the photo.")]})
        result = get_provider().verify(person_id=enrollment.person_id, photo_ref=photo_ref)
        if not result.passed:
            raise ValidationError({"photo_ref": [_("The face check failed (score %(score)s).") % {"score": result.score}]},
                                  code="face_mismatch")
        face_score = result.score
        provenance = Provenance.CAPTURED
    return write_attendance(
        enrollment, session, by=by, check_in_at=check_in_at, check_out_at=check_out_at, method=method,
        device_id=device_id, latitude=latitude, longitude=longitude, face_score=face_score, photo_ref=photo_ref,
        provenance=provenance,
    )


def write_attendance(
    enrollment: Enrollment, session: TrainingSession, *, by: Any, check_in_at: dt.datetime,
    check_out_at: dt.datetime | None, method: str, provenance: str, device_id: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, face_score: Decimal | None = None,
    photo_ref: str = "",
) -> Attendance:
    """Store one checked attendance row (callers have checked who, what and when)."""
    with transaction.atomic():
        closed, filing_status = _share_lock_class(enrollment.training_class_id)
        if closed:
            raise ValidationError(_("The class is closed; its attendance is locked."), code="locked")
        if filing_status != FilingStatus.ACCEPTED:
            raise ValidationError(_("The class filing is not accepted; attendance opens once the county accepts it."),
                                  code="filing_not_accepted")
        enrollment.status, present = _lock_enrollment(enrollment.pk, session.pk)
        if enrollment.status != EnrollmentStatus.ENROLLED:
            raise ValidationError(_("The person is not currently enrolled in this class."), code="not_enrolled")
        duplicate = ValidationError(_("The person has already checked in to this session."), code="duplicate")
        if present:
            raise duplicate
        try:
            record = Attendance.objects.create(
                enrollment=enrollment, session=session, person_id=enrollment.person_id,
                training_class_id=enrollment.training_class_id,
                check_in_at=check_in_at, check_out_at=check_out_at, method=method, device_id=device_id[:64],
                latitude=latitude, longitude=longitude, face_score=face_score, photo_ref=photo_ref[:200],
                credited_hours=rules.credited_hours(
                    rules.Interval(session.starts_at, session.ends_at), session.hours, check_in_at, check_out_at),
                provenance=provenance,
            )
        except IntegrityError as exc:  # a same-person check-in committed while this one waited for the lock
            if "attendance_once_per_session" in str(exc) or "UNIQUE constraint" in str(exc):
                raise duplicate from None
            raise
        refresh_attendance_rates(enrollment_ids=[enrollment.pk])
        audit.record("training.attendance.check_in", actor=by, obj=record,
                     after={"session": session.pk, "method": method, "check_out": bool(check_out_at),
                            "provenance": provenance})
    return record


def check_out(record: Attendance, *, by: Any, at: dt.datetime) -> Attendance:
    _require_attendance_writer(by, record.enrollment)
    if at <= record.check_in_at:
        raise ValidationError({"check_out_at": [_("The check-out must be after the check-in.")]})
    with transaction.atomic():
        if _share_lock_class(record.training_class_id)[0]:
            raise ValidationError(_("The class is closed; its attendance is locked."), code="locked")
        _lock(record)
        if record.check_out_at is not None:
            raise ValidationError(_("The person has already checked out of this session."), code="duplicate")
        session = record.session
        record.check_out_at = at
        record.credited_hours = rules.credited_hours(
            rules.Interval(session.starts_at, session.ends_at), session.hours, record.check_in_at, at)
        record.save(update_fields=["check_out_at", "credited_hours"])
        refresh_attendance_rates(enrollment_ids=[record.enrollment_id])
        audit.record("training.attendance.check_out", actor=by, obj=record,
                     after={"credited_hours": str(record.credited_hours)})
    return record
