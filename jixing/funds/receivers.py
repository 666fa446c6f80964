"""funds listens to training (issue 16 Build 2): a decided key-project milestone
(``training.key_milestone.accepted`` / ``failed``, published by training.topic_actions after
commit) becomes a milestone payment. Registered in ``FundsConfig.ready``: funds sits above
training, so training never imports it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.contrib.auth import get_user_model

from jixing.core.events import Event
from jixing.training.topics import KeyMilestone

from .actions.milestones import record_milestone_payment

logger = logging.getLogger(__name__)

MILESTONE_EVENTS = frozenset({"training.key_milestone.accepted", "training.key_milestone.failed"})


def on_events(events: Sequence[Event], batch_label: str) -> None:
    for event in events:
        if event.name not in MILESTONE_EVENTS or event.object_type != "training.keymilestone":
            continue
        milestone = KeyMilestone.objects.filter(pk=event.object_id).first()
        if milestone is None:
            logger.warning("milestone %s of event %s not found", event.object_id, event.id)
            continue
        actor = get_user_model().objects.filter(pk=event.actor_id).first() if event.actor_id else None
        record_milestone_payment(milestone, by=actor, event_id=event.id)
