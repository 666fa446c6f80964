"""Actions that register a person and then act on them, in ONE transaction (STYLE.md habit 16).

A page, the API and the teachers' page used to open ``transaction.atomic()`` around
``find_or_register_trainee`` and a second action, so a refused enrolment did not leave a
newly registered person behind. The transaction line belongs to the action: these own it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core.actor import Actor
from jixing.registry.models import Organisation

from . import actions
from .models import Enrollment, Teacher, TrainingClass


@transaction.atomic
def register_and_enrol(klass: TrainingClass, *, by: Actor, name: str, id_number: str, phone: str = "") -> Enrollment:
    """Find (real-name check) or register the person, then enrol them in the class.

    A refusal (``actions.EnrollmentRefused``, an invalid ID number or name) undoes the
    registration too. A new person's region falls back to the class's county.
    """
    person = actions.find_or_register_trainee(by=by, name=name, id_number=id_number, phone=phone,
                                              fallback_county=klass.county_id)
    return actions.enroll(klass, person, by=by)


@transaction.atomic
def register_teacher(*, by: Actor, name: str, id_number: str, phone: str = "", qualification: str = "") -> Teacher:
    """Find or register the person, then register them as a teacher of the acting institution.

    A new person's region falls back to the institution's county.
    """
    if by.role != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions register their teachers."))
    organisation = Organisation.objects.get(pk=by.organisation_id)
    person = actions.find_or_register_trainee(by=by, name=name, id_number=id_number, phone=phone,
                                              fallback_county=organisation.county_id)
    return actions.add_teacher(by=by, person=person, qualification=qualification)
