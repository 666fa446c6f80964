"""The authorisation matrix (issue 11, build 2; SECURITY.md B3): every persona × every page and
every GET operation of the API × objects in and out of their scope.

Built from the URL resolver and the OpenAPI document, so a new page or endpoint is checked the
day it appears:
- every page route and API operation with an object id must have an entry below naming the
  queryset that decides who may see that object (``visible_to`` or the nearest rule); a route
  without one fails — add the entry, do not skip it;
- a 200 for an object outside the persona's queryset is a leak; a list answer must hold only
  visible rows, and no page or answer may carry the name of a person outside the persona's
  person scope;
- the ground truth itself is pinned for the sector officers (a province-, a city- and a
  county-level civil-affairs officer) and the county, city and province officers on objects in
  and out of their scope, and the sector officers' list answers hold exactly their rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q, QuerySet
from django.test import Client

from config.api import api
from jixing.accounts.models import ApiToken, Role, User
from jixing.core.access import scope_for
from jixing.core.models import ExportJob
from jixing.core.permissions import ANY_ROLE
from jixing.core.testing import make_user
from jixing.employment.models import JobDemand, Placement, Referral, SkillPayReport
from jixing.employment.tests import factories as emp
from jixing.evaluation.engineer_models import EngineerCertificate, EngineerSession
from jixing.evaluation.models import (
    Candidate,
    Certificate,
    DirectRecognition,
    EvaluationFiling,
    EvaluationResult,
    EvaluationSession,
    LevelAppointment,
)
from jixing.evaluation.tests import factories as evf
from jixing.funds.models import (
    Budget,
    Claim,
    ClaimLine,
    MilestonePayment,
    PaymentBatch,
    ReconciliationIssue,
    RecoveryOrder,
    SubsidyRuleTable,
)
from jixing.imports.models import ImportJob
from jixing.notify.models import Notification
from jixing.plan.models import MasterStudio, SelfArrangedTraining
from jixing.registry.models import Department, Organisation, Person, PersonRestriction
from jixing.stats.models import DispatchReport, InstitutionSelection
from jixing.stats.models_intake import DepartmentTraining
from jixing.supervision.models import Case, Explanation, Finding
from jixing.trainers.models import Competition, MalanhuaActivity, TrainerProfile
from jixing.training.models import (
    Enrollment,
    SpotCheck,
    Terminal,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)
from jixing.training.topics import KeyMilestone, Topic, TopicApplication, TopicList
from tests.test_url_protection import pages

Visible = Callable[[User], QuerySet[Any]]


def _v(model: Any) -> Visible:
    return lambda user: model.objects.visible_to(user)


def _sessions(user: User) -> QuerySet[Any]:
    return TrainingSession.objects.filter(training_class__in=TrainingClass.objects.visible_to(user))


def _own_tokens(user: User) -> QuerySet[Any]:
    return ApiToken.objects.filter(organisation_id=user.organisation_id or -1)


def _dispatch_reports(user: User) -> QuerySet[Any]:
    """The monthly dispatch report (调度通报) ranks every city by design: every stats reader reads it."""
    from jixing.stats.views import STATS_ROLES

    return DispatchReport.objects.all() if user.role in STATS_ROLES else DispatchReport.objects.none()


def _explanations(user: User) -> QuerySet[Any]:
    return Explanation.objects.filter(
        Q(finding__in=Finding.objects.visible_to(user)) | Q(case__in=Case.objects.visible_to(user)))


def _own_terminals(user: User) -> QuerySet[Any]:
    return Terminal.objects.filter(organisation_id=user.organisation_id or -1)


def _own_exports(user: User) -> QuerySet[Any]:
    return ExportJob.objects.filter(user=user)


def _own_notifications(user: User) -> QuerySet[Any]:
    return Notification.objects.for_user(user)


def _topics(user: User) -> QuerySet[Any]:
    return Topic.objects.filter(topic_list__in=TopicList.objects.visible_to(user))


def _nothing(user: User) -> QuerySet[Any]:
    return User.objects.none()


def _bases(user: User) -> QuerySet[Any]:
    """Public training bases are a shared resource: every reader sees every base (seed 一(九))."""
    from jixing.bases.queries import bases

    return bases(user)


def _own_facilities(user: User) -> QuerySet[Any]:
    from jixing.bases.access import is_base_staff
    from jixing.bases.models import Facility

    return Facility.objects.filter(base_id=user.organisation_id) if is_base_staff(user) else Facility.objects.none()


def _providers(user: User) -> QuerySet[Any]:
    from jixing.bases.school_views import PROVIDER_KINDS

    return Organisation.objects.visible_to(user).filter(kind__in=PROVIDER_KINDS)


def _own_programmes(user: User) -> QuerySet[Any]:
    from jixing.bases.schools import SchoolProgramme

    return SchoolProgramme.objects.active().filter(provider_id=user.organisation_id or -1)


def _bases_v(name: str) -> Visible:
    def visible(user: User) -> QuerySet[Any]:
        from jixing.bases import models

        return getattr(models, name).objects.visible_to(user)
    return visible


# Page route name → who may see the object its first id names.
PAGE_OBJECTS: dict[str, Visible] = {
    "accounts:api_token_revoke": _own_tokens,
    **dict.fromkeys(["registry:person_detail", "registry:person_edit", "registry:person_unmask",
                     "registry:person_archive"], _v(Person)),
    **dict.fromkeys(["registry:organisation_detail", "registry:organisation_edit", "stats:propose"], _v(Organisation)),
    "registry:restriction_lift": _v(PersonRestriction),
    **dict.fromkeys(["training:project_detail", "training:project_edit", "training:project_move",
                     "training:class_create"], _v(TrainingProject)),
    **dict.fromkeys(["training:class_detail", "training:session_add", "training:enroll", "training:roster_upload",
                     "training:class_close", "training:class_file", "training:filing_decide"], _v(TrainingClass)),
    **dict.fromkeys(["training:session_detail", "training:roll_call", "training:session_qr", "training:my_session"],
                    _sessions),
    "training:terminal_revoke": _own_terminals,
    "training:spot_check_detail": _v(SpotCheck),
    "training:topic_list": _v(TopicList),
    "training:topic_apply": _topics,
    **dict.fromkeys(["training:topic_application", "training:topic_score", "training:topic_decide"],
                    _v(TopicApplication)),
    "training:milestone_action": _v(KeyMilestone),
    **dict.fromkeys(["stats:quality_project", "stats:quality_decide"], _v(TrainingProject)),
    "notify:open": _own_notifications,
    **dict.fromkeys(["web:export", "web:export_download"], _own_exports),
    **dict.fromkeys(["training:enrollment_detail", "training:enrollment_override", "training:enrollment_withdraw"],
                    _v(Enrollment)),
    **dict.fromkeys(["evaluation:filing_detail", "evaluation:filing_decide"], _v(EvaluationFiling)),
    **dict.fromkeys(["evaluation:session_detail", "evaluation:session_add_candidate", "evaluation:session_add_class",
                     "evaluation:result_record", "evaluation:session_import", "evaluation:session_submit",
                     "evaluation:session_lock", "evaluation:session_return"], _v(EvaluationSession)),
    **dict.fromkeys(["evaluation:result_detail", "evaluation:result_review"], _v(EvaluationResult)),
    **dict.fromkeys(["evaluation:recognition_detail", "evaluation:recognition_decide"], _v(DirectRecognition)),
    **dict.fromkeys(["evaluation:certificate_detail", "evaluation:certificate_revoke"], _v(Certificate)),
    **dict.fromkeys(["employment:demand_detail", "employment:demand_status", "employment:demand_refer"], _v(JobDemand)),
    "employment:referral_result": _v(Referral),
    **dict.fromkeys(["employment:placement_detail", "employment:placement_verify", "employment:placement_resubmit"],
                    _v(Placement)),
    **dict.fromkeys(["funds:budget_detail", "funds:budget_allocate", "funds:budget_appropriate"], _v(Budget)),
    **dict.fromkeys(["funds:claim_detail", "funds:claim_submit", "funds:claim_cancel", "funds:claim_payee",
                     "funds:claim_approve", "funds:claim_return", "funds:claim_reject", "funds:line_exclude"], _v(Claim)),
    **dict.fromkeys(["funds:batch_detail", "funds:batch_export", "funds:batch_reconcile"], _v(PaymentBatch)),
    "funds:issue_resolve": _v(ReconciliationIssue),
    **dict.fromkeys(["funds:recovery_detail", "funds:recovery_instalment", "funds:recovery_write_off"], _v(RecoveryOrder)),
    **dict.fromkeys(["funds:rule_detail", "funds:rule_copy"], _v(SubsidyRuleTable)),
    **dict.fromkeys(["supervision:finding", "supervision:finding_clear", "supervision:finding_explain",
                     "supervision:finding_add_to_case"], _v(Finding)),
    **dict.fromkeys(["supervision:case", "supervision:case_step", "supervision:case_explain"], _v(Case)),
    "supervision:attachment": _explanations,
    "supervision:rule_editor": _nothing,  # a user id: only the security admin's page, checked by role
    **dict.fromkeys(["stats:report", "stats:report_download"], _dispatch_reports),
    "stats:decide": _v(InstitutionSelection),
    **dict.fromkeys(["imports:job", "imports:commit", "imports:cancel", "imports:errors"], _v(ImportJob)),
    **dict.fromkeys(["evaluation:engineer_session", "evaluation:engineer_score", "evaluation:engineer_lock"],
                    _v(EngineerSession)),
    "trainers:trainer_detail": _v(TrainerProfile),
    "trainers:competition_detail": _v(Competition),
    "training:class_base_booking": _v(TrainingClass),
    "bases:base_detail": _bases,
    "bases:facility_edit": _own_facilities,
    "bases:booking_request": _bases_v("Facility"),
    **dict.fromkeys(["bases:booking_detail", "bases:booking_move"], _bases_v("Booking")),
    **dict.fromkeys(["bases:school_detail", "bases:designate"], _providers),
    "bases:organisation_panel": _v(Organisation),
    "bases:programme_edit": _own_programmes,
    "plan:studio_detail": _v(MasterStudio),
    **dict.fromkeys(["plan:self_training_detail", "plan:self_training_evidence"], _v(SelfArrangedTraining)),
    "stats:intake_record": _v(DepartmentTraining),
    "funds:self_training_claim_create": _v(SelfArrangedTraining),
}
# Routes whose parameter names no object (a kind, a verb, a code, a one-time token), each with why.
PAGES_WITHOUT_OBJECTS = {
    "plan:target_allocations": "a published target line's code: plan data every officer reads",
    "training:check_in": "a signed one-time check-in token; the view checks it",
    "supervision:rule_edit": "a rule code; role-gated (rule editors)",
    "imports:upload": "an import kind",
    "imports:template": "an import kind's blank template",
    "stats:profile": "@public: an institution's public profile (its 优选 status), DESIGN.md",
    "notify:unsubscribe": "a signed unsubscribe token; the view checks it",
    "plan:chain_detail": "an industrial chain's code: published reference data (18 + 66 chains, seed 一(七))",
}

# API GET operations with an object id → who may see it.
API_OBJECTS: dict[str, Visible] = {
    "/api/v1/employment/demands/{demand_id}": _v(JobDemand),
    "/api/v1/employment/demands/{demand_id}/matches": _v(JobDemand),
    "/api/v1/employment/placements/{placement_id}": _v(Placement),
    "/api/v1/evaluation/certificates/{certificate_id}": _v(Certificate),
    "/api/v1/evaluation/filings/{filing_id}": _v(EvaluationFiling),
    "/api/v1/evaluation/sessions/{session_id}": _v(EvaluationSession),
    "/api/v1/funds/budgets/{budget_id}": _v(Budget),
    "/api/v1/funds/claims/{claim_id}": _v(Claim),
    "/api/v1/imports/jobs/{job_id}": _v(ImportJob),
    "/api/v1/registry/organisations/{organisation_id}": _v(Organisation),
    "/api/v1/registry/persons/{person_id}": _v(Person),
    "/api/v1/supervision/cases/{case_id}": _v(Case),
    "/api/v1/supervision/findings/{finding_id}": _v(Finding),
    "/api/v1/training/classes/{class_id}": _v(TrainingClass),
    "/api/v1/training/classes/{class_id}/enrollments": _v(TrainingClass),
    "/api/v1/training/classes/{class_id}/sessions": _v(TrainingClass),
    "/api/v1/training/enrollments/{enrollment_id}": _v(Enrollment),
    "/api/v1/training/projects/{project_id}": _v(TrainingProject),
    "/api/v1/training/sessions/{session_id}/attendance": _sessions,
    "/api/v1/training/topics/lists/{list_id}": _v(TopicList),
    "/api/v1/training/topics/applications/{application_id}": _v(TopicApplication),
    "/api/v1/evaluation/engineers/sessions/{session_id}/candidates": _v(EngineerSession),
    "/api/v1/trainers/{trainer_id}": _v(TrainerProfile),
    "/api/v1/bases/{base_id}/calendar": _bases,
    "/api/v1/bases/bookings/{booking_id}": _bases_v("Booking"),
    "/api/v1/plan/studios/{studio_id}": _v(MasterStudio),
    "/api/v1/plan/self-trainings/{record_id}": _v(SelfArrangedTraining),
}
# API list operations whose items carry an ``id`` of a scoped model → that model's rule.
API_LISTS: dict[str, Visible] = {
    "/api/v1/employment/demands": _v(JobDemand),
    "/api/v1/employment/placements": _v(Placement),
    "/api/v1/employment/referrals": _v(Referral),
    "/api/v1/employment/pay": _v(SkillPayReport),
    "/api/v1/evaluation/certificates": _v(Certificate),
    "/api/v1/evaluation/filings": _v(EvaluationFiling),
    "/api/v1/evaluation/sessions": _v(EvaluationSession),
    "/api/v1/evaluation/level-appointments": _v(LevelAppointment),
    "/api/v1/funds/budgets": _v(Budget),
    "/api/v1/funds/claims": _v(Claim),
    "/api/v1/funds/milestone-payments": _v(MilestonePayment),
    "/api/v1/funds/payment-batches": _v(PaymentBatch),
    "/api/v1/funds/recoveries": _v(RecoveryOrder),
    "/api/v1/funds/review-queue": _v(Claim),
    "/api/v1/funds/self-trainings": _v(SelfArrangedTraining),
    "/api/v1/registry/organisations": _v(Organisation),
    "/api/v1/registry/persons": _v(Person),
    "/api/v1/registry/restrictions": _v(PersonRestriction),
    "/api/v1/supervision/findings": _v(Finding),
    "/api/v1/training/classes": _v(TrainingClass),
    "/api/v1/training/class-filings": _v(TrainingClass),
    "/api/v1/training/my/enrollments": _v(Enrollment),
    "/api/v1/training/projects": _v(TrainingProject),
    "/api/v1/training/topics/lists": _v(TopicList),
    "/api/v1/training/topics/applications": _v(TopicApplication),
    "/api/v1/stats/quality/queue": _v(TrainingProject),
    "/api/v1/evaluation/engineers/certificates": _v(EngineerCertificate),
    "/api/v1/evaluation/engineers/sessions": _v(EngineerSession),
    "/api/v1/trainers/": _v(TrainerProfile),
    "/api/v1/trainers/competitions/": _v(Competition),
    "/api/v1/trainers/malanhua/activities": _v(MalanhuaActivity),
    "/api/v1/bases/": _bases,
    "/api/v1/bases/bookings": _bases_v("Booking"),
    "/api/v1/bases/programmes": _bases_v("SchoolProgramme"),
    "/api/v1/plan/studios": _v(MasterStudio),
    "/api/v1/plan/self-trainings": _v(SelfArrangedTraining),
    "/api/v1/stats/intake/records": _v(DepartmentTraining),
}
# List operations without scoped row ids (aggregates, the caller's own data, published rules),
# each with why; they still get the person-name check.
API_UNSCOPED_LISTS = {
    "/api/v1/accounts/me": "the caller's own account",
    "/api/v1/notify/notifications": "the caller's own notifications",
    "/api/v1/notify/notifications/unread-count": "the caller's own count",
    "/api/v1/notify/todos": "the caller's own to-do list (built from their visible rows)",
    "/api/v1/employment/outcomes": "aggregates over visible enrollments",
    "/api/v1/evaluation/certificates/verify": "public check by number and name (masked answer)",
    "/api/v1/funds/my/studies": "the trainee's own studies",
    "/api/v1/funds/my/subsidies": "the trainee's own subsidies",
    "/api/v1/funds/rules": "published subsidy standards",
    "/api/v1/funds/staff-education/stats": "aggregates",
    "/api/v1/plan/actions": "published plan",
    "/api/v1/plan/targets": "published plan",
    "/api/v1/training/teachers": "the institution's own teachers",
    "/api/v1/evaluation/engineers/fields": "published reference data (the 数字技术工程师 fields)",
    "/api/v1/evaluation/engineers/progress": "aggregates over visible engineer sessions and certificates",
    "/api/v1/trainers/malanhua/person-times": "aggregates over visible 马兰花 activities",
    "/api/v1/bases/utilisation": "aggregates over the bases in the caller's region",
    "/api/v1/plan/chains": "published reference data (the 18 + 66 industrial chains)",
    "/api/v1/plan/chain-leaders": "the published recognition of chain-leader enterprises (seed 一(七))",
    "/api/v1/plan/programmes": "published plan (the named programmes)",
    "/api/v1/stats/intake/breakdown": "aggregates over visible department records",
    **{f"/api/v1/stats/{name}": "aggregates over visible rows" for name in
       ("cities", "funnel", "progress", "scorecards/evaluators", "scorecards/institutions", "trend")},
}
SAMPLE = 6  # objects of one model tried per route


@dataclass
class World:
    users: dict[str, User]
    persons: list[Person]


def _sector_officer(username: str, region: str) -> User:
    return make_user(username, Role.SECTOR_OFFICER, department=Department.objects.get(code="civil"), region_id=region)


@pytest.fixture
def world(personas) -> World:
    """Objects in several counties and actions: Lixia (370102) and Shizhong (370103) of Jinan,
    Qingdao (370202); the civil-affairs action (4) and another (2). Civil-affairs officers at
    three levels: Frank (province), Fiona (Jinan), Felix (Lixia)."""
    p = personas
    ent = emp.enterprise()
    eve = emp.enterprise_user(ent, "eve")
    for seq, county, action in [(811, "370102", 4), (812, "370202", 4), (813, "370103", 2), (814, "370103", 4)]:
        person = emp.person(f"矩阵{seq}", county, seq)
        enrollment = emp.completed_training(person, p.institution, p.ivan, action_number=action, county=county)
        demand = emp.demand(ent, eve, title=f"岗位{seq}", county=county)
        TrainingProject.objects.filter(pk=enrollment.training_class.project_id).update(job_demand=demand)
        referral = Referral.objects.create(demand=demand, person=person, enrollment=enrollment, referred_by=p.ivan,
                                           referring_organisation=p.institution)
        Placement.objects.create(
            person=person, enrollment=enrollment, referral=referral, kind="employed", employer=ent,
            employer_uscc=ent.uscc, employer_name=ent.name, county_id=county, start_date=enrollment.completed_on,
            monthly_wage=5000, source="institution", reported_by=p.ivan, reporting_organisation=p.institution)
    emp.enterprise("青岛海工有限公司", "370202", seed=2)
    evf.locked_pass(p)
    users = {name: getattr(p, name) for name in
             ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan", "judy", "trent", "audrey", "sam", "sue")}
    users["fiona"] = _sector_officer("fiona", "370100")
    users["felix"] = _sector_officer("felix", "370102")
    users["eve"] = eve
    return World(users=users, persons=list(Person.objects.all()))


def _pks(queryset: QuerySet[Any]) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _reachable_persons(user: User) -> set[int]:
    """The persons a user may see by name: their person scope, and the persons of the rows they
    may see (a certificate's holder for its issuer, a placement's person for the employer …)."""
    ids = _pks(Person.objects.visible_to(user))
    for queryset, field in [
        (Enrollment.objects.visible_to(user), "person_id"), (Certificate.objects.visible_to(user), "person_id"),
        (Candidate.objects.visible_to(user), "person_id"), (DirectRecognition.objects.visible_to(user), "person_id"),
        (Placement.objects.visible_to(user), "person_id"), (Referral.objects.visible_to(user), "person_id"),
        (ClaimLine.objects.visible_to(user), "person_id"), (Claim.objects.visible_to(user), "person_id"),
        (EvaluationFiling.objects.visible_to(user), "examiners"), (EvaluationSession.objects.visible_to(user), "examiners"),
    ]:
        ids |= {pk for pk in queryset.values_list(field, flat=True) if pk}
    return ids


def _hidden_names(world: World, user: User) -> list[str]:
    reachable = _reachable_persons(user)
    return [person.name for person in world.persons if person.pk not in reachable and len(person.name) >= 3]


def _full_numbers(world: World, text: str) -> bool:
    return any(person.id_number in text for person in world.persons)


# ------------------------------------------------------------------ the ground truth


def test_it_pins_the_scope_of_the_officers_on_objects_in_and_out_of_their_scope(world) -> None:
    u = world.users
    placements = {pl.person.name: pl.pk for pl in Placement.objects.select_related("person")}
    seen = {name: {n for n, pk in placements.items() if pk in _pks(Placement.objects.visible_to(u[name]))}
            for name in ("alice", "bob", "carol", "dave", "frank", "fiona", "felix", "grace", "trent", "sam", "audrey")}
    assert seen["alice"] == seen["audrey"] == {"矩阵811", "矩阵812", "矩阵813", "矩阵814"}
    assert seen["bob"] == {"矩阵811", "矩阵813", "矩阵814"} and seen["carol"] == {"矩阵812"} and seen["dave"] == {"矩阵811"}
    assert seen["frank"] == {"矩阵811", "矩阵812", "矩阵814"}  # province civil affairs: the civil action everywhere
    assert seen["fiona"] == {"矩阵811", "矩阵814"}  # Jinan civil affairs: the civil action in Jinan only
    assert seen["felix"] == {"矩阵811"}  # Lixia civil affairs: the civil action in Lixia only
    assert seen["trent"] == seen["sam"] == set()
    assert scope_for(u["fiona"]).region_prefix == "3701" and scope_for(u["frank"]).department_id
    assert scope_for(u["felix"]).region_prefix == "370102"


# The lists that reach a sector officer through their department's actions → the rows made for
# the world's persons (矩阵811 …), from how the world was built rather than from ``visible_to``.
SECTOR_LISTS: dict[str, Callable[[list[str]], QuerySet[Any]]] = {
    "/api/v1/training/projects": lambda names: TrainingProject.objects.filter(classes__enrollments__person__name__in=names),
    "/api/v1/training/classes": lambda names: TrainingClass.objects.filter(enrollments__person__name__in=names),
    "/api/v1/employment/placements": lambda names: Placement.objects.filter(person__name__in=names),
    "/api/v1/employment/referrals": lambda names: Referral.objects.filter(person__name__in=names),
    "/api/v1/employment/demands": lambda names: JobDemand.objects.filter(referrals__person__name__in=names),
}
SECTOR_SEES = {
    "frank": ["矩阵811", "矩阵812", "矩阵814"],  # province: the civil action everywhere
    "fiona": ["矩阵811", "矩阵814"],  # Jinan: the civil action in Jinan
    "felix": ["矩阵811"],  # Lixia: the civil action in Lixia
}


@pytest.mark.parametrize("path", sorted(SECTOR_LISTS))
def test_it_lists_a_sector_officers_rows_at_province_city_and_county_level(world, path) -> None:
    """Each level's list holds exactly the rows of the civil action within the officer's region."""
    for name, persons in SECTOR_SEES.items():
        client = Client()
        client.force_login(world.users[name])
        response = client.get(path, {"page_size": 500})
        assert response.status_code == 200, (name, path, response.status_code)
        body = response.json()
        items = body["items"] if isinstance(body, dict) and "items" in body else body
        expected = _pks(SECTOR_LISTS[path](persons))
        assert expected, (name, path)
        assert {item["id"] for item in items} == expected, (name, path)
        assert expected == _pks(API_LISTS[path](world.users[name])), (name, path)


# ------------------------------------------------------------------ pages


def _page_url(route: str, pk: int) -> str:
    first = [True]

    def fill(match: re.Match[str]) -> str:
        if first[0] and match.group(1) in ("int", None):
            first[0] = False
            return str(pk)
        return {"int": "1", "slug": "x", "str": "x"}.get(match.group(1) or "str", "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def test_it_has_a_scope_entry_for_every_page_that_names_an_object() -> None:
    missing = [f"{page.name} (/{page.route})" for page in pages()
               if "<" in page.route and page.name not in PAGE_OBJECTS and page.name not in PAGES_WITHOUT_OBJECTS]
    assert missing == [], "Add these routes to PAGE_OBJECTS (or PAGES_WITHOUT_OBJECTS with a reason): " + "; ".join(missing)


def _role_may_open(page: Any, user: User) -> bool:
    access = page.access or ()
    return ANY_ROLE in access or user.role in access


def test_it_shows_no_page_of_an_object_outside_the_personas_scope(world) -> None:
    """Out of scope is 404, exactly like missing (README; issue 15): a 403 would confirm that
    the record exists. Only a page the persona's role may not open at all may answer 403."""
    leaks, forbidden, shown = [], [], 0
    routes = [page for page in pages() if page.name in PAGE_OBJECTS]
    for name, user in world.users.items():
        client = Client()
        client.force_login(user)
        for page in routes:
            visible_to = PAGE_OBJECTS[page.name]
            model = visible_to(world.users["audrey"]).model
            visible = _pks(visible_to(user))
            for pk in list(model.objects.order_by("pk").values_list("pk", flat=True)[:SAMPLE]):
                status = client.get(_page_url(page.route, pk)).status_code
                if status == 200:
                    shown += 1
                    if pk not in visible:
                        leaks.append(f"{name} → {page.name} #{pk}")
                elif status == 403 and pk not in visible and _role_may_open(page, user):
                    forbidden.append(f"{name} → {page.name} #{pk}")
    assert leaks == [], "Pages shown outside the scope: " + "; ".join(leaks)
    assert forbidden == [], "403 instead of 404 for an object outside the scope: " + "; ".join(forbidden)
    assert shown > 50  # the matrix really opened pages


# That no list page names a person outside the persona's person scope (or shows a full ID
# number) is checked on the walk of every page in tests/test_every_page_words.py, which opens
# the same persona × list page pairs of this world for its words check.


# ------------------------------------------------------------------ the API


def _api_gets() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(path for path, ops in paths.items() if "get" in ops)


def test_it_has_a_scope_entry_for_every_api_read() -> None:
    missing = [path for path in _api_gets()
               if path not in API_OBJECTS and path not in API_LISTS and path not in API_UNSCOPED_LISTS]
    assert missing == [], "Add these GET operations to API_OBJECTS / API_LISTS (or API_UNSCOPED_LISTS with a reason): " + "; ".join(missing)


def test_it_answers_no_api_read_outside_the_personas_scope(world) -> None:
    leaks, answered = [], 0
    for name, user in world.users.items():
        client = Client()
        client.force_login(user)
        hidden = _hidden_names(world, user)
        for path in _api_gets():
            if path in API_OBJECTS:
                visible_to = API_OBJECTS[path]
                model = visible_to(world.users["audrey"]).model
                visible = _pks(visible_to(user))
                for pk in list(model.objects.order_by("pk").values_list("pk", flat=True)[:SAMPLE]):
                    response = client.get(re.sub(r"\{\w+\}", str(pk), path, count=1))
                    if response.status_code == 200:
                        answered += 1
                        if pk not in visible:
                            leaks.append(f"{name} → {path} #{pk}")
                        text = response.content.decode()
                        leaks += [f"{name} → {path} #{pk}: {person}" for person in hidden if person in text]
                continue
            response = client.get(path, {"page_size": 500})
            if response.status_code != 200:
                continue
            answered += 1
            text = response.content.decode()
            leaks += [f"{name} → {path}: {person}" for person in hidden if person in text]
            if path in API_LISTS:
                body = response.json()
                items = body["items"] if isinstance(body, dict) and "items" in body else body
                ids = {item["id"] for item in items if isinstance(item, dict) and "id" in item}
                outside = ids - _pks(API_LISTS[path](user))
                if outside:
                    leaks.append(f"{name} → {path}: ids {sorted(outside)}")
    assert leaks == [], "API answers outside the scope: " + "; ".join(leaks)
    assert answered > 100


def test_it_answers_404_not_403_for_a_project_of_another_institution_on_the_claim_form(personas) -> None:
    """An object id in a query string or form is looked up in scope like a path id: another
    institution's project is as missing as a project that does not exist."""
    from jixing.core.testing import make_organisation
    from jixing.funds.tests import factories as ff

    w = ff.funded_class(personas, trainees=1)
    other = make_user("olga", Role.INSTITUTION, organisation=make_organisation("市中技能培训学校", "370103"))
    client = Client()
    client.force_login(other)
    assert client.get(f"/funds/claims/new/?project={w.project.pk}").status_code == 404
    assert client.get("/funds/claims/new/?project=999999").status_code == 404
    client.force_login(personas.ivan)
    assert client.get(f"/funds/claims/new/?project={w.project.pk}").status_code == 200
    client.force_login(personas.trent)  # a role that may not open the page at all: 403
    assert client.get(f"/funds/claims/new/?project={w.project.pk}").status_code == 403
