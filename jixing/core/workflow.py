"""Lifecycles as explicit transition tables (STYLE.md habit 3).

A model declares ``TRANSITIONS = {(from, to), ...}`` on a status field; ``move`` checks the
move, saves, writes a StatusChange row and an audit event. Illegal moves raise.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.actor import Actor
from jixing.core.models import StatusChange
from jixing.core.refusals import Conflict


class IllegalTransition(Conflict):
    """A move the transition table does not allow: a refusal (409), see ``core.refusals``."""


def move(
    obj: models.Model,
    to: str,
    *,
    by: Actor | None,
    reason: str = "",
    field: str = "status",
    transitions: set[tuple[str, str]] | None = None,
    event: str | None = None,
) -> None:
    table = transitions if transitions is not None else type(obj).TRANSITIONS  # type: ignore[attr-defined]
    current = getattr(obj, field)
    if (current, to) not in table:
        raise IllegalTransition(
            _("Cannot move %(model)s from %(from)s to %(to)s.")
            % {"model": obj._meta.verbose_name, "from": current, "to": to}
        )
    with transaction.atomic():
        setattr(obj, field, to)
        obj.save(update_fields=[field, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            from_status=current,
            to_status=to,
            by_id=by.pk if by is not None else None,
            reason=reason,
        )
        audit.record(
            event or f"{obj._meta.model_name}.{to}",
            actor=by,
            obj=obj,
            before={field: current},
            after={field: to},
            detail={"reason": reason} if reason else None,
        )


def history(obj: models.Model) -> models.QuerySet[StatusChange]:
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("by")
