"""Person restrictions (issue 12, seed 二(六)): the page lists them within the officer's scope
with persons masked, records one by the full ID number and lifts it with a reason; the API and
``manage.py restrict_person`` do the same through the same actions; every write is audited; a
restriction a supervision case wrote is lifted only on the case."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from jixing.core.models import AuditEvent
from jixing.registry import actions
from jixing.registry.models import PersonRestriction, RestrictionOrigin

pytestmark = pytest.mark.django_db
URL = "/registry/restrictions/"


def today() -> dt.date:
    return timezone.localdate()


def restrict(personas, person=None, *, by=None, **kw):
    return actions.restrict_person(
        person or personas.lixia_person, by=by or personas.dave, kind=kw.pop("kind", "blacklist"),
        reason=kw.pop("reason", "骗取补贴被列入黑名单"), starts_on=kw.pop("starts_on", today() - dt.timedelta(days=3)),
        reference=kw.pop("reference", "鲁人社罚〔2026〕1号"), **kw)


def test_the_page_lists_restrictions_in_scope_masked(personas, client) -> None:
    mine = restrict(personas)
    restrict(personas, personas.qingdao_person, by=personas.carol, reference="青人社罚〔2026〕9号")
    client.force_login(personas.dave)
    page = client.get(URL).content.decode()
    person = personas.lixia_person
    assert person.name in page and person.masked_id_number in page and person.id_number not in page
    assert "鲁人社罚〔2026〕1号" in page and personas.qingdao_person.name not in page and "青人社罚" not in page
    assert f"/registry/restrictions/{mine.pk}/lift/" in page
    # the province officer sees both; a finance officer reads, without the forms
    client.force_login(personas.alice)
    assert "青人社罚〔2026〕9号" in client.get(URL).content.decode()
    client.force_login(personas.grace)
    page = client.get(URL).content.decode()
    assert "鲁人社罚〔2026〕1号" in page and "/lift/" not in page and 'name="id_number"' not in page
    assert client.post(URL, {}).status_code == 403
    # institutions and trainees do not see the list
    for user in (personas.ivan, personas.trent):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_the_page_records_a_restriction_by_id_number_and_refuses_bad_input(personas, client) -> None:
    client.force_login(personas.dave)
    person = personas.lixia_person
    good = {"id_number": person.id_number, "kind": "case_decision", "starts_on": today().isoformat(),
            "reference": "LX-2026-07", "reason": "冒名参训，骗取补贴"}
    # ends before it starts; a person outside the officer's region; a short reason: nothing written
    bad_dates = client.post(URL, {**good, "ends_on": (today() - dt.timedelta(days=1)).isoformat()})
    assert bad_dates.status_code == 400 and "“截止日期”" in bad_dates.content.decode()
    assert "早于" in bad_dates.content.decode()  # the end before the start, both fields named
    outside = client.post(URL, {**good, "id_number": personas.qingdao_person.id_number})
    assert outside.status_code == 400
    short = client.post(URL, {**good, "reason": "无"})
    assert short.status_code == 400 and not PersonRestriction.objects.exists()
    response = client.post(URL, good)
    assert response.status_code == 302
    restriction = PersonRestriction.objects.get()
    assert (restriction.person, restriction.kind, restriction.reference) == (person, "case_decision", "LX-2026-07")
    assert restriction.created_by == personas.dave and restriction.origin == RestrictionOrigin.OFFICER
    event = AuditEvent.objects.get(event="registry.person.restrict")
    assert event.actor == personas.dave and event.after["reference"] == "LX-2026-07"
    assert person.id_number not in json.dumps(event.after, ensure_ascii=False)
    # the person's page says they may not claim, and why
    detail = client.get(f"/registry/persons/{person.pk}/").content.decode()
    assert "LX-2026-07" in detail and "冒名参训" in detail


def test_the_page_lifts_a_restriction_with_a_reason(personas, client) -> None:
    restriction = restrict(personas)
    assert personas.lixia_person.is_blocked_on(today())
    client.force_login(personas.dave)
    url = f"/registry/restrictions/{restriction.pk}/lift/"
    assert client.post(url, {"lift-reason": ""}).status_code == 400
    assert client.post(url, {"lift-reason": "复议撤销原处罚决定"}).status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_by == personas.dave and restriction.lift_reason == "复议撤销原处罚决定"
    assert not personas.lixia_person.is_blocked_on(today())
    assert AuditEvent.objects.filter(event="registry.person.restriction_lift", actor=personas.dave).exists()
    # twice: refused with a message, nothing changes
    again = client.post(url, {"lift-reason": "再次解除"})
    assert again.status_code == 400 and "已解除" in again.content.decode()
    # another region's officer: 404 (not in their data)
    client.force_login(personas.carol)
    other = restrict(personas)
    assert client.post(f"/registry/restrictions/{other.pk}/lift/", {"lift-reason": "越权解除"}).status_code == 404
    assert PersonRestriction.objects.get(pk=other.pk).lifted_at is None


def test_a_case_restriction_is_not_lifted_in_the_registry(personas) -> None:
    restriction = restrict(personas, origin=RestrictionOrigin.CASE, reference="JC20260001")
    with pytest.raises(ValidationError, match="JC20260001"):
        actions.lift_restriction(restriction, by=personas.dave, reason="直接解除")
    assert PersonRestriction.objects.get(pk=restriction.pk).lifted_at is None


def test_the_actions_check_role_scope_and_the_database_constraints(personas) -> None:
    with pytest.raises(PermissionDenied):
        restrict(personas, by=personas.carol)  # Qingdao officer, Lixia person
    with pytest.raises(PermissionDenied):
        restrict(personas, by=personas.grace)  # finance officer
    with pytest.raises(ValidationError) as exc:
        restrict(personas, kind="nonsense", ends_on=today() - dt.timedelta(days=30), reason="x")
    assert {"kind", "ends_on", "reason"} <= set(exc.value.message_dict)
    restriction = restrict(personas)
    with pytest.raises(IntegrityError), transaction.atomic():  # lifted without who and why
        PersonRestriction.objects.filter(pk=restriction.pk).update(lifted_at=timezone.now())


def test_the_api_lists_creates_and_lifts(personas, client) -> None:
    person = personas.lixia_person
    client.force_login(personas.dave)
    url = "/api/v1/registry/restrictions"
    body = {"person_id": person.pk, "kind": "blacklist", "starts_on": today().isoformat(),
            "reason": "骗取技能提升补贴", "reference": "LX-2026-08"}
    bad = client.post(url, {**body, "ends_on": "2020-01-01"}, content_type="application/json")
    assert bad.status_code == 422 and "ends_on" in bad.json()["detail"]
    outside = client.post(url, {**body, "person_id": personas.qingdao_person.pk}, content_type="application/json")
    assert outside.status_code == 404 and not PersonRestriction.objects.exists()
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    row = created.json()
    assert row["in_force"] and row["person_id_number_masked"] == person.masked_id_number
    assert person.id_number not in created.content.decode()
    listed = client.get(url, {"in_force": "true"}).json()
    assert [r["id"] for r in listed["items"]] == [row["id"]]
    assert client.get(url, {"person_id": personas.qingdao_person.pk}).status_code == 404
    lifted = client.post(f"{url}/{row['id']}/lift", {"reason": "已查明系身份被冒用"}, content_type="application/json")
    assert lifted.status_code == 200 and lifted.json()["lifted_at"] and not lifted.json()["in_force"]
    assert client.get(url, {"in_force": "true"}).json()["items"] == []
    # other persons' scopes: the Qingdao officer sees nothing and may not lift; a trainee may not list
    client.force_login(personas.carol)
    assert client.get(url).json()["items"] == []
    assert client.post(f"{url}/{row['id']}/lift", {"reason": "越权解除"}, content_type="application/json").status_code == 404
    client.force_login(personas.trent)
    assert client.get(url).status_code == 403


def test_the_command_records_and_lifts(personas) -> None:
    person = personas.lixia_person
    out = io.StringIO()
    call_command("restrict_person", "--as", "dave", "--id-number", person.id_number, "--kind", "blacklist",
                 "--reference", "LX-2026-09", "--reason", "骗取补贴（命令行）", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] and result["id_number"] == person.masked_id_number and not result["lifted"]
    assert person.is_blocked_on(today())
    with pytest.raises(CommandError, match="ends_on"):
        call_command("restrict_person", "--as", "dave", "--person", str(person.pk), "--kind", "blacklist",
                     "--from", "2026-05-01", "--until", "2026-04-01", "--reason", "日期倒置", stdout=io.StringIO())
    with pytest.raises(CommandError, match="scope"):
        call_command("restrict_person", "--as", "carol", "--person", str(person.pk), "--kind", "blacklist",
                     "--reason", "越权登记", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("restrict_person", "--as", "grace", "--lift", str(result["restriction"]), "--reason", "财务解除")
    assert PersonRestriction.objects.count() == 1
    out = io.StringIO()
    call_command("restrict_person", "--as", "dave", "--lift", str(result["restriction"]), "--reason", "复议撤销",
                 "--json", stdout=out)
    assert json.loads(out.getvalue())["lifted"] and not person.is_blocked_on(today())
    assert AuditEvent.objects.filter(event__in=["registry.person.restrict", "registry.person.restriction_lift"]).count() == 2
