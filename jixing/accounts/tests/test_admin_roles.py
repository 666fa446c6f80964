"""Three separated admin roles (SECURITY.md B1): every admin URL × every role, plus what each
admin may and may not change, and that no account can hold two roles."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction

from jixing.accounts.models import Role, User
from jixing.core import audit
from jixing.core.models import AuditEvent, AuditOutcome
from jixing.plan.models import Target
from jixing.registry.models import Region

ANON = "anonymous"
BUSINESS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan", "judy", "trent"]
EVERYONE = [ANON, *BUSINESS, "audrey", "sam", "sue"]

# Expected answer to a GET, per URL, for the auditor (audrey), the system admin (sam) and the
# security admin (sue). Everyone else: 403; anonymous: redirect to the login page.
ADMIN_PAGES = {
    "index": ("/admin/", {"audrey": 200, "sam": 200, "sue": 200}),
    "audit log": ("/admin/core/auditevent/", {"audrey": 200, "sam": 403, "sue": 200}),
    "audit row": ("/admin/core/auditevent/{event}/change/", {"audrey": 200, "sam": 403, "sue": 200}),
    "status changes": ("/admin/core/statuschange/", {"audrey": 200, "sam": 200, "sue": 403}),
    "users": ("/admin/accounts/user/", {"audrey": 200, "sam": 200, "sue": 200}),
    "add user": ("/admin/accounts/user/add/", {"audrey": 403, "sam": 200, "sue": 403}),
    "business user": ("/admin/accounts/user/{dave}/change/", {"audrey": 200, "sam": 200, "sue": 200}),
    "business user password": ("/admin/accounts/user/{dave}/password/", {"audrey": 403, "sam": 200, "sue": 403}),
    "admin user password": ("/admin/accounts/user/{sam}/password/", {"audrey": 403, "sam": 403, "sue": 200}),
    "admin user": ("/admin/accounts/user/{sue}/change/", {"audrey": 200, "sam": 200, "sue": 200}),
    "api tokens": ("/admin/accounts/apitoken/", {"audrey": 200, "sam": 200, "sue": 200}),
    "regions": ("/admin/registry/region/", {"audrey": 200, "sam": 200, "sue": 403}),
    "add region": ("/admin/registry/region/add/", {"audrey": 403, "sam": 200, "sue": 403}),
    "region": ("/admin/registry/region/370102/change/", {"audrey": 200, "sam": 200, "sue": 403}),
    "region history": ("/admin/registry/region/370102/history/", {"audrey": 200, "sam": 200, "sue": 403}),
    "delete region": ("/admin/registry/region/370102/delete/", {"audrey": 403, "sam": 403, "sue": 403}),
    "persons": ("/admin/registry/person/", {"audrey": 200, "sam": 200, "sue": 403}),
    "person": ("/admin/registry/person/{person}/change/", {"audrey": 200, "sam": 200, "sue": 403}),
    "organisation": ("/admin/registry/organisation/{org}/change/", {"audrey": 200, "sam": 200, "sue": 403}),
    "targets": ("/admin/plan/target/", {"audrey": 200, "sam": 200, "sue": 403}),
    "target": ("/admin/plan/target/{target}/change/", {"audrey": 200, "sam": 200, "sue": 403}),
    "groups (unregistered)": ("/admin/auth/group/", {"audrey": 404, "sam": 404, "sue": 404}),
}
ACCOUNT_PAGES = {
    "audit log page": ("/accounts/audit/", {"audrey": 200, "sue": 200}),
    "api tokens page": ("/accounts/tokens/", {"ivan": 200, "judy": 200}),
    "second factor page": ("/accounts/second-factor/", dict.fromkeys(["alice", "bob", "carol", "dave", "erin", "frank", "grace", "audrey", "sam", "sue"], 200)),
    "password page": ("/accounts/password/", {n: 200 for n in EVERYONE if n != ANON}),
}


def _client_for(client, personas, who: str):
    if who != ANON:
        client.force_login(getattr(personas, who))
    return client


def _url(template: str, personas) -> str:
    event = audit.record("login.failed", actor_label="x", outcome=AuditOutcome.FAILED)
    return template.format(
        event=event.pk, dave=personas.dave.pk, sam=personas.sam.pk, sue=personas.sue.pk,
        person=personas.lixia_person.pk, org=personas.institution.pk, target=Target.objects.order_by("pk").first().pk,
    )


def _final_location(client, response) -> str:
    """Where a chain of redirects ends (the admin's login hands over to the real login page)."""
    location = response["Location"]
    while location.startswith("/admin/login/"):
        location = client.get(location)["Location"]
    return location


def _expected(who: str, rules: dict[str, int]) -> int | str:
    if who == ANON:
        return "login"
    return rules.get(who, 403)


@pytest.mark.parametrize("who", EVERYONE)
def test_it_answers_every_admin_url_for_every_role_as_specified(client, personas, who) -> None:
    c = _client_for(client, personas, who)
    wrong = []
    for page, (template, rules) in sorted((ADMIN_PAGES | ACCOUNT_PAGES).items()):
        url = _url(template, personas)
        response = c.get(url)
        expected = _expected(who, rules)
        if expected == "login":
            got = _final_location(c, response) if response.status_code == 302 else response.status_code
            if not str(got).startswith("/accounts/login/?next="):
                wrong.append(f"{page} {url}: {got}, expected the login page")
        elif response.status_code != expected:
            wrong.append(f"{page} {url}: {response.status_code}, expected {expected}")
    assert wrong == [], f"{who}: " + "; ".join(wrong)


@pytest.mark.parametrize("who", [*BUSINESS, "audrey", "sam", "sue", ANON])
def test_it_keeps_every_registered_admin_model_within_the_role_rules(client, personas, who) -> None:
    """Also covers models other apps register: business roles never enter, the auditor
    views all and adds none, the system admin never sees the audit log."""
    c = _client_for(client, personas, who)
    for model in admin.site._registry:
        opts = model._meta
        changelist = f"/admin/{opts.app_label}/{opts.model_name}/"
        add = f"{changelist}add/"
        listing, adding = c.get(changelist).status_code, c.get(add).status_code
        if who == ANON:
            assert listing == adding == 302, changelist
            assert _final_location(c, c.get(changelist)).startswith("/accounts/login/"), changelist
        elif who in BUSINESS:
            assert listing == adding == 403, changelist
        elif who == "audrey":
            assert (listing, adding) == (200, 403), changelist
        elif who == "sam" and opts.label_lower == "core.auditevent":
            assert listing == 403
        assert listing in (200, 302, 403), (changelist, who, listing)


def test_it_refuses_writes_by_the_auditor_even_with_a_valid_form(client, personas) -> None:
    client.force_login(personas.audrey)
    response = client.post("/admin/registry/region/370102/change/", {"code": "370102", "name": "篡改", "level": "county"})
    assert response.status_code == 403
    assert Region.objects.get(code="370102").name != "篡改"
    assert AuditEvent.objects.filter(event="authorization.denied", actor_label="audrey").exists()


def test_it_lets_the_system_admin_edit_reference_data_with_history_and_audit(client, personas) -> None:
    client.force_login(personas.sam)
    region = Region.objects.get(code="370102")
    versions = region.history.count()
    response = client.post("/admin/registry/region/370102/change/", {
        "code": "370102", "name": "历下区（测试）", "short_name": region.short_name, "level": region.level,
        "kind": region.kind, "parent": region.parent_id,
    })
    assert response.status_code == 302, response.content[:2000]
    region.refresh_from_db()
    assert region.name == "历下区（测试）"
    assert region.history.count() == versions + 1
    row = AuditEvent.objects.get(event="admin.region.changed")
    assert row.actor_label == "sam" and row.after == {"name": "历下区（测试）"} and row.before["name"] != row.after["name"]


def test_it_never_shows_a_plain_id_number_in_the_person_admin(client, personas) -> None:
    person = personas.lixia_person
    client.force_login(personas.sam)
    for url in ("/admin/registry/person/", f"/admin/registry/person/{person.pk}/change/"):
        body = client.get(url).content.decode()
        assert person.id_number not in body and person.phone not in body
        assert person.masked_id_number in body
    found = client.get("/admin/registry/person/", {"q": person.id_number})
    assert list(found.context["cl"].result_list) == [person]  # found through the keyed hash
    response = client.post(f"/admin/registry/person/{person.pk}/change/", {"name": "改名"})
    assert response.status_code == 403


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "role": user.role, "region": user.region_id or "", "department": user.department_id or "",
        "organisation": user.organisation_id or "", "person": user.person_id or "",
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.can_unmask:
        data["can_unmask"] = "on"
    data.update(changes)
    return data


def test_it_lets_only_the_security_admin_grant_unmasking(client, personas) -> None:
    url = f"/admin/accounts/user/{personas.dave.pk}/change/"
    client.force_login(personas.sam)
    assert client.post(url, _user_form(personas.dave, can_unmask="on")).status_code == 302
    personas.dave.refresh_from_db()
    assert not personas.dave.can_unmask  # read-only for the system admin: ignored
    client.force_login(personas.sue)
    assert client.post(url, _user_form(personas.dave, can_unmask="on", region="370103")).status_code == 302
    personas.dave.refresh_from_db()
    assert personas.dave.can_unmask
    assert personas.dave.region_id == "370102"  # scope is the system admin's field
    row = AuditEvent.objects.filter(event="admin.user.changed", actor_label="sue").get()
    assert (row.before, row.after) == ({"can_unmask": False}, {"can_unmask": True})


def test_it_keeps_the_security_admin_off_their_own_account(client, personas) -> None:
    client.force_login(personas.sue)
    client.post(f"/admin/accounts/user/{personas.sue.pk}/change/", _user_form(personas.sue, can_unmask="on"))
    personas.sue.refresh_from_db()
    assert not personas.sue.can_unmask


def test_it_keeps_the_system_admin_from_handing_out_admin_roles(client, personas) -> None:
    client.force_login(personas.sam)
    response = client.post(f"/admin/accounts/user/{personas.dave.pk}/change/", _user_form(personas.dave, role=Role.AUDITOR))
    assert response.status_code == 200 and "role" in response.context["adminform"].form.errors
    response = client.post(f"/admin/accounts/user/{personas.sue.pk}/change/", _user_form(personas.sue, role=Role.TRAINEE))
    assert response.status_code == 403
    assert User.objects.get(pk=personas.dave.pk).role == Role.HRSS_OFFICER
    assert User.objects.get(pk=personas.sue.pk).role == Role.SECURITY_ADMIN


def test_it_refuses_a_user_form_naming_two_roles(client, personas) -> None:
    client.force_login(personas.sue)
    data = _user_form(personas.audrey)
    data["role"] = [Role.AUDITOR, Role.SYSTEM_ADMIN]
    response = client.post(f"/admin/accounts/user/{personas.audrey.pk}/change/", data)
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert User.objects.get(pk=personas.audrey.pk).role == Role.AUDITOR


def test_it_creates_a_user_with_a_password_that_must_be_changed(client, personas) -> None:
    client.force_login(personas.sam)
    response = client.post("/admin/accounts/user/add/", {
        "username": "newbie", "password1": "Initial-Pa55word!", "password2": "Initial-Pa55word!",
        "role": Role.HRSS_OFFICER, "region": "370102",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    newbie = User.objects.get(username="newbie")
    assert newbie.must_change_password and newbie.check_password("Initial-Pa55word!")
    row = AuditEvent.objects.get(event="admin.user.created")
    assert row.after["password1"] == "***" and "Initial" not in str(row.after)


def test_it_refuses_a_weak_initial_password(client, personas) -> None:
    client.force_login(personas.sam)
    response = client.post("/admin/accounts/user/add/", {
        "username": "newbie", "password1": "password", "password2": "password", "role": Role.HRSS_OFFICER,
        "region": "370102",
    })
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


def test_it_lets_the_security_admin_unlock_and_reset_from_the_admin(client, personas) -> None:
    User.objects.filter(pk=personas.dave.pk).update(failed_logins=3, totp_secret="JBSWY3DPEHPK3PXP")
    client.force_login(personas.sue)
    for action in ("unlock", "reset_second_factor"):
        response = client.post("/admin/accounts/user/", {"action": action, "_selected_action": [personas.dave.pk]})
        assert response.status_code == 302
    personas.dave.refresh_from_db()
    assert personas.dave.failed_logins == 0 and personas.dave.totp_secret == ""
    assert {"account.unlocked", "totp.reset"} <= set(AuditEvent.objects.values_list("event", flat=True))


def test_it_hides_security_actions_from_the_system_admin(client, personas) -> None:
    User.objects.filter(pk=personas.dave.pk).update(totp_secret="JBSWY3DPEHPK3PXP")
    client.force_login(personas.sam)
    client.post("/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [personas.dave.pk]})
    personas.dave.refresh_from_db()
    assert personas.dave.totp_secret == "JBSWY3DPEHPK3PXP"


def test_it_shows_the_security_admin_only_security_events(client, personas) -> None:
    audit.record("login.failed", actor_label="x", outcome=AuditOutcome.FAILED)
    business = audit.record("claim.approved", actor=personas.dave)
    client.force_login(personas.sue)
    listing = client.get("/admin/core/auditevent/")
    events = {e.event for e in listing.context["cl"].result_list}
    assert "login.failed" in events and "claim.approved" not in events
    assert client.get(f"/admin/core/auditevent/{business.pk}/change/").status_code == 302  # not found → back to list
    page = client.get("/accounts/audit/")
    assert "claim.approved" not in {e.event for e in page.context["page_obj"]}


@pytest.mark.parametrize("value", ["system_admin,security_admin", "", "superuser"])
def test_it_refuses_a_role_that_is_not_exactly_one_known_role(db, value) -> None:
    with pytest.raises(ValidationError):
        User(username="x", role=value).full_clean()
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():  # DataError: too long on PostgreSQL
        User.objects.create(username="x", role=value)


def test_it_refuses_superusers(db) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="root", role=Role.SYSTEM_ADMIN, is_superuser=True)


def test_it_makes_createsuperuser_create_a_plain_system_admin(db) -> None:
    call_command("createsuperuser", username="root", email="root@example.org", interactive=False, verbosity=0)
    root = User.objects.get(username="root")
    assert (root.role, root.is_superuser) == (Role.SYSTEM_ADMIN, False)


def test_it_gives_business_roles_no_model_permissions(personas) -> None:
    for name in BUSINESS:
        assert getattr(personas, name).get_all_permissions() == set(), name
    assert not personas.sam.has_perm("core.view_auditevent")
    assert personas.audrey.has_perm("core.view_auditevent")
    assert not any(p.split(".")[1].startswith(("add_", "change_", "delete_")) for p in personas.audrey.get_all_permissions())
