"""Every write of the employment service (STYLE.md: atomic, keyword-only ``by``, one audit row).

Who may do what (checked here, not only in views):
- job demands: enterprise staff (Role.INSTITUTION of an organisation whose kind is enterprise)
  for their own organisation, HRSS officers for an enterprise in their region;
- referrals: HRSS officers for a demand in their region, training organisations for persons
  they trained; results: the employer, or an HRSS officer for it;
- placements: the employer confirms (source enterprise), a training organisation reports for
  its trainee (source institution), a trainee self-reports with evidence; HRSS officers verify
  or reject (never their own report); contribution records verify automatically;
- skill pay reports: enterprise staff for their own enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role, User
from jixing.core import audit, workflow
from jixing.core.actor import Actor
from jixing.core.events import publish
from jixing.core.money import yuan
from jixing.registry.models import Organisation, OrganisationKind, Person, Region, SkillLevel
from jixing.registry.validators import normalise_uscc

from . import rules
from .access import can_manage_demand, in_region, is_enterprise_user, is_region_officer, is_training_org_user
from .models import (
    HeldBenefitPeriod,
    HeldContribution,
    InsuranceContribution,
    InsuranceType,
    JobDemand,
    JobDemandStatus,
    Placement,
    PlacementKind,
    PlacementSource,
    Referral,
    ReferralStatus,
    SkillPayReport,
    UnemploymentBenefitPeriod,
    VerificationStatus,
)

SYSTEM_LABEL = "system:social-insurance"


def _check_money(value: Decimal | str | int, field: str) -> Decimal:
    try:
        amount = yuan(value)
    except (ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan.")})
    if amount < 0:
        raise ValidationError({field: _("The amount must not be negative.")})
    return amount


# ------------------------------------------------------------------ job demands

MAX_DEADLINE_DAYS = 366


def wage_range_errors(low: Decimal, high: Decimal) -> dict[str, str]:
    """A monthly wage range a job seeker can trust (issue 15: "10–10 yuan per month" was accepted):
    not below the province's lowest monthly minimum wage, not above a sane ceiling, from ≤ to."""
    floor, ceiling = yuan(settings.JIXING_WAGE_FLOOR), yuan(settings.JIXING_WAGE_CEILING)
    errors: dict[str, str] = {}
    for field, amount, label in (("wage_min", low, _("Monthly wage from")), ("wage_max", high, _("Monthly wage to"))):
        if amount < floor:
            errors[field] = _("“%(field)s”: %(amount)s yuan is below the minimum monthly wage of %(floor)s yuan.") % {
                "field": label, "amount": amount, "floor": f"{floor:.0f}"}
        elif amount > ceiling:
            errors[field] = _("“%(field)s”: %(amount)s yuan a month is not plausible (at most %(ceiling)s yuan).") % {
                "field": label, "amount": amount, "ceiling": f"{ceiling:.0f}"}
    if "wage_max" not in errors and "wage_min" not in errors and high < low:
        errors["wage_max"] = _("The upper end of the wage range is below the lower end.")
    return errors



@transaction.atomic
def create_job_demand(
    *,
    by: User,
    employer: Organisation,
    title: str,
    occupation: Any,
    level: SkillLevel | None,
    posts: int,
    wage_min: Decimal,
    wage_max: Decimal,
    county: Region | None,
    deadline: dt.date,
    description: str = "",
    chain: Any = None,  # plan.IndustrialChain, seed 一(七) (issue 17)
) -> JobDemand:
    if is_enterprise_user(by):
        if employer.pk != by.organisation_id:
            raise PermissionDenied
    elif is_region_officer(by):
        if not Organisation.objects.visible_to(by).filter(pk=employer.pk).exists():
            raise PermissionDenied
    else:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if employer.kind != OrganisationKind.ENTERPRISE:
        errors["employer"] = _("Job demands are posted by enterprises.")
    if employer.is_blocked_on(timezone.localdate()):
        errors["employer"] = _("This enterprise is suspended or blacklisted and may not post job demands.")
    county = county or employer.county
    if county.level != "county":
        errors["county"] = _("Choose a county or district.")
    elif is_region_officer(by) and not in_region(by, county.code):
        errors["county"] = _("The post must be in your region.")
    if posts is None or posts < 1:
        errors["posts"] = _("At least one post.")
    low, high = _check_money(wage_min, "wage_min"), _check_money(wage_max, "wage_max")
    errors.update(wage_range_errors(low, high))
    if deadline < timezone.localdate():
        errors["deadline"] = _("The deadline is in the past.")
    elif deadline > timezone.localdate() + dt.timedelta(days=MAX_DEADLINE_DAYS):
        errors["deadline"] = _("The deadline lies more than a year ahead; post the demand again nearer the time.")
    if errors:
        raise ValidationError(errors)
    demand = JobDemand.objects.create(
        employer=employer, title=title.strip(), occupation=occupation, level=level, posts=posts,
        wage_min=low, wage_max=high, county=county, deadline=deadline, description=description.strip(),
        created_by=by, chain=chain,
    )
    audit.record("job_demand.created", actor=by, obj=demand, after={
        "employer": employer.pk, "occupation": occupation.pk, "level": level.pk if level else None,
        "posts": posts, "wage_min": str(low), "wage_max": str(high), "county": county.code,
        "deadline": deadline.isoformat(),
    })
    return demand


def move_job_demand(demand: JobDemand, to: str, *, by: User, reason: str = "") -> JobDemand:
    if not can_manage_demand(by, demand):
        raise PermissionDenied
    workflow.move(demand, to, by=by, reason=reason, event=f"job_demand.{to}")
    return demand


# ------------------------------------------------------------------ referrals


@transaction.atomic
def refer_candidate(demand: JobDemand, person: Person, *, by: User, note: str = "") -> Referral:
    """Refer a completed trainee to an open job demand; the match and its reasons are stored."""
    from .queries import match_for_person

    if not (is_region_officer(by) or is_training_org_user(by)):
        raise PermissionDenied
    if is_region_officer(by) and not in_region(by, demand.county_id):
        raise PermissionDenied
    if demand.status != JobDemandStatus.OPEN:
        raise ValidationError(_("Only open job demands take referrals."))
    if Referral.objects.filter(demand=demand, person=person).exists():
        raise ValidationError(_("This person has already been referred to this demand."))
    match = match_for_person(demand, person, user=by)
    if match is None or not match.fits:
        reasons = "; ".join(match.reasons) if match else _("Not a completed trainee you can refer.")
        raise ValidationError(_("This person does not match the demand: %(reasons)s") % {"reasons": reasons})
    enrollment_id = match.basis.enrollment_id if match.basis else None
    if enrollment_id is None:  # matched on a certificate: still tie the referral to the training
        from jixing.training.models import Enrollment

        enrollment_id = (Enrollment.objects.visible_to(by).completed().filter(person=person)
                         .order_by(models.Case(models.When(training_class__project__occupation=demand.occupation_id,
                                                           then=0), default=1), "-completed_on")
                         .values_list("pk", flat=True).first())
    referral = Referral.objects.create(
        demand=demand, person=person, referred_by=by, enrollment_id=enrollment_id,
        referring_organisation_id=by.organisation_id if by.role == Role.INSTITUTION else None,
        match_score=match.score, match_reasons=list(match.reasons), note=note.strip()[:300],
    )
    audit.record("referral.created", actor=by, obj=referral, after={
        "demand": demand.pk, "person": person.pk, "score": match.score,
    })
    publish("employment.referral.made", obj=referral, actor=by, demand=demand.title)
    return referral


@transaction.atomic
def record_referral_result(
    referral: Referral,
    to: str,
    *,
    by: User,
    note: str = "",
    interviewed_on: dt.date | None = None,
    start_date: dt.date | None = None,
    monthly_wage: Decimal | None = None,
) -> Referral:
    """Interviewed → hired / declined, recorded by the employer (or an officer for it).
    A hire creates the placement (source: enterprise confirmation, unverified until an
    officer or the contribution records confirm it)."""
    demand = referral.demand
    if not can_manage_demand(by, demand):
        raise PermissionDenied
    if to == ReferralStatus.HIRED:
        errors = {}
        if start_date is None:
            errors["start_date"] = _("Enter the start date.")
        if monthly_wage is None:
            errors["monthly_wage"] = _("Enter the monthly wage.")
        if errors:
            raise ValidationError(errors)
    if to == ReferralStatus.INTERVIEWED:
        referral.interviewed_on = interviewed_on or timezone.localdate()
    referral.result_note = note.strip()[:300]
    referral.save(update_fields=["interviewed_on", "result_note", "updated_at"])
    workflow.move(referral, to, by=by, reason=note, event=f"referral.{to}")
    if to == ReferralStatus.HIRED:
        assert start_date is not None and monthly_wage is not None
        employer = demand.employer
        from jixing.training.models import Enrollment

        enrollment = referral.enrollment or (
            Enrollment.objects.completed().filter(person=referral.person, completed_on__lte=start_date)
            .order_by("-completed_on").first())
        placement = Placement.objects.create(
            person=referral.person, enrollment=enrollment, referral=referral,
            kind=PlacementKind.EMPLOYED, employer=employer, employer_uscc=employer.uscc, employer_name=employer.name,
            county=demand.county, post=demand.title, start_date=start_date,
            monthly_wage=_check_money(monthly_wage, "monthly_wage"), source=PlacementSource.ENTERPRISE,
            evidence=_("Hired through referral to job demand %(id)s.") % {"id": demand.pk},
            reported_by=by, reporting_organisation=employer,
        )
        audit.record("placement.reported", actor=by, obj=placement, after=_placement_audit(placement))
        confirm_placements_from_insurance([placement.person_id])
        placement.refresh_from_db()
    return referral


# ------------------------------------------------------------------ placements


def _placement_audit(p: Placement) -> dict[str, Any]:
    return {
        "person": p.person_id, "kind": p.kind, "employer_uscc": p.employer_uscc, "start_date": p.start_date.isoformat(),
        "monthly_wage": str(p.monthly_wage), "source": p.source, "enrollment": p.enrollment_id,
    }


@transaction.atomic
def report_placement(
    *,
    by: User,
    person: Person,
    kind: str,
    start_date: dt.date,
    monthly_wage: Decimal,
    employer_uscc: str = "",
    employer_name: str = "",
    business_licence_uscc: str = "",
    post: str = "",
    evidence: str = "",
    enrollment: Any = None,
    end_date: dt.date | None = None,
) -> Placement:
    """Record a placement; the source follows from who reports it."""
    from jixing.training.models import Enrollment

    if is_enterprise_user(by):
        source = PlacementSource.ENTERPRISE
        assert by.organisation is not None, "an enterprise user has an organisation (is_enterprise_user)"
        employer_uscc = by.organisation.uscc
        if kind != PlacementKind.EMPLOYED:
            raise ValidationError({"kind": _("An enterprise confirms employment in the enterprise.")})
    elif is_training_org_user(by):
        source = PlacementSource.INSTITUTION
        if not Enrollment.objects.visible_to(by).completed().filter(person=person).exists():
            raise PermissionDenied
    elif by.role == Role.TRAINEE and by.person_id == person.pk:
        source = PlacementSource.SELF_REPORT
    else:
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in PlacementKind.values:
        errors["kind"] = _("Choose a kind of employment.")
    uscc = ""
    if employer_uscc.strip():
        try:
            uscc = normalise_uscc(employer_uscc)
        except ValidationError as exc:
            errors["employer_uscc"] = exc.messages[0]
    elif kind == PlacementKind.EMPLOYED:
        errors["employer_uscc"] = _("Enter the employer's unified social credit code.")
    licence = ""
    if kind == PlacementKind.STARTUP:
        try:
            licence = normalise_uscc(business_licence_uscc)
        except ValidationError as exc:
            errors["business_licence_uscc"] = _("Business licence: %(error)s") % {"error": exc.messages[0]}
    if source == PlacementSource.SELF_REPORT and not evidence.strip():
        errors["evidence"] = _("A self-report needs evidence (labour contract, business licence, payslip …).")
    if start_date > timezone.localdate():
        errors["start_date"] = _("The start date is in the future.")
    if end_date is not None and end_date < start_date:
        errors["end_date"] = _("The end date is before the start date.")
    wage = _check_money(monthly_wage, "monthly_wage")
    if enrollment is not None and enrollment.person_id != person.pk:
        errors["enrollment"] = _("That training belongs to someone else.")
    if errors:
        raise ValidationError(errors)
    if enrollment is None:
        enrollment = (Enrollment.objects.completed().filter(person=person, completed_on__lte=start_date)
                      .order_by("-completed_on").first())
    employer = Organisation.objects.filter(uscc=uscc).first() if uscc else None
    if uscc and Placement.objects.filter(person=person, employer_uscc=uscc, start_date=start_date).exists():
        raise ValidationError(_("This placement has already been recorded."))
    placement = Placement.objects.create(
        person=person, enrollment=enrollment, kind=kind, employer=employer, employer_uscc=uscc,
        employer_name=(employer.name if employer else employer_name.strip()[:120]),
        business_licence_uscc=licence,
        county=employer.county if employer else person.current_region,
        post=post.strip()[:100], start_date=start_date, end_date=end_date, monthly_wage=wage,
        source=source, evidence=evidence.strip(), reported_by=by,
        reporting_organisation_id=by.organisation_id if by.role == Role.INSTITUTION else None,
    )
    audit.record("placement.reported", actor=by, obj=placement, after=_placement_audit(placement))
    confirm_placements_from_insurance([person.pk])
    placement.refresh_from_db()
    return placement


def _can_verify(user: Actor, placement: Placement) -> bool:
    if not is_region_officer(user):
        return False
    return Placement.objects.visible_to(user).filter(pk=placement.pk).exists()


@transaction.atomic
def verify_placement(placement: Placement, *, by: User, note: str = "") -> Placement:
    if not _can_verify(by, placement):
        raise PermissionDenied
    if placement.reported_by_id == by.pk:
        raise PermissionDenied(_("You cannot verify a placement you reported yourself."))
    placement.verified_by, placement.verified_at = by, timezone.now()
    placement.verification_note = note.strip()[:300]
    placement.save(update_fields=["verified_by", "verified_at", "verification_note", "updated_at"])
    workflow.move(placement, VerificationStatus.VERIFIED, by=by, reason=note, event="placement.verified")
    return placement


@transaction.atomic
def reject_placement(placement: Placement, *, by: User, note: str) -> Placement:
    if not _can_verify(by, placement):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say why the placement is rejected.")})
    placement.verified_by, placement.verified_at = by, timezone.now()
    placement.verification_note = note.strip()[:300]
    placement.save(update_fields=["verified_by", "verified_at", "verification_note", "updated_at"])
    workflow.move(placement, VerificationStatus.REJECTED, by=by, reason=note, event="placement.rejected")
    return placement


@transaction.atomic
def resubmit_placement(placement: Placement, *, by: User, evidence: str) -> Placement:
    """A rejected placement goes back to the queue with new evidence, by whoever reported it."""
    if placement.reported_by_id != by.pk:
        raise PermissionDenied
    if not evidence.strip():
        raise ValidationError({"evidence": _("Add the new evidence.")})
    placement.evidence = evidence.strip()
    placement.save(update_fields=["evidence", "updated_at"])
    workflow.move(placement, VerificationStatus.UNVERIFIED, by=by, reason=evidence[:300], event="placement.resubmitted")
    return placement


# ------------------------------------------------------------------ contribution records → placements


def _contributions_by_person(person_ids: list[int]) -> dict[int, list[rules.Contribution]]:
    out: dict[int, list[rules.Contribution]] = defaultdict(list)
    # One row per person × month × employer, whatever the number of insurance types paid.
    rows = InsuranceContribution.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "month", "employer_uscc", "base").distinct().order_by()
    for person_id, month, uscc, base in rows.iterator(chunk_size=5000):
        out[person_id].append(rules.Contribution(month, uscc, base))
    return out


def confirm_placements_from_insurance(person_ids: Iterable[int]) -> int:
    """Verify unverified placements that contributions by the same employer confirm (start
    month or the next, ``rules.confirms_placement``). Returns how many were verified."""
    ids = sorted({int(i) for i in person_ids})
    verified = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        pending = list(Placement.objects.filter(
            person_id__in=chunk, status=VerificationStatus.UNVERIFIED).exclude(employer_uscc=""))
        if not pending:
            continue
        contributions = _contributions_by_person(sorted({p.person_id for p in pending}))
        for placement in pending:
            hit = rules.confirms_placement(placement.start_date, placement.employer_uscc,
                                           contributions.get(placement.person_id, []))
            if hit is None:
                continue
            with transaction.atomic():
                note = _("Confirmed by social-insurance contributions in %(month)s.") % {"month": hit.month.strftime("%Y-%m")}
                placement.verified_at, placement.verification_note = timezone.now(), note
                placement.save(update_fields=["verified_at", "verification_note", "updated_at"])
                workflow.move(placement, VerificationStatus.VERIFIED, by=None, reason=note, event="placement.verified")
            verified += 1
    return verified


def derive_placements_from_insurance(person_ids: Iterable[int]) -> int:
    """Create verified placements (source: social-insurance record) for completed trainees
    whose contributions with a NEW employer begin between the training start and six months
    after completion, when no placement with that employer is recorded yet."""
    from jixing.training.models import Enrollment

    ids = sorted({int(i) for i in person_ids})
    created = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        enrollments = list(
            Enrollment.objects.completed().filter(person_id__in=chunk)
            .select_related("training_class", "person").order_by("person_id", "-completed_on")
        )
        if not enrollments:
            continue
        latest: dict[int, Any] = {}
        for e in enrollments:
            latest.setdefault(e.person_id, e)
        # The first month of each person × employer, with its base, in one read.
        firsts: dict[tuple[int, str], tuple[dt.date, Decimal, int | None]] = {}
        rows = InsuranceContribution.objects.filter(person_id__in=list(latest)).values_list(
            "person_id", "employer_uscc", "month", "base", "employer_id")
        for person_id, uscc, month, base, employer_id in rows.iterator(chunk_size=5000):
            seen = firsts.get((person_id, uscc))
            if seen is None or month < seen[0]:
                firsts[(person_id, uscc)] = (month, base, employer_id)
        known = set(Placement.objects.filter(person_id__in=list(latest)).values_list("person_id", "employer_uscc"))
        employers = Organisation.objects.in_bulk({v[2] for v in firsts.values() if v[2]})
        new: list[Placement] = []
        for (person_id, uscc), (begins, base, employer_id) in sorted(firsts.items()):
            e = latest[person_id]
            window_last = rules.add_months(e.completed_on, rules.WITHIN_MONTHS)
            if not (rules.month_start(e.training_class.start_date) <= begins <= rules.month_start(window_last)):
                continue
            if (person_id, uscc) in known:
                continue
            employer = employers.get(employer_id) if employer_id else None
            new.append(Placement(
                person_id=person_id, enrollment=e, kind=PlacementKind.EMPLOYED, employer=employer,
                employer_uscc=uscc, employer_name=employer.name if employer else "",
                county_id=employer.county_id if employer else e.person.current_region_id,
                start_date=begins, monthly_wage=base, source=PlacementSource.INSURANCE,
                evidence=_("Contributions by this employer from %(month)s.") % {"month": begins.strftime("%Y-%m")},
                status=VerificationStatus.VERIFIED, verified_at=timezone.now(),
                verification_note=_("Derived from social-insurance contribution records."),
            ))
            known.add((person_id, uscc))
        if new:
            with transaction.atomic():
                Placement.objects.bulk_create(new)
                audit.record("placement.derived_from_insurance", actor_label=SYSTEM_LABEL,
                             object_type="employment.placement", detail={"count": len(new)})
            created += len(new)
    return created


def after_contributions_changed(person_ids: Iterable[int]) -> dict[str, int]:
    """What new contribution rows set off: confirm reported placements, derive the others."""
    ids = list(person_ids)
    return {
        "placements_confirmed": confirm_placements_from_insurance(ids),
        "placements_derived": derive_placements_from_insurance(ids),
    }


def upsert_contributions(
    rows: Iterable[tuple[int, str, dt.date, Decimal, int | None] | tuple[int, str, dt.date, Decimal, int | None, str, str]],
) -> tuple[int, int, int]:
    """(person_id, uscc, month, base, employer_id[, insurance_type, insured_city]) rows →
    (created, updated, unchanged).

    Upsert on person × employer × month × insurance type: a re-import creates nothing, a changed
    base (or insured city) updates.
    """
    created = updated = unchanged = 0
    full = [(*r, InsuranceType.UNSPECIFIED, "") if len(r) == 5 else r for r in rows]
    for start in range(0, len(full), 2000):
        block = full[start:start + 2000]
        persons = {r[0] for r in block}
        existing = {
            (o.person_id, o.employer_uscc, o.month, o.insurance_type): o
            for o in InsuranceContribution.objects.filter(
                person_id__in=persons, month__in={r[2] for r in block}, employer_uscc__in={r[1] for r in block})
        }
        new, changed = [], []
        for person_id, uscc, month, base, employer_id, kind, city in block:
            obj = existing.get((person_id, uscc, month, kind))
            if obj is None:
                new.append(InsuranceContribution(person_id=person_id, employer_uscc=uscc, month=month, base=base,
                                                 employer_id=employer_id, insurance_type=kind, insured_city=city))
            elif obj.base != base or (employer_id and obj.employer_id != employer_id) or (city and obj.insured_city != city):
                obj.base, obj.employer_id, obj.updated_at = base, employer_id or obj.employer_id, timezone.now()
                obj.insured_city = city or obj.insured_city
                changed.append(obj)
            else:
                unchanged += 1
        InsuranceContribution.objects.bulk_create(new, batch_size=1000)
        InsuranceContribution.objects.bulk_update(changed, ["base", "employer_id", "insured_city", "updated_at"],
                                                  batch_size=1000)
        created += len(new)
        updated += len(changed)
    return created, updated, unchanged


@transaction.atomic
def rematch_held_contributions(*, by: User | None = None, persons: Iterable[Person] | None = None) -> dict[str, int]:
    """Move held rows whose person is now registered into the contribution records, and held
    benefit periods into the person's benefit periods; link employers registered since, then
    confirm and derive placements for those persons. ``persons``: only theirs (called when they
    are registered, ``registry.models.PERSON_REGISTERED_HOOKS``)."""
    matched = 0
    touched: set[int] = set()
    held = HeldContribution.objects.filter(matched_person__isnull=True)
    periods = HeldBenefitPeriod.objects.filter(matched_person__isnull=True)
    if persons is not None:
        only = {p.id_number_hash: p.pk for p in persons}
        held, periods = held.filter(id_number_hash__in=list(only)), periods.filter(id_number_hash__in=list(only))
    hashes = list(held.values_list("id_number_hash", flat=True).distinct())
    for start in range(0, len(hashes), 2000):
        by_hash = dict(Person.objects.filter(id_number_hash__in=hashes[start:start + 2000])
                       .values_list("id_number_hash", "pk"))
        if not by_hash:
            continue
        rows = list(held.filter(id_number_hash__in=list(by_hash)))
        employers = dict(Organisation.objects.filter(uscc__in={r.employer_uscc for r in rows}).values_list("uscc", "pk"))
        upsert_contributions(
            (by_hash[r.id_number_hash], r.employer_uscc, r.month, r.base, employers.get(r.employer_uscc),
             r.insurance_type, r.insured_city) for r in rows
        )
        now = timezone.now()
        for r in rows:
            r.matched_person_id, r.matched_at, r.id_number = by_hash[r.id_number_hash], now, ""
        HeldContribution.objects.bulk_update(rows, ["matched_person", "matched_at", "id_number"], batch_size=1000)
        matched += len(rows)
        touched.update(by_hash.values())
    periods_matched = _attach_held_benefit_periods(periods)
    linked = link_contribution_employers()
    effects = after_contributions_changed(touched) if touched else {"placements_confirmed": 0, "placements_derived": 0}
    result = {"held_rows_matched": matched, "persons_matched": len(touched), "employers_linked": linked,
              "benefit_periods_matched": periods_matched, **effects}
    if matched or linked or periods_matched:
        audit.record("insurance.rematched", actor=by, actor_label="" if by else SYSTEM_LABEL,
                     object_type="employment.heldcontribution", detail=result)
    return result


def _attach_held_benefit_periods(held: QuerySet[HeldBenefitPeriod]) -> int:
    """Held benefit periods of now-registered persons become their ``UnemploymentBenefitPeriod``
    (natural key person × start: a period already there takes the held end date and city)."""
    rows = list(held.order_by("id"))
    by_hash = dict(Person.objects.filter(id_number_hash__in={r.id_number_hash for r in rows})
                   .values_list("id_number_hash", "pk"))
    now = timezone.now()
    done = []
    for r in rows:
        person_id = by_hash.get(r.id_number_hash)
        if person_id is None:
            continue
        UnemploymentBenefitPeriod.objects.update_or_create(
            person_id=person_id, starts_on=r.starts_on, defaults={"ends_on": r.ends_on, "city": r.city})
        r.matched_person_id, r.matched_at, r.id_number = person_id, now, ""
        done.append(r)
    HeldBenefitPeriod.objects.bulk_update(done, ["matched_person", "matched_at", "id_number"], batch_size=1000)
    return len(done)


def attach_held_for(persons: list[Person], by: User | None = None) -> None:
    """``registry.models.PERSON_REGISTERED_HOOKS`` entry: what waited for these persons' ID numbers
    (held contributions, held benefit periods) is attached as they are registered."""
    rematch_held_contributions(by=by, persons=persons)


def link_contribution_employers() -> int:
    """Set the employer FK on contribution rows and placements whose USCC is now registered."""
    linked = 0
    usccs = set(InsuranceContribution.objects.filter(employer__isnull=True).values_list("employer_uscc", flat=True)
                .distinct()[:50000])
    usccs |= set(Placement.objects.filter(employer__isnull=True).exclude(employer_uscc="")
                 .values_list("employer_uscc", flat=True).distinct())
    for uscc, org_id in Organisation.objects.filter(uscc__in=usccs).values_list("uscc", "pk"):
        linked += InsuranceContribution.objects.filter(employer__isnull=True, employer_uscc=uscc).update(employer_id=org_id)
        Placement.objects.filter(employer__isnull=True, employer_uscc=uscc).update(employer_id=org_id)
    return linked


# ------------------------------------------------------------------ skill-linked pay


@transaction.atomic
def save_skill_pay_report(
    *,
    by: User,
    year: int,
    level: SkillLevel,
    workers: int,
    average_monthly_pay: Decimal,
    starting_monthly_pay: Decimal | None = None,
) -> SkillPayReport:
    """Upsert an enterprise's pay for one level and year (unique enterprise × year × level)."""
    if not is_enterprise_user(by):
        raise PermissionDenied
    errors: dict[str, str] = {}
    this_year = timezone.localdate().year
    if not (2020 <= year <= this_year):
        errors["year"] = _("Report a year from 2020 to %(year)s.") % {"year": this_year}
    if workers is None or workers < 0:
        errors["workers"] = _("The number of workers must not be negative.")
    average = _check_money(average_monthly_pay, "average_monthly_pay")
    starting = _check_money(starting_monthly_pay, "starting_monthly_pay") if starting_monthly_pay is not None else None
    if errors:
        raise ValidationError(errors)
    report, created = SkillPayReport.objects.select_for_update().get_or_create(
        enterprise_id=by.organisation_id, year=year, level=level,
        defaults={"workers": workers, "average_monthly_pay": average, "starting_monthly_pay": starting, "reported_by": by},
    )
    before = None
    if not created:
        before = {"workers": report.workers, "average_monthly_pay": str(report.average_monthly_pay),
                  "starting_monthly_pay": str(report.starting_monthly_pay) if report.starting_monthly_pay is not None else None}
        report.workers, report.average_monthly_pay, report.starting_monthly_pay = workers, average, starting
        report.reported_by = by
        report.save()
    audit.record("skill_pay.reported", actor=by, obj=report, before=before, after={
        "year": year, "level": level.pk, "workers": workers, "average_monthly_pay": str(average),
        "starting_monthly_pay": str(starting) if starting is not None else None,
    })
    return report


__all__ = [
    "after_contributions_changed", "confirm_placements_from_insurance", "create_job_demand",
    "derive_placements_from_insurance",
    "link_contribution_employers", "move_job_demand", "record_referral_result", "refer_candidate",
    "reject_placement", "rematch_held_contributions", "report_placement", "resubmit_placement",
    "save_skill_pay_report", "upsert_contributions", "verify_placement",
]
