"""The demo seeding for evaluation runs on top of completed enrollments and stays consistent."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.demo import new_context
from jixing.core.testing import make_person
from jixing.evaluation import demo
from jixing.evaluation.models import Certificate, DirectRecognition, EvaluationFiling, EvaluationResult
from jixing.evaluation.queries import highest_certificate_levels
from jixing.registry.models import OrganisationKind

from . import factories as f

pytestmark = pytest.mark.django_db


def test_it_seeds_filings_sessions_certificates_and_recognitions(personas) -> None:
    from jixing.core.testing import make_organisation

    make_organisation("济南示范机械有限公司", "370102", OrganisationKind.ENTERPRISE)
    people = [make_person(f"学员{i}", "370102", seq=200 + i) for i in range(12)]
    enrollments = [f.completed_enrollment(person, end=f.today() - dt.timedelta(days=30)) for person in people]
    ctx = new_context("small", 7)
    ctx.shared["enrollments"] = enrollments
    ctx.shared["persons"] = people
    demo.seed(ctx)
    assert EvaluationFiling.objects.filter(status="approved").exists()
    assert ctx.counts["evaluation_sessions"] >= 1
    certs = Certificate.objects.all()
    assert certs.count() == len(ctx.shared["certificates"]) > 0
    assert all(len(c.number) == 22 for c in certs)
    assert DirectRecognition.objects.filter(status="approved").count() == 2
    assert DirectRecognition.objects.filter(status="rejected").count() == 1
    assert EvaluationResult.objects.filter(supersedes__isnull=False, status="submitted").count() == 1
    held = highest_certificate_levels([c.person_id for c in certs])
    assert held and all(2 <= level <= 6 for level in held.values())
