"""Every training page declares its roles (B2), and
the training read endpoints keep to their OpenAPI schema under generated input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, get_resolver

from jixing.core.permissions import ACCESS_ATTR
from jixing.web.tests.conformance import check_generated_reads

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher


def test_it_declares_roles_on_every_page() -> None:
    patterns = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "training"][0].url_patterns
    undecorated = [p.name for p in patterns if isinstance(p, URLPattern) and not hasattr(p.callback, ACCESS_ATTR)]
    assert patterns and undecorated == []
    assert all(getattr(p.callback, ACCESS_ATTR) != ("public",) for p in patterns)


TRAINING_READS = [
    "/api/v1/training/projects", "/api/v1/training/projects/{project_id}", "/api/v1/training/classes",
    "/api/v1/training/classes/{class_id}", "/api/v1/training/classes/{class_id}/sessions",
    "/api/v1/training/classes/{class_id}/enrollments", "/api/v1/training/enrollments/{enrollment_id}",
    "/api/v1/training/sessions/{session_id}/attendance",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", TRAINING_READS)
def test_it_answers_generated_reads_as_documented(client, personas, keep_test_connection, path) -> None:
    klass = make_class(make_project(personas), start=dt.date(2026, 3, 2), days=2)
    make_sessions(klass, make_teacher(personas.institution))
    make_enrollment(klass, personas.lixia_person)
    check_generated_reads(client, personas.bob, path)
