"""The engineer and trainer demo builders run on a small scene and stay consistent."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.demo import new_context
from jixing.core.testing import make_person
from jixing.evaluation import engineer_demo
from jixing.evaluation.engineer_models import EngineerCertificate
from jixing.trainers import demo
from jixing.trainers.models import Competition, MalanhuaActivity, TrainerProfile

pytestmark = pytest.mark.django_db


def test_it_seeds_engineers_trainers_and_malanhua(personas) -> None:
    people = [make_person(f"学员{i}", "370102", birth=dt.date(1990, 1, 1 + i), seq=300 + i) for i in range(10)]
    ctx = new_context("small", 7)
    ctx.shared["persons"] = people
    engineer_demo.seed(ctx)
    assert EngineerCertificate.objects.exists()
    demo.seed(ctx)
    assert TrainerProfile.objects.filter(organisation=personas.institution).exists()
    assert Competition.objects.count() == 2
    assert MalanhuaActivity.objects.exists() and ctx.counts["malanhua_activities"] >= 1


def test_it_summarises_as_one_json_line(personas) -> None:
    import io
    import json

    from django.core.management import call_command

    demo.seed(new_context("small", 3))
    out = io.StringIO()
    call_command("trainer_summary", "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["trainers"] == TrainerProfile.objects.count()
