"""School programmes (一(八)): 预备技师（技师）班 only at a technical school, "短平快" short
programmes, the 职业训练院 designation, and the programmes on the organisation's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.bases import school_actions
from jixing.bases.schools import SchoolProgramme, TrainingCollegeDesignation
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_user
from jixing.registry.models import Occupation, OrganisationKind, SkillLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(personas):
    org = make_organisation("济南技师学院", "370103", OrganisationKind.TECHNICAL_SCHOOL, enrolled_students=5000)
    return org, make_user("tess", Role.INSTITUTION, organisation=org)


def data(**overrides):
    values = {"kind": "preparatory_technician", "name": "电气自动化预备技师班", "occupation": Occupation.objects.order_by("code").first(),
              "level": SkillLevel.objects.get(order=5), "cohort_year": 2026, "cohort_size": 40, "duration_days": 365,
              "full_time": True, "in_enrolment_plan": True, "target_group": "未就业高校毕业生"}
    return {**values, **overrides}


def test_it_records_a_preparatory_technician_class_of_a_technical_school(school) -> None:
    org, tess = school
    programme = school_actions.save_programme(by=tess, provider=org, data=data())
    assert programme.level.order == 5
    assert AuditEvent.objects.filter(event="bases.programme.saved", object_id=str(programme.pk)).exists()
    programme = school_actions.save_programme(by=tess, provider=org, data={"cohort_size": 50}, programme=programme)
    assert SchoolProgramme.objects.get().cohort_size == 50


@pytest.mark.parametrize(("overrides", "words"), [
    ({"level": 4}, "technician level"),
    ({"in_enrolment_plan": False}, "enrolment plan"),
    ({"kind": "short_course", "duration_days": 120}, "at most 90"),
])
def test_it_refuses_a_programme_against_the_policy(school, overrides, words) -> None:
    org, tess = school
    if "level" in overrides:
        overrides["level"] = SkillLevel.objects.get(order=overrides["level"])
    with pytest.raises(ValidationError) as exc:
        school_actions.save_programme(by=tess, provider=org, data=data(**overrides))
    assert words in str(exc.value)
    assert not SchoolProgramme.objects.exists()


def test_a_private_institution_runs_short_programmes_but_no_preparatory_class(personas) -> None:
    ivan, org = personas.ivan, personas.institution
    with pytest.raises(ValidationError):
        school_actions.save_programme(by=ivan, provider=org, data=data())
    school_actions.save_programme(by=ivan, provider=org, data=data(kind="short_course", name="家政短平快班", duration_days=15,
                                                                   in_enrolment_plan=False))
    with pytest.raises(PermissionDenied):
        school_actions.save_programme(by=personas.ivan, provider=make_organisation("别家学校", "370102", seed=9),
                                      data=data(kind="short_course", duration_days=10))


def test_the_database_holds_the_preparatory_rule(school) -> None:
    org, _tess = school
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolProgramme.objects.create(provider=org, **data(in_enrolment_plan=False))


def test_an_officer_of_the_region_designates_a_training_college(school, personas) -> None:
    import datetime as dt

    org, tess = school
    kwargs = {"school": org, "name": "济南技师学院职业训练院", "designated_on": dt.date(2026, 1, 5), "document": "济人社字〔2026〕1号"}
    for user in (personas.carol, tess):
        with pytest.raises(PermissionDenied):
            school_actions.designate_training_college(by=user, **kwargs)
    school_actions.designate_training_college(by=personas.bob, **kwargs)
    assert TrainingCollegeDesignation.objects.get().school == org
    with pytest.raises(ValidationError):
        school_actions.designate_training_college(by=personas.alice, **kwargs)
    with pytest.raises(ValidationError):
        school_actions.designate_training_college(by=personas.alice, **{**kwargs, "school": personas.institution})


def test_the_school_page_lists_its_programmes_and_404s_outside_scope(school, personas) -> None:
    org, tess = school
    school_actions.save_programme(by=tess, provider=org, data=data())
    client = Client()
    client.force_login(tess)
    response = client.post(reverse("bases:programme_create"), {
        "kind": "short_course", "name": "焊工短期就业班", "occupation": Occupation.objects.order_by("code").first().pk,
        "level": 4, "cohort_year": 2026, "cohort_size": 30, "duration_days": 40, "full_time": "on"})
    assert response.status_code == 302
    page = client.get(reverse("bases:school_detail", args=[org.pk])).content.decode()
    assert "电气自动化预备技师班" in page and "焊工短期就业班" in page
    client.force_login(personas.bob)
    assert "电气自动化预备技师班" in client.get(reverse("bases:organisation_panel", args=[org.pk])).content.decode()
    for user in (personas.carol, personas.ivan):
        client.force_login(user)
        assert client.get(reverse("bases:school_detail", args=[org.pk])).status_code == 404
