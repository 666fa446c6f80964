"""Shared by the benchmarks: a fresh PostgreSQL database of their own, migrated."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from statistics import median
from typing import TypeVar

T = TypeVar("T")


def fresh_database(suffix: str) -> str:
    """Drop and create ``<DATABASE_URL name>_bench_<suffix>``, point Django at it, migrate."""
    import dj_database_url
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    name = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"] + f"_bench_{suffix}"
    params = connections["default"].get_connection_params()
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)
    return name


def timed(fn: Callable[[], T], *, repeat: int = 5) -> tuple[float, T]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return median(times), result
