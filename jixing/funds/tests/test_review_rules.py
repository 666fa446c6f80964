"""Who reviews a claim next (issue 14 Build 4): one pure rule, ``rules.review_step``, decides
for the review actions and for the claim page alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from jixing.core.testing import TEST_PASSWORD
from jixing.funds import actions, queries
from jixing.funds.models import ClaimStatus
from jixing.funds.rules import ClaimReviewFacts, ReviewerFacts, review_step
from jixing.funds.tests import factories as f

HRSS, UNION = "hrss_officer", "union_officer"


def claim(status: str = "submitted", *, union: bool = False, reviewers: tuple[int, ...] = (1,)) -> ClaimReviewFacts:
    return ClaimReviewFacts(status=status, union_review=union, reviewer_ids=frozenset(reviewers))


def officer(level: str, *, pk: int = 9, role: str = HRSS, in_scope: bool = True) -> ReviewerFacts:
    return ReviewerFacts(user_id=pk, role=role, level=level, in_scope=in_scope)


@pytest.mark.parametrize(("status", "level", "expected"), [
    ("submitted", "county", ("county", True, "")),
    ("submitted", "city", ("county", True, "")),  # a city officer may act as county reviewer
    ("submitted", "province", ("county", False, "wrong_level")),
    ("county_reviewed", "city", ("city", True, "")),
    ("county_reviewed", "county", ("city", False, "wrong_level")),
    ("city_approved", "province", ("province", True, "")),
    ("city_approved", "city", ("province", False, "wrong_level")),
    ("public_notice", "city", ("notice", True, "")),
    ("public_notice", "province", ("notice", True, "")),
    ("public_notice", "county", ("notice", False, "wrong_level")),
    ("draft", "city", ("", False, "not_waiting")),
    ("payable", "province", ("", False, "not_waiting")),
])
def test_the_stage_follows_the_status_and_the_level(status: str, level: str, expected: tuple[str, bool, str]) -> None:
    decision = review_step(claim(status), officer(level))
    assert (decision.stage, decision.allowed, decision.refusal) == expected


@pytest.mark.parametrize(("union", "role", "in_scope", "allowed"), [
    (False, HRSS, True, True),
    (False, UNION, True, False),
    (True, UNION, True, True),
    (True, HRSS, True, False),  # 求学圆梦 is the trade union's to review
    (False, HRSS, False, False),  # an officer of another region
    (False, "finance_officer", True, False),
])
def test_the_role_and_the_region_must_fit(union: bool, role: str, in_scope: bool, allowed: bool) -> None:
    decision = review_step(claim(union=union), officer("county", role=role, in_scope=in_scope))
    assert decision.allowed is allowed
    assert decision.refusal == ("" if allowed else "wrong_role")


@pytest.mark.parametrize(("status", "level"), [("submitted", "county"), ("county_reviewed", "city"), ("city_approved", "province")])
def test_maker_is_never_checker_whoever_reviewed_before_the_province_included(status: str, level: str) -> None:
    # reviewer ids: maker 1, submitter 2, county 3, city 4, province 5
    for pk in (1, 2, 3, 4, 5):
        decision = review_step(claim(status, reviewers=(1, 2, 3, 4, 5)), officer(level, pk=pk))
        assert (decision.allowed, decision.refusal) == (False, "maker_checker")
    assert review_step(claim(status, reviewers=(1, 2, 3, 4, 5)), officer(level, pk=6)).allowed


def test_the_public_notice_decision_is_not_bound_by_maker_checker() -> None:
    assert review_step(claim("public_notice", reviewers=(9,)), officer("city", pk=9)).allowed


def test_a_named_stage_overrides_the_status() -> None:
    assert review_step(claim("submitted"), officer("city"), stage="city").stage == "city"


@pytest.mark.django_db
def test_it_shows_on_the_claim_page_the_step_the_action_allows(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    submitted = f.claim_in(w, ClaimStatus.SUBMITTED)
    client = Client()

    def step_for(username: str) -> str:
        assert client.login(username=username, password=TEST_PASSWORD)
        page = client.get(reverse("funds:claim_detail", args=[submitted.pk]))
        client.logout()
        assert page.status_code == 200
        return page.context["step"]

    # dave (Lixia county) and bob (Jinan city) may pass county review; erin's county is another
    assert step_for("dave") == "county" and step_for("bob") == "county"
    assert queries.review_decision(personas.erin, submitted).refusal == "wrong_role"
    actions.county_review(submitted, by=personas.bob)
    submitted.refresh_from_db()
    # bob reviewed at county level: the page says maker ≠ checker and the action refuses alike
    assert step_for("bob") == "maker"
    with pytest.raises(PermissionDenied):
        actions.city_approve(submitted, by=personas.bob)
    bill = f.second_city_officer()
    assert queries.review_decision(bill, submitted).allowed
    assert step_for("dave") == ""  # a county officer has no city step
