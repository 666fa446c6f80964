"""Every training write: projects through their lifecycle, classes, sessions, enrollments
with their eligibility decision, attendance and completion.

Each action is atomic, takes the acting user as keyword-only ``by``, checks who may do it
(``PermissionDenied`` → 403; scope is checked before, by fetching through ``visible_to``),
refuses bad input with a ``ValidationError`` in the user's language, and writes one audit
event (lifecycle moves through ``jixing.core.workflow.move``, which records it).
"""

from __future__ import annotations

from .attendance import check_out, record_attendance, refresh_attendance_rates, write_attendance
from .classes import add_session, add_teacher, create_class, teacher_conflicts, update_class
from .common import CLASS_FIELDS, PROJECT_FIELDS
from .completion import close_class
from .enrollment import (
    EnrollmentOutcome,
    EnrollmentRefused,
    RosterOutcome,
    enroll,
    enroll_persons,
    enroll_roster,
    find_or_register_trainee,
    override_eligibility,
    withdraw,
)
from .filing import accept_class_filing, file_class, return_class_filing
from .projects import (
    MOVES_NEEDING_REASON,
    PROJECT_MOVES,
    _next_code,
    _save_with_code,
    approve_project,
    close_project,
    create_project,
    finish_project,
    move_project,
    reject_project,
    return_project,
    start_project,
    submit_project,
    update_project,
)

__all__ = [
    "CLASS_FIELDS",
    "EnrollmentOutcome",
    "EnrollmentRefused",
    "RosterOutcome",
    "MOVES_NEEDING_REASON",
    "PROJECT_FIELDS",
    "PROJECT_MOVES",
    "_next_code",
    "_save_with_code",
    "accept_class_filing",
    "add_session",
    "add_teacher",
    "approve_project",
    "check_out",
    "close_class",
    "close_project",
    "create_class",
    "create_project",
    "enroll",
    "enroll_persons",
    "enroll_roster",
    "file_class",
    "find_or_register_trainee",
    "finish_project",
    "move_project",
    "override_eligibility",
    "record_attendance",
    "refresh_attendance_rates",
    "reject_project",
    "return_class_filing",
    "return_project",
    "start_project",
    "submit_project",
    "teacher_conflicts",
    "update_class",
    "update_project",
    "withdraw",
    "write_attendance",
]
