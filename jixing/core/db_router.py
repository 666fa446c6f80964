"""Heavy reads go to the streaming replica while it keeps up; everything else to the primary.

Django routes by model, not by purpose, so the purpose is declared where the reading happens:
the progress dashboard and its table exports, and the dispatch report's figures, and the supervision scans (their raw SQL through ``read_alias()``)
read inside ``heavy_reads()`` (or a function decorated ``@heavy_read``). Inside it, reads go to the ``replica`` alias when one is
configured (DATABASE_REPLICA_URL), it is streaming, and its replay lag is under
JIXING_REPLICA_MAX_LAG_SECONDS; otherwise — and always inside a transaction on the primary,
which must see its own writes — to the primary. Writes always go to the primary.

Read-your-writes: the first read of a block notes the primary's WAL position and uses the
replica only once it has replayed up to there (waiting at most JIXING_REPLICA_FENCE_WAIT_MS),
so a dashboard that has just refreshed its rollups never reads them stale. A block should
therefore hold reads only: what it writes itself after its first read it may not see.
The replica's health is checked at most every JIXING_REPLICA_CHECK_SECONDS per process.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
log = logging.getLogger("jixing.db_router")


class _Block:
    """One heavy_reads() block: where its reads go, decided at its first read."""

    __slots__ = ("alias",)

    def __init__(self) -> None:
        self.alias: str | None = None


_heavy: ContextVar[_Block | None] = ContextVar("jixing_heavy_reads", default=None)
_lock = threading.Lock()
_cache: dict[str, float] = {"checked": 0.0, "usable": 0.0}

P = ParamSpec("P")
R = TypeVar("R")

LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


@contextmanager
def heavy_reads() -> Iterator[None]:
    token = _heavy.set(_heavy.get() or _Block())
    try:
        yield
    finally:
        _heavy.reset(token)


def heavy_read(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a read-only function whose queries may be served by the replica."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with heavy_reads():
            return func(*args, **kwargs)

    return wrapper


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds() -> float | None:
    """Seconds the replica's replay is behind, or None when it is not a usable replica
    (unreachable, or its WAL receiver is not streaming, so it may be arbitrarily stale)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiver, lag = cursor.fetchone()
    except Exception as exc:
        log.warning("replica unreachable: %s", exc)
        connections[REPLICA].close()
        return None
    if not in_recovery:
        return 0.0  # the alias names a primary (a test setup): nothing to lag behind
    if receiver != "streaming":
        return None
    return float(lag)


def replica_usable(*, fresh: bool = False) -> bool:
    if not replica_configured():
        return False
    now = time.monotonic()
    with _lock:
        if not fresh and now - _cache["checked"] < settings.JIXING_REPLICA_CHECK_SECONDS:
            return bool(_cache["usable"])
    lag = replica_lag_seconds()
    usable = lag is not None and lag <= settings.JIXING_REPLICA_MAX_LAG_SECONDS
    with _lock:
        _cache.update(checked=time.monotonic(), usable=float(usable))
    return usable


def forget_replica_state() -> None:
    """Drop the cached replica state (tests, or after a failover)."""
    with _lock:
        _cache.update(checked=0.0, usable=0.0)


def replica_has_replayed_primary() -> bool:
    """True once the replica has replayed everything the primary had written when asked."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (fence,) = cursor.fetchone()
    deadline = time.monotonic() + settings.JIXING_REPLICA_FENCE_WAIT_MS / 1000
    try:
        with connections[REPLICA].cursor() as cursor:
            while True:
                cursor.execute("SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [fence])
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
    except Exception as exc:
        log.warning("replica unreachable: %s", exc)
        connections[REPLICA].close()
        forget_replica_state()
        return False


def _choose(block: _Block) -> str:
    if block.alias is None:
        usable = replica_configured() and replica_usable() and replica_has_replayed_primary()
        block.alias = REPLICA if usable else DEFAULT_DB_ALIAS
    return block.alias


def read_alias() -> str:
    """The alias the current ``heavy_reads()`` block reads from, chosen now if not yet: raw SQL
    (``connections[read_alias()].cursor()``) goes where the block's ORM reads go. Outside a block,
    or inside a transaction on the primary, it is the primary."""
    block = _heavy.get()
    if block is None or connections[DEFAULT_DB_ALIAS].in_atomic_block or not replica_configured():
        return DEFAULT_DB_ALIAS
    return _choose(block)


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        block = _heavy.get()
        if block is None or connections[DEFAULT_DB_ALIAS].in_atomic_block or not replica_configured():
            return DEFAULT_DB_ALIAS
        return _choose(block)

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA
