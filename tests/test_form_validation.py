"""Forms that refuse nonsense (issue 15, build 6): dates in order and in plausible years on every
form with dates, an evaluator offered only what its filing covers; messages in zh-hans naming
the field. (Wage ranges: jixing/employment/tests/test_demands_and_referrals.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from jixing.accounts.forms import AuditFilterForm
from jixing.core.formdates import DateRangeMixin
from jixing.employment.forms import PlacementForm
from jixing.evaluation.forms import FilingForm
from jixing.evaluation.forms import SessionForm as EvaluationSessionForm
from jixing.evaluation.models import EvaluationFiling
from jixing.evaluation.tests import factories as evf
from jixing.funds.forms import StudyRecordForm
from jixing.registry.models import Occupation
from jixing.supervision.forms import SanctionForm
from jixing.training.forms import ClassForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _errors(form: forms.Form) -> dict[str, list[str]]:
    form.is_valid()
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_every_form_with_a_date_checks_its_dates() -> None:
    """A new form with a DateField and no DateRangeMixin fails here: add the mixin (and its ranges)."""
    import importlib

    missing = []
    for app in ("accounts", "employment", "evaluation", "funds", "supervision", "training", "registry", "stats"):
        try:
            module = importlib.import_module(f"jixing.{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in vars(module).items():
            if (isinstance(cls, type) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
                    and any(isinstance(f, forms.DateField) for f in getattr(cls, "base_fields", {}).values())
                    and not issubclass(cls, DateRangeMixin) and not issubclass(cls, forms.ModelForm)):
                missing.append(f"{module.__name__}.{name}")
    assert missing == []


def test_a_class_ending_before_it_starts_is_refused_naming_both_fields(personas) -> None:
    form = ClassForm({"start_date": "2026-05-10", "end_date": "2026-05-01"}, organisation_id=personas.institution.pk)
    errors = _errors(form)
    assert "“结班日期”（2026-05-01）早于“开班日期”（2026-05-10）。" in errors["end_date"]


def test_an_absurd_year_is_refused(personas) -> None:
    form = ClassForm({"start_date": "0202-05-10", "end_date": "2026-05-01"}, organisation_id=personas.institution.pk)
    errors = _errors(form)
    assert any("不是合理的日期" in m and "“开班日期”" in m for m in errors["start_date"])
    assert "end_date" not in errors  # the range is not checked against a date already refused


@pytest.mark.parametrize(("form", "start", "end"), [
    (lambda data: AuditFilterForm(data), "date_from", "date_to"),
    (lambda data: FilingForm(data), "valid_from", "valid_to"),
])
def test_other_ranges_are_checked_too(form, start, end) -> None:
    errors = _errors(form({start: "2026-05-10", end: "2026-05-01"}))
    assert any("早于" in m for m in errors[end])


def test_a_placement_ending_before_it_starts_is_refused(personas) -> None:
    form = PlacementForm({"start_date": "2026-05-10", "end_date": "2026-05-01"}, user=personas.ivan)
    assert any("早于" in m for m in _errors(form)["end_date"])


def test_a_study_graduating_before_enrolment_is_refused(personas) -> None:
    form = StudyRecordForm({"enrolled_on": "2026-09-01", "graduated_on": "2025-07-01"}, user=personas.trent)
    assert any("早于" in m for m in _errors(form)["graduated_on"])


def test_a_sanction_until_year_99999_is_refused() -> None:
    errors = _errors(SanctionForm({"kind": "suspension", "until": "2999-01-01", "reason": "x"}))
    assert any("不是合理的日期" in m for m in errors["until"])


def test_an_evaluator_is_offered_only_what_its_filing_covers_and_refused_the_rest(personas) -> None:
    filing = evf.approved_filing(personas, occupations=(evf.occupation(0),), levels=(2, 3))
    filings = EvaluationFiling.objects.filter(pk=filing.pk)
    form = EvaluationSessionForm(filings=filings)
    offered_occupations = set(form.fields["occupation"].queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]
    offered_levels = set(form.fields["level"].queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]
    assert offered_occupations == {evf.occupation(0).pk} and offered_levels == {evf.level(2).pk, evf.level(3).pk}

    other = Occupation.objects.exclude(pk=evf.occupation(0).pk).first()
    assert other is not None
    data = {"filing": filing.pk, "occupation": other.pk, "level": evf.level(2).pk, "mode": "social",
            "date": dt.date.today().isoformat(), "site": "x", "examiners": [p.pk for p in filing.examiners.all()]}
    assert "occupation" in _errors(EvaluationSessionForm(data, filings=filings))  # not even offered

    four = evf.level(4)  # not in the first filing's levels (2, 3)
    assert four.pk not in offered_levels
    two = evf.approved_filing(personas, occupations=(other,), levels=(4,))
    both = EvaluationFiling.objects.filter(pk__in=[filing.pk, two.pk])
    # a pair each filing covers only half of: offered by the union, refused for the chosen filing
    data.update(occupation=evf.occupation(0).pk, level=four.pk)
    errors = _errors(EvaluationSessionForm(data, filings=both))
    assert any("不在备案" in m and filing.code in m for m in errors["level"])
