"""The event → recipient mapping against scope: whoever must act or is affected hears of it;
no one hears of what they may not see; the actor is not told of their own step."""

from __future__ import annotations

import pytest

from jixing.accounts.models import Role
from jixing.core.testing import make_organisation, make_user
from jixing.funds import actions
from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.notify import receivers
from jixing.notify.catalogue import BY_NAME, HRSS, EventSpec, Kind, user
from jixing.notify.models import Notification

pytestmark = pytest.mark.django_db


def told(event: str) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


def test_it_tells_the_institution_of_a_claim_returned_and_no_one_else(personas, committed) -> None:
    other_org = make_organisation("章丘技工学校", "370114", seed=7)
    make_user("otto", Role.INSTITUTION, organisation=other_org)
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    committed(actions.return_claim, claim, by=personas.dave, reason="花名册缺少签名")
    assert told("funds.claim.returned") == {"ivan"}
    n = Notification.objects.get(event="funds.claim.returned")
    assert n.url == f"/funds/claims/{claim.pk}/" and n.read_at is None
    assert n.params == {"number": claim.number, "reason": "花名册缺少签名"}


def test_it_tells_the_county_officers_of_a_submitted_claim_in_their_county_only(personas, committed) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.DRAFT)
    committed(actions.submit_claim, claim, by=personas.ivan)
    # dave is Lixia's county officer; erin (Shizhong) and carol (Qingdao) may not see it,
    # bob (city) is told at city approval, not now; ivan made the step.
    assert told("funds.claim.submitted") == {"dave"}


def test_it_drops_a_named_user_who_may_not_see_the_object(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    spec = EventSpec("test.overreach", Kind.CLAIMS, "JX_CLAIM_SUBMITTED", "t",
                     (user("watcher_a", "a"), user("watcher_b", "b")), frozenset({"in_app"}))
    claim.watcher_a, claim.watcher_b = personas.carol.pk, personas.bob.pk  # Qingdao vs Jinan
    assert [u.username for u in receivers.recipients(spec, claim, actor_id=None)] == ["bob"]


def test_it_leaves_the_actor_out(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    spec = BY_NAME["funds.claim.submitted"]
    assert [u.username for u in receivers.recipients(spec, claim, actor_id=personas.dave.pk)] == []
    assert [u.username for u in receivers.recipients(spec, claim, actor_id=None)] == ["dave"]


def test_it_tells_a_trainee_of_their_own_certificate_only(personas) -> None:
    cert = f.certificate(personas.lixia_person)
    other = make_user("olga", Role.TRAINEE, person=personas.shizhong_person)
    spec = BY_NAME["evaluation.certificate.issued"]
    names = [u.username for u in receivers.recipients(spec, cert, actor_id=None)]
    assert names == ["trent"] and other.username not in names


def test_it_tells_inactive_users_nothing(personas) -> None:
    personas.dave.is_active = False
    personas.dave.save(update_fields=["is_active"])
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    assert receivers.recipients(BY_NAME["funds.claim.submitted"], claim, actor_id=None) == []


@pytest.mark.parametrize("spec", list(BY_NAME.values()), ids=lambda s: s.name)
def test_every_event_has_a_registered_template_for_its_channels(spec: EventSpec) -> None:
    from jixing.notify.models import MessageTemplate

    template = MessageTemplate.objects.get(code=spec.template)
    assert template.email_subject and template.email_text
    assert bool(template.sms_text) == ("sms" in spec.channels), spec.name


def test_every_hrss_audience_uses_a_region_path() -> None:
    for spec in BY_NAME.values():
        for audience in spec.audiences:
            assert audience.relation in {"organisation", "person", "officers", "user", "province", "role"}
            if audience.relation == "officers":
                assert audience.roles and audience.levels and audience.path.endswith("county_id"), spec.name
            if audience.roles == HRSS:
                assert audience.relation in {"officers", "province"}


def test_it_tells_the_trade_union_of_the_education_claims_it_reviews_and_hrss_of_the_rest(personas) -> None:
    from jixing.funds.models import Claim
    from jixing.notify.todos import todos_for

    union = make_user("uma", Role.UNION_OFFICER, region_id="370102")
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    spec = BY_NAME["funds.claim.submitted"]
    assert [u.username for u in receivers.recipients(spec, claim, actor_id=None)] == ["dave"]
    assert not todos_for(union) and [g.kind for g in todos_for(personas.dave)] == ["claim_county"]
    Claim.objects.filter(pk=claim.pk).update(subsidy_item="education")  # 求学圆梦: the union reviews it
    claim.refresh_from_db()
    assert [u.username for u in receivers.recipients(spec, claim, actor_id=None)] == ["uma"]
    assert [g.kind for g in todos_for(union)] == ["claim_county"] and not todos_for(personas.dave)
