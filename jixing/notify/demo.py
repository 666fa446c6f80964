"""Demo: every demo account starts with unread messages and, where its role has any, to-dos.

Messages come from the real mapping: for each demo account the newest objects it may see
are run through the event table (receivers.recipients), so a message says only what the
account would really have been told. The demo trainee consents to SMS, so the development
SMS provider has something to show on /notify/sms-outbox/ once the task worker runs.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.core.events import Event

from . import actions, receivers
from .catalogue import BY_NAME

# The model each event is about (for finding demo objects).
EVENT_MODELS: dict[str, tuple[str, dict[str, object]]] = {
    "funds.claim.submitted": ("funds.claim", {"status": "submitted"}),
    "funds.claim.county_reviewed": ("funds.claim", {"status": "county_reviewed"}),
    "funds.claim.awaiting_province": ("funds.claim", {"status": "city_approved"}),
    "funds.claim.returned": ("funds.claim", {"status": "returned"}),
    "funds.claim.approved": ("funds.claim", {"status__in": ["public_notice", "payable"]}),
    "funds.claim.paid": ("funds.claim", {"status": "paid"}),
    "funds.recovery.ordered": ("funds.recoveryorder", {}),
    "training.project.submitted": ("training.trainingproject", {"status": "submitted"}),
    "training.project.approved": ("training.trainingproject", {"status__in": ["approved", "running", "finished"]}),
    "training.class.filed": ("training.trainingclass", {"filing_status": "filed"}),
    "training.class.returned": ("training.trainingclass", {"filing_status": "returned"}),
    "evaluation.filing.approved": ("evaluation.evaluationfiling", {"status": "approved"}),
    "evaluation.certificate.issued": ("evaluation.certificate", {}),
    "supervision.finding.opened": ("supervision.finding", {"status": "open"}),
    "supervision.case.explanation_requested": ("supervision.case", {"status": "awaiting_explanation"}),
    "employment.referral.made": ("employment.referral", {}),
    "stats.export.ready": ("stats.dispatchreport", {}),
    "training.spot_check.assigned": ("training.spotcheck", {"assigned_to__isnull": False}),
    "training.enrollment.class_starts_tomorrow": ("training.enrollment", {"status": "enrolled"}),
    "training.class.starts_tomorrow": ("training.trainingclass", {"closed_at__isnull": True}),
    "funds.recovery.overdue": ("funds.recoveryorder", {}),
    "accounts.user.locked": ("accounts.user", {"is_demo": True, "role": "trainee"}),
}
# Parameters the templates need that the object itself does not carry.
DEMO_DATA: dict[str, dict[str, str]] = {
    "funds.claim.returned": {"reason": "请补充学员实名签到记录和培训影像资料（演示）"},
    "funds.claim.paid": {"amount": "1200.00"},
    "funds.recovery.ordered": {"amount": "600.00", "deadline": "2026-12-31"},
    "supervision.finding.opened": {"title": "R01 同一时段异地签到（演示）"},
    "supervision.case.explanation_requested": {"due": "2026-12-31"},
    "employment.referral.made": {"demand": "数控车工（演示）"},
    "stats.export.ready": {"period": "2026-11"},
}
PER_ACCOUNT = 4


def _object_data(name: str, obj: Any) -> dict[str, str]:
    """Parameters the event's publisher takes from the object itself."""
    if name == "accounts.user.locked":
        return {"username": obj.username, "until": f"{timezone.localtime():%Y-%m-%d} 18:30"}
    if name == "training.spot_check.assigned":
        return {"class": obj.training_class.code, "week": obj.draw.week.isoformat()}
    klass = obj.training_class if name == "training.enrollment.class_starts_tomorrow" else obj
    if name.endswith("class_starts_tomorrow") or name == "training.class.starts_tomorrow":
        return {"number": klass.code, "class_name": klass.name, "start": klass.start_date.isoformat()}
    return {}


def _messages_for(user: User, prefs: receivers._Prefs) -> tuple[int, list[int]]:
    made, queued = 0, []
    for name, (label, state) in EVENT_MODELS.items():
        if made >= PER_ACCOUNT:
            break
        spec = BY_NAME[name]
        model = apps.get_model(label)
        objects = model._default_manager.filter(**state)
        if hasattr(objects, "visible_to"):
            objects = objects.visible_to(user)
        for obj in objects.order_by("-pk")[:15]:
            if user not in receivers.recipients(spec, obj, actor_id=None):
                continue
            data = dict(DEMO_DATA.get(name, {}))
            if name == "funds.claim.paid":
                data["amount"] = str(getattr(obj, "amount", data["amount"]))
            if name == "stats.export.ready":
                data["period"] = f"{obj.period:%Y-%m}"
            data.update(_object_data(name, obj))
            event = Event(name=name, object_type=label, object_id=str(obj.pk), actor_id=None, data=data,
                          occurred_at=timezone.now(),
                          id=f"demo-{name}-{obj.pk}"[:32])
            queued += receivers._store(
                user, event_id=event.id, event=name, kind=spec.kind, template=spec.template,
                params=receivers.params_for(obj, event), obj=obj, url=receivers.url_for(spec, obj),
                channels=receivers.outbound_channels(spec.channels, user, spec.kind, prefs), in_app=True,
            )
            made += 1
            break
    return made, queued


def seed(ctx: DemoContext) -> None:
    # The system administrator's message (a failed job) comes from ops' demo, published for real.
    users = list(User.objects.filter(is_demo=True).exclude(role=Role.SYSTEM_ADMIN)
                 .select_related("region").order_by("pk"))
    for user in users:
        if user.role == Role.TRAINEE:
            actions.record_sms_consent(user, by=user, given=True)
    prefs = receivers._Prefs({u.pk for u in users})
    messages, queued = 0, []
    for user in users:
        n, q = _messages_for(user, prefs)
        messages += n
        queued += q
    if queued:
        from .tasks import enqueue_all

        transaction.on_commit(lambda: enqueue_all(queued))
    ctx.counts["demo_messages"] = messages
    ctx.counts["demo_deliveries"] = len(queued)
