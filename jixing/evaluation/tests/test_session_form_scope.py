"""Issue 16: an evaluator's session form offers only the occupations and levels its filings cover."""

from __future__ import annotations

import pytest

from jixing.evaluation.forms import SessionForm
from jixing.evaluation.models import EvaluationFiling

from . import factories as f

pytestmark = pytest.mark.django_db


def test_the_session_form_offers_only_the_filed_scope(personas):
    filing = f.approved_filing(personas, occupations=(f.occupation(0),), levels=(3,))
    form = SessionForm(filings=EvaluationFiling.objects.filter(pk=filing.pk))
    assert list(form.fields["occupation"].queryset) == [f.occupation(0)]
    assert [lv.pk for lv in form.fields["level"].queryset] == [3]
    outside = SessionForm({"filing": filing.pk, "occupation": f.occupation(1).pk, "level": 4, "mode": "social",
                           "date": "2026-06-01", "site": "x"}, filings=EvaluationFiling.objects.filter(pk=filing.pk))
    assert not outside.is_valid() and {"occupation", "level"} <= set(outside.errors)
