"""Closing a 揭榜领题 list: early by the province (with a reason) or nightly after the deadline."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from jixing.core.models import AuditEvent, StatusChange
from jixing.training import topic_actions
from jixing.training.topics import TopicListStatus

from .test_topics import _apply, board, expert, expert2  # noqa: F401  (fixtures)


def test_province_closes_early_with_a_reason_and_applications_stop(personas, board):  # noqa: F811
    topic_list, topic = board
    with pytest.raises(PermissionDenied):
        topic_actions.close_topic_list(topic_list, by=personas.ivan, reason="x")
    with pytest.raises(ValidationError):
        topic_actions.close_topic_list(topic_list, by=personas.alice, reason=" ")
    topic_actions.close_topic_list(topic_list, by=personas.alice, reason="预算调整，提前截止")
    topic_list.refresh_from_db()
    assert topic_list.status == TopicListStatus.CLOSED
    assert StatusChange.objects.filter(to_status=TopicListStatus.CLOSED, reason="预算调整，提前截止").exists()
    assert AuditEvent.objects.filter(event="training.topic_list.close").exists()
    with pytest.raises(ValidationError) as exc:
        _apply(personas, topic)
    assert exc.value.code == "closed"


def test_nightly_command_closes_lists_past_their_deadline(personas, board):  # noqa: F811
    topic_list, _topic = board
    with pytest.raises(ValidationError):
        topic_actions.close_topic_list(topic_list, by=None)  # deadline not passed
    topic_list.deadline = timezone.localdate() - dt.timedelta(days=1)
    topic_list.save(update_fields=["deadline"])
    out = io.StringIO()
    call_command("close_topic_lists", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"closed": 1}
    topic_list.refresh_from_db()
    assert topic_list.status == TopicListStatus.CLOSED
    out = io.StringIO()
    call_command("close_topic_lists", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"closed": 0}


def test_it_closes_through_the_page_and_the_api(client, personas, board):  # noqa: F811
    topic_list, _topic = board
    client.force_login(personas.ivan)
    assert client.post(f"/api/v1/training/topics/lists/{topic_list.pk}/close",
                       {"reason": "x"}, content_type="application/json").status_code in (403, 404)
    client.force_login(personas.alice)
    page = client.get(f"/training/topics/lists/{topic_list.pk}/")
    assert 'name="close"' in page.content.decode()
    response = client.post(f"/training/topics/lists/{topic_list.pk}/", {"close": "1", "reason": "预算调整"})
    assert response.status_code == 302
    topic_list.refresh_from_db()
    assert topic_list.status == TopicListStatus.CLOSED
    again = client.post(f"/api/v1/training/topics/lists/{topic_list.pk}/close", {"reason": "再次"},
                        content_type="application/json")
    assert again.status_code == 409
