"""Projects tagged with an industrial chain and named programmes (issue 17), by page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.plan.models import IndustrialChain, Programme
from jixing.training.models import TrainingProject

from .factories import make_project, project_data

pytestmark = pytest.mark.django_db


def test_a_project_is_tagged_with_a_chain_and_programmes_on_the_page(client, personas):
    client.force_login(personas.ivan)
    chain = IndustrialChain.objects.get(code="key-03")
    jinguo, brand = Programme.objects.get(code="jinguo_housekeeping"), Programme.objects.get(code="housekeeping_brand")
    form = {k: (v.pk if hasattr(v, "pk") else v) for k, v in project_data().items()}
    form.update(is_subsidised="on", requires_certificate="on", chain=chain.pk, programmes=[jinguo.pk])
    assert client.post(reverse("training:project_create"), form).status_code == 302
    project = TrainingProject.objects.get()
    assert project.chain == chain and list(project.programmes.all()) == [jinguo]
    form["programmes"] = [jinguo.pk, brand.pk]
    assert client.post(reverse("training:project_edit", args=[project.pk]), form).status_code == 302
    assert set(project.programmes.all()) == {jinguo, brand}
    update = AuditEvent.objects.filter(event="training.project.update").latest("id")
    assert update.after["programmes"] == str(sorted([jinguo.pk, brand.pk]))


def test_the_api_reads_and_sets_the_chain(client, personas):
    project = make_project(personas, status="draft")
    client.force_login(personas.ivan)
    response = client.patch(f"/api/v1/training/projects/{project.pk}", {"chain": "signature-04"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["chain"] == "signature-04" and response.json()["programmes"] == []
    bad = client.patch(f"/api/v1/training/projects/{project.pk}", {"chain": "nope"}, content_type="application/json")
    assert bad.status_code == 422
