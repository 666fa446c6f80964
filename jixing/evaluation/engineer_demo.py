"""Demo 数字技术工程师 data (runs after evaluation's demo): junior sessions at the demo evaluation
bodies in three digital fields, scores, the officer's lock issuing certificates, and an
intermediate session for some of those who passed. Through the actions; a generator of its own, seeded from the demo seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.access import code_within
from jixing.core.demo import DemoContext
from jixing.registry.models import Organisation, OrganisationKind, Person

from . import engineer_actions
from .engineer_models import DigitalField, EngineerLevel

FIELDS = ("artificial-intelligence", "big-data", "industrial-internet")
PER_SESSION = {"small": 8, "medium": 30}


def _site_user(org: Organisation) -> User:
    user = User.objects.filter(organisation=org, role=Role.EVALUATOR).order_by("id").first()
    if user is None:
        user = User(username=f"org{org.pk}-{Role.EVALUATOR}"[:150], role=Role.EVALUATOR, organisation=org, is_demo=True)
        user.set_unusable_password()
        user.save()
    return user


def _reviewer(org: Organisation) -> User | None:
    officers = User.objects.filter(role=Role.HRSS_OFFICER).exclude(region__isnull=True).order_by("id")
    for officer in officers:
        if officer.region_id and Organisation.objects.filter(code_within("county__code", officer.region_id),
                                                             pk=org.pk).exists():
            return officer
    return None


def seed(ctx: DemoContext) -> None:
    rng = random.Random(f"engineers-{ctx.seed}")  # its own draws: the shared ctx.rng stays as the later demos expect
    sites = list(Organisation.objects.filter(kind=OrganisationKind.EVALUATION_INSTITUTION).order_by("id")[:2])
    persons: list[Person] = list(ctx.shared.get("persons") or Person.objects.order_by("id")[:2000])
    fields = list(DigitalField.objects.filter(key__in=FIELDS).order_by("id"))
    if not sites or not persons or not fields:
        return
    today = timezone.localdate()
    size = PER_SESSION.get(ctx.scale, 8)
    issued = 0
    for n, org in enumerate(sites):
        user, reviewer = _site_user(org), _reviewer(org)
        if reviewer is None:
            continue
        field = fields[n % len(fields)]
        junior = engineer_actions.create_engineer_session(
            by=user, organisation=org, field=field, level=EngineerLevel.JUNIOR,
            date=today - dt.timedelta(days=60 + n), site=f"{org.name}考核站点")
        start = rng.randrange(len(persons))
        for k in range(size):
            person = persons[(start + k * 11) % len(persons)]
            try:
                cand = engineer_actions.add_engineer_candidate(junior, by=user, person=person)
            except ValidationError:
                continue
            score = Decimal(str(round(max(0.0, min(100.0, rng.gauss(72, 12))), 1)))
            engineer_actions.record_engineer_score(cand, by=user, score=score)
        try:
            certs = engineer_actions.lock_engineer_session(junior, by=reviewer)
        except (ValidationError, PermissionDenied):
            continue
        issued += len(certs)
        # the next rung for half of them, still open (scores being entered)
        intermediate = engineer_actions.create_engineer_session(
            by=user, organisation=org, field=field, level=EngineerLevel.INTERMEDIATE,
            date=today + dt.timedelta(days=20 + n), site=f"{org.name}考核站点")
        for cert in certs[: max(1, len(certs) // 2)]:
            engineer_actions.add_engineer_candidate(intermediate, by=user, person=cert.person)
    ctx.counts["engineer_certificates"] = issued
