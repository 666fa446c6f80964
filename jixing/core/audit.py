"""The one audit helper every action calls (SECURITY.md C1)."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db import connection, models, transaction

from jixing.core.actor import Actor
from jixing.core.logging import redact
from jixing.core.models import AuditCheckpoint, AuditEvent, AuditOutcome
from jixing.core.request_context import current_request

_CHAIN_LOCK_ID = 7_301_001  # PostgreSQL advisory lock that serialises the hash chain


def _lock_chain() -> None:
    """Serialise writers of the chain (PostgreSQL; SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _chain_head() -> str | None:
    """The newest row's hash (called under the chain lock; raw SQL: it runs on every write)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hash FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _label(user: Actor | None) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "get_username", lambda: "")())


def _storable(value: Any) -> Any:
    """JSON that every engine stores: PostgreSQL's jsonb refuses the NUL character (\\u0000),
    which arbitrary input (a public form, a file) can carry."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def record(
    event: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    outcome: str = AuditOutcome.OK,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit row. Callers pass only masked values in before/after/detail."""
    info = current_request.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = redact(str(obj))[:200]
    else:
        object_label = ""
    # No savepoint of its own inside a caller's transaction (two round trips less per write):
    # if the append fails, the caller's whole transaction rolls back with it, as it must.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        last = _chain_head()
        row = AuditEvent(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=actor_label or _label(actor),
            ip=info.ip if info else None,
            event=event,
            object_type=object_type,
            object_id=str(object_id),
            object_label=object_label,
            outcome=outcome,
            before=_storable(before),
            after=_storable(after),
            detail=_storable(detail),
            prev_hash=last or "",
        )
        row.hash = row.compute_hash()
        row.save()
    return row


PURGE_EVENT = "audit.purged"


def verify_chain() -> list[int]:
    """Return the ids of rows whose hash or link is wrong (empty list = intact).

    The first remaining row may point to a row that ``purge`` removed: that is accepted
    only if a purge event recorded exactly that hash as its anchor, so deleting the oldest
    rows by hand is detected too.
    """
    broken: list[int] = []
    prev: str | None = None
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        link_ok = (row.prev_hash == prev) if prev is not None else (not row.prev_hash or _is_purge_anchor(row.prev_hash))
        if not link_ok or row.compute_hash() != row.hash:
            broken.append(row.id)
        prev = row.hash
    return broken


def _is_purge_anchor(value: str) -> bool:
    return any(
        (detail or {}).get("anchor") == value
        for detail in AuditEvent.objects.filter(event=PURGE_EVENT).values_list("detail", flat=True)
    )


def purge(*, older_than: dt.datetime) -> dict[str, Any]:
    """Delete the oldest rows, those before ``older_than`` (SECURITY.md C3: callers keep at
    least 180 days). Only a prefix of the chain is removed, so what remains still verifies;
    the purge itself is recorded with the hash it cut at."""
    with transaction.atomic():
        _lock_chain()
        first_kept = AuditEvent.objects.filter(at__gte=older_than).order_by("id").values_list("id", "prev_hash").first()
        doomed = AuditEvent.objects.all()
        if first_kept is not None:
            doomed = doomed.filter(id__lt=first_kept[0])
        anchor = first_kept[1] if first_kept else (
            AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        )
        deleted, _per_model = doomed.delete()
        summary = {"deleted": deleted, "older_than": older_than.isoformat(), "anchor": anchor}
        if deleted:
            record(PURGE_EVENT, object_type="core.auditevent", detail=summary)
            write_checkpoint()  # the newest checkpoint always describes the chain after a purge
    return summary


def write_checkpoint() -> AuditCheckpoint:
    """Sign the chain's head (row count, last id, its hash) into an append-only checkpoint."""
    with transaction.atomic():
        _lock_chain()
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        checkpoint = AuditCheckpoint(
            rows=AuditEvent.objects.count(),
            last_id=head[0] if head else None,
            head_hash=head[1] if head else "",
        )
        checkpoint.signature = checkpoint.compute_signature()
        checkpoint.save()
    return checkpoint


def verify_checkpoint() -> list[str]:
    """Compare the chain with the newest checkpoint; return what is wrong (empty = agrees).

    Rows written after the checkpoint are the chain's own business (``verify_chain``); rows
    up to it must all still be there, the last one with the hash the checkpoint signed.
    """
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    if checkpoint is None:
        return []
    problems: list[str] = []
    if not hmac.compare_digest(checkpoint.signature, checkpoint.compute_signature()):
        problems.append(f"checkpoint {checkpoint.id}: signature does not match its content")
    if checkpoint.last_id is not None:
        head = AuditEvent.objects.filter(id=checkpoint.last_id).values_list("hash", flat=True).first()
        if head is None:
            problems.append(f"checkpoint {checkpoint.id}: row {checkpoint.last_id} it signed is missing")
        elif head != checkpoint.head_hash:
            problems.append(f"checkpoint {checkpoint.id}: row {checkpoint.last_id} has another hash than it signed")
        held = AuditEvent.objects.filter(id__lte=checkpoint.last_id).count()
        if held != checkpoint.rows:
            problems.append(f"checkpoint {checkpoint.id}: {checkpoint.rows} rows signed, {held} present")
    return problems
