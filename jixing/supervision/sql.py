"""Small SQL helpers so the rules' set-based queries run on SQLite and PostgreSQL alike.

Only the few expressions whose spelling differs (time differences, interval arithmetic,
local dates, LEAST) are given per engine; everything else is standard SQL (joins, window
functions, CTEs) that both engines run as written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, connections, models

from jixing.core.db_router import read_alias

LOCAL_OFFSET_HOURS = 8  # Asia/Shanghai has no daylight saving time


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _vendor(vendor: str | None) -> str:
    return vendor or connection.vendor


def seconds_between(start: str, end: str, vendor: str | None = None) -> str:
    """Whole seconds from ``start`` to ``end`` (timestamps). ``vendor`` "duckdb" lets the
    benchmark run a rule's own query text in DuckDB."""
    if _vendor(vendor) in ("postgresql", "duckdb"):
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS BIGINT)"
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400.0) AS BIGINT)"


def plus_seconds(ts: str, seconds: int) -> str:
    seconds = int(seconds)
    if is_postgres():
        return f"({ts} + INTERVAL '{seconds} seconds')"
    return f"strftime('%Y-%m-%d %H:%M:%f', {ts}, '{seconds:+d} seconds')"


def minus_years(day: str, years: int) -> str:
    years = int(years)
    if is_postgres():
        return f"CAST(({day} - INTERVAL '{years} years') AS DATE)"
    return f"date({day}, '-{years} years')"


def local_date(ts: str) -> str:
    """The Asia/Shanghai calendar day of a timestamp, as text YYYY-MM-DD."""
    if is_postgres():
        return f"TO_CHAR({ts} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
    return f"date({ts}, '+{LOCAL_OFFSET_HOURS} hours')"


def least(a: str, b: str, vendor: str | None = None) -> str:
    return f"MIN({a}, {b})" if _vendor(vendor) == "sqlite" else f"LEAST({a}, {b})"


def ts(value: dt.datetime) -> Any:
    """A datetime as the engine's driver wants it in a raw query parameter."""
    return connection.ops.adapt_datetimefield_value(value)


def day(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run a read query where the current heavy_reads() block reads (the replica when it keeps
    up: the engine runs the rules' scans inside one), else on the primary."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def byte_order(expr: str, vendor: str | None = None) -> str:
    """Text compared byte-wise: sorting millions of device ids under a locale collation is
    several times slower on PostgreSQL, and the order itself does not matter to the rules."""
    return f'{expr} COLLATE "C"' if _vendor(vendor) == "postgresql" else expr
