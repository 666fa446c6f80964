"""From committed domain events to notifications and queued deliveries (the fan-out).

Runs after the publishing transaction committed (core/events.py). For each event: find the
spec in the catalogue, load the object, find the recipients by relation, keep only those who
may see the object (its ``visible_to``), drop the actor, and store one notification per
person (unique per event: a repeated fan-out changes nothing) plus one queued delivery per
outbound channel the person's preferences allow. Events of one bulk operation (a batch) that
tell one person of more than a threshold become a single digest for that person.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse

from jixing.accounts.models import Role, User
from jixing.core.access import scope_for
from jixing.core.events import Event

from . import rules
from .catalogue import BY_NAME, DIGEST_TEMPLATE, MANDATORY_IN_APP, Audience, Channel, EventSpec
from .models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)


def _value(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def candidates(audience: Audience, obj: models.Model) -> models.QuerySet[User]:
    users = User.objects.filter(is_active=True)
    if audience.only is not None:
        path, expected, equal = audience.only
        if (str(_value(obj, path)) == expected) != equal:
            return users.none()
    if audience.relation == "province":
        return users.filter(role__in=audience.roles, region__level="province")
    if audience.relation == "role":
        return users.filter(role__in=audience.roles)
    value = _value(obj, audience.path)
    if value in (None, ""):
        return users.none()
    if audience.relation == "organisation":
        return users.filter(role__in=audience.roles, organisation_id=value)
    if audience.relation == "person":
        return users.filter(role=Role.TRAINEE, person_id=value)
    if audience.relation == "officers":
        code = str(value)
        # The region itself and the regions above it (county → city → province).
        codes = {code, code[:4] + "00", code[:2] + "0000"}
        return users.filter(role__in=audience.roles, region_id__in=codes, region__level__in=audience.levels)
    if audience.relation == "user":
        return users.filter(pk=value)
    raise ValueError(f"unknown audience relation {audience.relation!r}")


def may_see(user: User, obj: models.Model) -> bool:
    """Through the object's ``visible_to``; an object without one (a province-wide report) is
    seen only by those whose scope is everything."""
    queryset = type(obj)._default_manager.all()
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:
        return scope_for(user).everything
    return bool(visible_to(user).filter(pk=obj.pk).exists())


def recipients(spec: EventSpec, obj: models.Model, *, actor_id: int | None) -> list[User]:
    """Everyone the spec names who may see ``obj``, the actor left out. An object without
    ``visible_to`` reaches only a user named on it (the one who asked for an export)."""
    found: dict[int, User] = {}
    for audience in spec.audiences:
        for user in candidates(audience, obj).select_related("region"):
            if user.pk == actor_id or user.pk in found:
                continue
            if may_see(user, obj) or (audience.relation == "user" and not _has_scope(obj)):
                found[user.pk] = user
    return list(found.values())


def _has_scope(obj: models.Model) -> bool:
    return hasattr(type(obj)._default_manager.all(), "visible_to")


def params_for(obj: models.Model, event: Event) -> dict[str, Any]:
    number = getattr(obj, "number", "") or getattr(obj, "code", "") or str(obj.pk)
    params: dict[str, Any] = {"number": str(number)}
    params.update({k: (v if isinstance(v, int | float | bool) or v is None else str(v)) for k, v in event.data.items()})
    return params


def url_for(spec: EventSpec, obj: models.Model) -> str:
    if not spec.url_name:
        return ""
    try:
        return reverse(spec.url_name, args=[_value(obj, spec.url_path)])
    except NoReverseMatch:
        return ""


def _load(event: Event) -> models.Model | None:
    try:
        model = apps.get_model(event.object_type)
        return model._default_manager.filter(pk=event.object_id).first()
    except (LookupError, ValueError):
        return None


class _Prefs:
    """A user's stored choices (a missing row means the default: on)."""

    def __init__(self, user_ids: set[int]) -> None:
        self.rows = {(p.user_id, p.kind, p.channel): p.enabled for p in Preference.objects.filter(user_id__in=user_ids)}

    def enabled(self, user_id: int, kind: str, channel: str) -> bool:
        if channel == Channel.IN_APP and kind in MANDATORY_IN_APP:
            return True
        return self.rows.get((user_id, kind, channel), True)


def outbound_channels(spec_channels: frozenset[str], user: User, kind: str, prefs: _Prefs) -> list[str]:
    chosen = []
    if Channel.EMAIL in spec_channels and user.email and prefs.enabled(user.pk, kind, Channel.EMAIL):
        chosen.append(Channel.EMAIL.value)
    # SMS goes to a person's own mobile (trainee accounts); consent is checked when sending.
    if Channel.SMS in spec_channels and user.role == Role.TRAINEE and user.person_id and prefs.enabled(user.pk, kind, Channel.SMS):
        chosen.append(Channel.SMS.value)
    return chosen


def _store(user: User, *, event_id: str, event: str, kind: str, template: str, params: dict[str, Any],
           obj: models.Model | None, url: str, channels: list[str], in_app: bool, digest_count: int = 0) -> list[int]:
    notification, created = Notification.objects.get_or_create(
        user=user, event_id=event_id,
        defaults={
            "event": event, "kind": kind, "template": template, "params": params, "url": url,
            "object_type": obj._meta.label_lower if obj is not None else "",
            "object_id": str(obj.pk) if obj is not None else "",
            "digest_count": digest_count, "shown_in_app": in_app,
        },
    )
    queued: list[int] = []
    for channel in channels:
        delivery, made = Delivery.objects.get_or_create(
            key=f"{notification.pk}:{channel}",
            defaults={"notification": notification, "user": user, "channel": channel, "template": template},
        )
        if made:
            queued.append(delivery.pk)
    return queued


def on_events(events: Sequence[Event], batch_label: str) -> None:
    """The receiver registered with core.events (NotifyConfig.ready)."""
    items: list[tuple[Event, EventSpec, models.Model, User]] = []
    for event in events:
        spec = BY_NAME.get(event.name)
        if spec is None:
            logger.warning("no notification rule for event %s", event.name)
            continue
        obj = _load(event)
        if obj is None:
            logger.warning("event %s: object %s %s no longer exists", event.name, event.object_type, event.object_id)
            continue
        for user in recipients(spec, obj, actor_id=event.actor_id):
            items.append((event, spec, obj, user))
    if not items:
        return
    per_user: Counter[int] = Counter(user.pk for *_, user in items)
    digest = rules.digest_users(per_user, settings.JIXING_NOTIFY_DIGEST_THRESHOLD) if batch_label else set()
    prefs = _Prefs(set(per_user))
    queued: list[int] = []
    grouped: dict[int, list[tuple[Event, EventSpec, models.Model, User]]] = defaultdict(list)
    with transaction.atomic():
        for event, spec, obj, user in items:
            if user.pk in digest:
                grouped[user.pk].append((event, spec, obj, user))
                continue
            queued += _store(
                user, event_id=event.id, event=spec.name, kind=spec.kind, template=spec.template,
                params=params_for(obj, event), obj=obj, url=url_for(spec, obj),
                channels=outbound_channels(spec.channels, user, spec.kind, prefs),
                in_app=prefs.enabled(user.pk, spec.kind, Channel.IN_APP),
            )
        for group in grouped.values():
            queued += _store_digest(group, batch_label, prefs)
    if queued:
        from .tasks import enqueue_all

        transaction.on_commit(lambda: enqueue_all(queued))


def _store_digest(group: list[tuple[Event, EventSpec, models.Model, User]], batch_label: str, prefs: _Prefs) -> list[int]:
    user = group[0][3]
    names = Counter(spec.name for _, spec, _, _ in group)
    kind = Counter(spec.kind for _, spec, _, _ in group).most_common(1)[0][0]
    # Stable for the batch: the same events digested again land on the same row.
    event_id = hashlib.sha256("|".join(sorted(e.id for e, *_ in group)).encode()).hexdigest()[:32]
    params = {"count": len(group), "batch": batch_label, "events": dict(names)}
    channels = outbound_channels(frozenset({Channel.EMAIL}), user, kind, prefs)
    return _store(user, event_id=event_id, event="digest", kind=kind, template=DIGEST_TEMPLATE, params=params,
                  obj=None, url="", channels=channels, in_app=True, digest_count=len(group))
