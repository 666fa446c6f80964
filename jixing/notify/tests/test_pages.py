"""Message centre, to-dos, preferences, delivery log and the development SMS box, by HTTP."""

from __future__ import annotations

import uuid

import pytest

from jixing.funds import actions as funds
from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.notify.models import Delivery, DevSmsMessage, Notification, Preference

pytestmark = pytest.mark.django_db


def note(user, **kw) -> Notification:
    defaults = {"event": "funds.claim.returned", "event_id": uuid.uuid4().hex, "kind": "claims",
                "template": "JX_CLAIM_RETURNED", "params": {"number": "BT1", "reason": "缺少签名"}, "url": "/funds/claims/"}
    return Notification.objects.create(user=user, **{**defaults, **kw})


def test_it_shows_the_unread_count_in_the_top_bar_and_marks_read_on_open(personas, client) -> None:
    n = note(personas.ivan)
    note(personas.dave)
    client.force_login(personas.ivan)
    page = client.get("/notify/").content.decode()
    assert 'id="notify-unread">1<' in page and "BT1" in page and "缺少签名" in page
    response = client.get(f"/notify/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/funds/claims/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert 'id="notify-unread"' not in client.get("/notify/").content.decode()


def test_it_answers_404_for_someone_elses_message(personas, client) -> None:
    n = note(personas.dave)
    client.force_login(personas.ivan)
    assert client.get(f"/notify/{n.pk}/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_it_marks_all_read(personas, client) -> None:
    note(personas.ivan)
    note(personas.ivan)
    client.force_login(personas.ivan)
    client.post("/notify/read-all/")
    assert not Notification.objects.filter(user=personas.ivan, read_at__isnull=True).exists()


def test_the_todos_are_the_first_workbench_card_and_in_the_api(personas, client) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    client.force_login(personas.dave)
    home = client.get("/").content.decode()
    assert home.index('id="todo-card"') < home.index('class="cards"')
    assert claim.number in home
    body = client.get("/api/v1/notify/todos").json()
    assert body[0]["kind"] == "claim_county" and body[0]["count"] == 1
    assert body[0]["items"][0]["url"] == f"/funds/claims/{claim.pk}/"


def test_the_api_lists_and_reads_messages(personas, client) -> None:
    n = note(personas.ivan)
    client.force_login(personas.ivan)
    assert client.get("/api/v1/notify/notifications/unread-count").json() == {"unread": 1}
    items = client.get("/api/v1/notify/notifications").json()["items"]
    assert items[0]["id"] == n.pk and "BT1" in items[0]["text"]
    assert client.post(f"/api/v1/notify/notifications/{n.pk}/read").status_code == 200
    assert client.get("/api/v1/notify/notifications/unread-count").json() == {"unread": 0}
    other = note(personas.dave)
    assert client.post(f"/api/v1/notify/notifications/{other.pk}/read").status_code == 404


def test_preferences_keep_payment_notices_in_the_system(personas, client) -> None:
    client.force_login(personas.trent)
    page = client.get("/notify/preferences/").content.decode()
    assert "sms-consent" in page
    client.post("/notify/preferences/", {"claims.in_app": "on"})  # everything else unticked
    stored = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=personas.trent)}
    assert stored[("claims", "in_app")] is True and stored[("claims", "sms")] is False
    assert ("payments", "in_app") not in stored  # locked on, never stored off
    client.post("/notify/preferences/", {"sms_consent": "give"})
    from jixing.notify.actions import has_sms_consent

    assert has_sms_consent(personas.trent)


def test_a_switched_off_kind_is_not_shown_in_the_message_centre(personas, committed) -> None:
    Preference.objects.create(user=personas.ivan, kind="claims", channel="in_app", enabled=False)
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    committed(funds.return_claim, claim, by=personas.dave, reason="缺少签名")
    n = Notification.objects.get(user=personas.ivan)
    assert n.shown_in_app is False  # stored (the record), not shown


def test_the_delivery_log_shows_reasons_by_scope(personas, client) -> None:
    n = note(personas.trent, event="funds.claim.paid", kind="payments", template="JX_SUBSIDY_PAID")
    Delivery.objects.create(notification=n, user=personas.trent, channel="sms", template="JX_SUBSIDY_PAID",
                            key=f"{n.pk}:sms", status="suppressed", reason="未登记短信同意（PIPL）")
    client.force_login(personas.dave)  # Lixia officer; trent lives in Lixia
    page = client.get("/notify/deliveries/").content.decode()
    assert "JX_SUBSIDY_PAID" in page and "未登记短信同意" in page
    client.force_login(personas.carol)  # Qingdao: not hers
    assert "JX_SUBSIDY_PAID" not in client.get("/notify/deliveries/").content.decode()
    client.force_login(personas.ivan)
    assert client.get("/notify/deliveries/").status_code == 403


def test_the_dev_sms_outbox_shows_masked_numbers_to_officers(personas, client) -> None:
    DevSmsMessage.objects.create(key="k1", phone_masked="139****0013", template="JX_SUBSIDY_PAID",
                                 params={}, text="【技兴齐鲁】您的补贴申请BT1已拨付600.00元", user=personas.trent)
    client.force_login(personas.dave)
    page = client.get("/notify/sms-outbox/").content.decode()
    assert "139****0013" in page and "600.00" in page
    client.force_login(personas.carol)
    assert "139****0013" not in client.get("/notify/sms-outbox/").content.decode()


def test_a_finished_export_is_announced_to_the_user_who_asked_only(personas, client, committed) -> None:
    from django.urls import reverse

    from jixing.core.models import ExportJob

    client.force_login(personas.bob)
    committed(client.post, reverse("web:export_start"), {"list": "registry.persons", "query": "region=370102", "fmt": "xlsx"})
    job = ExportJob.objects.get()
    n = Notification.objects.get(event="core.export.ready")
    assert n.user == personas.bob and n.url == f"/exports/{job.pk}/"
