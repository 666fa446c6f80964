"""The audit-log page for the audit administrator (SECURITY.md B1, C1)."""

from __future__ import annotations

from jixing.core import audit
from jixing.core.models import AuditEvent, AuditOutcome
from jixing.core.request_context import RequestInfo, current_request


def _events(personas) -> None:
    token = current_request.set(RequestInfo(ip="10.20.30.40", user_agent="", path="/"))
    try:
        audit.record("login.failed", actor_label="mallory", outcome=AuditOutcome.FAILED)
    finally:
        current_request.reset(token)
    audit.record("claim.approved", actor=personas.dave, obj=personas.lixia_person, before={"status": "submitted"},
                 after={"status": "approved"})
    audit.record("claim.approved", actor=personas.erin, obj=personas.shizhong_person)


def _listed(response) -> list[str]:
    return [f"{e.event}:{e.actor_label}" for e in response.context["page_obj"]]


def test_it_lists_the_whole_log_for_the_auditor_newest_first(client, personas) -> None:
    _events(personas)
    client.force_login(personas.audrey)
    response = client.get("/accounts/audit/")
    assert response.status_code == 200
    assert _listed(response)[:3] == ["claim.approved:erin", "claim.approved:dave", "login.failed:mallory"]
    body = response.content.decode()
    assert "10.20.30.40" in body and "submitted" in body
    assert personas.lixia_person.id_number not in body


def test_it_filters_by_event_actor_outcome_object_and_ip(client, personas) -> None:
    _events(personas)
    client.force_login(personas.audrey)
    assert _listed(client.get("/accounts/audit/", {"event": "claim.", "actor": "dav"})) == ["claim.approved:dave"]
    assert _listed(client.get("/accounts/audit/", {"outcome": "failed"})) == ["login.failed:mallory"]
    assert _listed(client.get("/accounts/audit/", {"ip": "10.20.30.40"})) == ["login.failed:mallory"]
    assert _listed(client.get("/accounts/audit/", {
        "object_type": "registry.person", "object_id": str(personas.shizhong_person.pk)})) == ["claim.approved:erin"]


def test_it_audits_reading_the_log(client, personas) -> None:
    client.force_login(personas.audrey)
    client.get("/accounts/audit/", {"event": "claim."})
    row = AuditEvent.objects.get(event="audit.log_viewed")
    assert row.actor_label == "audrey" and row.detail == {"event": "claim."}


def test_it_verifies_the_chain_on_request(client, personas) -> None:
    _events(personas)
    client.force_login(personas.audrey)
    assert client.get("/accounts/audit/", {"verify": "1"}).context["broken"] == []


def test_it_shows_the_security_admin_security_events_only(client, personas) -> None:
    _events(personas)
    client.force_login(personas.sue)
    listed = _listed(client.get("/accounts/audit/"))
    assert "login.failed:mallory" in listed and not any(e.startswith("claim.") for e in listed)
    assert client.get("/accounts/audit/", {"verify": "1"}).context["broken"] is None
