"""Enrollment: find or register trainees, enroll, withdraw, override eligibility."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.workflow import move
from jixing.imports.pipeline import any_of, copy_insert, copy_rows
from jixing.registry.models import Person, RegionLevel

from .. import conf, rules
from ..models import Enrollment, EnrollmentStatus, TrainingClass
from ..quality import QualityState
from ..queries import COUNTING_STATUSES, EligibilityBook, eligibility_facts, offer_for
from .common import _lock, _require_officer, _require_organiser, _require_organiser_or_officer

# ---------------------------------------------------------------- enrollment


def find_or_register_trainee(*, by: Any, name: str, id_number: str, phone: str = "",
                             fallback_county: str) -> Person:
    """The person with this resident ID number, or a new registry record for them.

    Real-name check: an existing person's registered name must match. A new person's
    household region is the county of the ID number when it is a current county of China
    (a migrant from Henan keeps Henan), else ``fallback_county`` (the class's county: the
    number's code is a former or unknown one, which does not make the number invalid), and
    their current region is ``fallback_county``.
    """
    from jixing.registry.validators import normalise_phone, parse_resident_id

    parsed = parse_resident_id(id_number)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    person = Person.objects.with_id_number(parsed.number).first()
    if person is not None:
        if person.name != name:
            raise ValidationError({"name": [_(
                "The name does not match the name registered for this ID number (real-name check).")]})
        return person
    phone = normalise_phone(phone) if phone else ""
    from jixing.registry.models import Region

    household = parsed.number[:6]
    if not Region.objects.filter(pk=household, level=RegionLevel.COUNTY).exists():
        household = fallback_county
    person = Person(name=name, household_region_id=household, current_region_id=fallback_county)
    person.set_id_number(parsed.number)
    person.set_phone(phone)
    person.save()
    audit.record("training.trainee.register", actor=by, obj=person, after={"household_region": household})
    return person


class EnrollmentRefused(ValidationError):
    """The person cannot be enrolled at all (capacity, closed class, already enrolled)."""


@dataclass(frozen=True)
class EnrollmentOutcome:
    person_id: int
    enrollment: Enrollment | None
    decision: rules.Decision | None
    refused: str = ""  # the reason when the person could not be enrolled at all


def _assert_enrollable(klass: TrainingClass) -> None:
    if klass.is_locked:
        raise EnrollmentRefused(_("The class is closed."), code="closed")
    if klass.project.quality_state != QualityState.NORMAL:
        raise EnrollmentRefused(_("The project is %(state)s: no new enrollments.")
                                % {"state": klass.project.get_quality_state_display()}, code="suspended")
    if not klass.project.accepts_classes:
        raise EnrollmentRefused(_("The project is not approved for training."), code="not_approved")
    if not klass.filing_accepted:
        raise EnrollmentRefused(_("The class filing is not accepted; enrollment opens once the county accepts it."),
                                code="filing_not_accepted")


def enroll_persons(klass: TrainingClass, persons: Iterable[Person], *, by: Any,
                   event: str = "training.enrollment.create") -> list[EnrollmentOutcome]:
    """Enroll each person, deciding eligibility with the same facts for all of them.

    The class row is locked (PostgreSQL) so concurrent enrollments cannot pass its capacity;
    the persons' rows are locked so the yearly cap holds under concurrency too. An ineligible
    person is still enrolled, unsubsidised and flagged; a full class refuses the rest.
    ``by=None`` is the system (a management command run by an operator).
    """
    if by is not None:
        _require_organiser(by, klass.project)
    persons = list(persons)
    outcomes: list[EnrollmentOutcome] = []
    with transaction.atomic():
        _lock(klass)
        _assert_enrollable(klass)
        ids = [p.pk for p in persons]
        list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        existing = set(Enrollment.objects.filter(training_class=klass, person_id__in=ids).values_list("person_id", flat=True))
        taken = Enrollment.objects.filter(training_class=klass, status__in=COUNTING_STATUSES).count()
        facts = eligibility_facts(klass, ids)
        offer = offer_for(klass)
        policy = conf.eligibility_policy()
        now = timezone.now()
        created: list[Enrollment] = []
        with translation.override("zh-hans"):  # stored reasons are read by Chinese officials
            for person in persons:
                if person.pk in existing:
                    outcomes.append(EnrollmentOutcome(person.pk, None, None, _("Already enrolled in this class.")))
                    continue
                if taken >= klass.capacity:
                    outcomes.append(EnrollmentOutcome(person.pk, None, None, _(
                        "The class is full (capacity %(capacity)d).") % {"capacity": klass.capacity}))
                    continue
                decision = rules.decide_eligibility(facts[person.pk], offer, policy)
                enrollment = Enrollment(
                    person=person, training_class=klass, eligible=decision.eligible,
                    subsidised=klass.project.is_subsidised and decision.eligible,
                    eligibility=decision.as_list(), eligibility_checked_at=now,
                )
                created.append(enrollment)
                existing.add(person.pk)
                taken += 1
                outcomes.append(EnrollmentOutcome(person.pk, enrollment, decision))
        copy_insert(created)  # COPY on PostgreSQL: a city's roster is tens of thousands of rows
        if created:
            audit.record(event, actor=by, obj=klass, detail={
                "enrolled": len(created), "ineligible": sum(1 for e in created if not e.eligible),
                "refused": sum(1 for o in outcomes if o.refused),
            })
    return outcomes


@dataclass(frozen=True)
class RosterOutcome:
    class_id: int
    person_id: int
    decision: rules.Decision | None  # None when refused
    refused: str = ""


_ROSTER_COLUMNS = ("person_id", "training_class_id", "status", "subsidised", "eligible", "eligibility",
                   "eligibility_checked_at")


def enroll_roster(wanted: Mapping[TrainingClass, Sequence[int]], *, by: Any,
                  event: str = "training.roster.import") -> list[RosterOutcome]:
    """``enroll_persons`` set-based, for the classes of a whole roster (tens of thousands of
    persons): the same permission, class checks, locks, capacity, refusals, eligibility
    decisions and audit rows as one ``enroll_persons(klass, persons)`` call per class in
    class-id order — a person on two classes sees the first enrollment when the second is
    decided — but the facts are read once for every person (``EligibilityBook``: one query
    per fact kind), each distinct set of facts is decided once (``rules.Decider``) and the
    enrollments are written by one COPY of tuples, without model instances.
    ``wanted`` maps each class to person ids; outcomes come class by class in that order."""
    classes = sorted(wanted, key=lambda k: k.pk)
    if by is not None:
        for klass in classes:
            _require_organiser(by, klass.project)
    class_ids = [k.pk for k in classes]
    person_ids = sorted({pid for k in classes for pid in wanted[k]})
    outcomes: list[RosterOutcome] = []
    with transaction.atomic():
        # lock order as enroll_persons: the classes (by id), then the persons (by id)
        list(TrainingClass.objects.select_for_update().filter(any_of("id", class_ids)).order_by("pk").values_list("pk"))
        for klass in classes:
            klass.refresh_from_db()
            _assert_enrollable(klass)
        list(Person.objects.select_for_update().filter(any_of("id", person_ids)).order_by("pk").values_list("pk"))
        existing = set(Enrollment.objects.filter(any_of("training_class_id", class_ids), any_of("person_id", person_ids))
                       .values_list("training_class_id", "person_id"))
        taken = dict(Enrollment.objects.filter(any_of("training_class_id", class_ids), status__in=COUNTING_STATUSES)
                     .order_by().values("training_class_id").annotate(n=Count("id")).values_list("training_class_id", "n"))
        book = EligibilityBook(class_ids, person_ids)
        policy = conf.eligibility_policy()
        now = timezone.now()
        rows: list[tuple[Any, ...]] = []
        status = EnrollmentStatus.ENROLLED.value
        counts: dict[int, tuple[int, int, int]] = {}
        with translation.override("zh-hans"):  # stored reasons are read by Chinese officials
            for klass in classes:
                decider = rules.Decider(offer_for(klass), policy)
                class_id, is_subsidised = klass.pk, klass.project.is_subsidised
                places = taken.get(class_id, 0)
                enrolled = ineligible = refused = 0
                for pid in wanted[klass]:
                    if (class_id, pid) in existing:
                        outcomes.append(RosterOutcome(class_id, pid, None, _("Already enrolled in this class.")))
                        refused += 1
                        continue
                    if places >= klass.capacity:
                        outcomes.append(RosterOutcome(class_id, pid, None, _(
                            "The class is full (capacity %(capacity)d).") % {"capacity": klass.capacity}))
                        refused += 1
                        continue
                    decision = decider.decide(book.candidate(class_id, pid))
                    eligible = decision.eligible
                    subsidised = is_subsidised and eligible
                    rows.append((pid, class_id, status, subsidised, eligible, decider.as_json(decision), now))
                    book.add_enrollment(pid, class_id, subsidised=subsidised)
                    existing.add((class_id, pid))
                    places += 1
                    enrolled += 1
                    ineligible += not eligible
                    outcomes.append(RosterOutcome(class_id, pid, decision))
                counts[class_id] = (enrolled, ineligible, refused)
        copy_rows(Enrollment, _ROSTER_COLUMNS, rows)
        for klass in classes:
            enrolled, ineligible, refused = counts[klass.pk]
            if enrolled:
                audit.record(event, actor=by, obj=klass, detail={
                    "enrolled": enrolled, "ineligible": ineligible, "refused": refused})
    return outcomes


def enroll(klass: TrainingClass, person: Person, *, by: Any) -> Enrollment:
    outcome = enroll_persons(klass, [person], by=by)[0]
    if outcome.enrollment is None:
        raise EnrollmentRefused(outcome.refused, code="refused")
    return Enrollment.objects.get(training_class=klass, person=person)


def withdraw(enrollment: Enrollment, *, by: Any, reason: str) -> Enrollment:
    _require_organiser_or_officer(by, enrollment.training_class.project)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the withdrawal.")]})
    if enrollment.training_class.is_locked:
        raise ValidationError(_("The class is closed; its record is locked."), code="locked")
    move(enrollment, EnrollmentStatus.WITHDRAWN, by=by, reason=reason.strip(), event="training.enrollment.withdraw")
    return enrollment


def override_eligibility(enrollment: Enrollment, *, by: Any, reason: str) -> Enrollment:
    """An officer grants a subsidised place despite a failed rule, with a written reason."""
    project = enrollment.training_class.project
    _require_officer(by, project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Write the reason for the override.")]})
    if not project.is_subsidised:
        raise ValidationError(_("The project is not subsidised."))
    if enrollment.training_class.is_locked or enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("Only a current enrollment of an open class can be overridden."), code="locked")
    with transaction.atomic():
        before = {"subsidised": enrollment.subsidised}
        enrollment.subsidised = True
        enrollment.override_reason = reason
        enrollment.override_by = by
        enrollment.save(update_fields=["subsidised", "override_reason", "override_by", "updated_at"])
        audit.record("training.enrollment.override", actor=by, obj=enrollment, before=before,
                     after={"subsidised": True},
                     detail={"reason": reason, "failed_rules": [r["code"] for r in enrollment.eligibility if not r.get("ok")]})
    return enrollment
