"""Shared by the benchmarks that generate data in SQL: ``INSERT … SELECT`` with every column the
generator does not name filled with its Django default (so fields added later do not break a
benchmark), and the pg_restore trick of dropping secondary indexes and foreign keys before a bulk
load and re-creating them after (the constraints hold again at the end, validated in one pass)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def execute(sql_text: str, params: list[Any] | None = None, *, raw: bool = False) -> int:
    """Run one statement; ``%`` is a placeholder (``%%`` a percent sign) unless ``raw``."""
    from django.db import connection

    with connection.cursor() as cursor:
        if raw:
            cursor.execute(sql_text)
        else:
            cursor.execute(sql_text, params or [])
        return cursor.rowcount


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        return "'" + json.dumps(value) + "'::jsonb"
    return "'" + str(value).replace("'", "''") + "'"


def column_defaults(model: Any, given: dict[str, str], *, session_starts_at: str = "s.starts_at",
                    timestamp: str = "TIMESTAMPTZ '2025-06-01 08:00+08'") -> dict[str, str]:
    """``given`` completed with an SQL expression for every other concrete column of ``model``."""
    from django.db.models import NOT_PROVIDED

    exprs = dict(given)
    for field in model._meta.concrete_fields:
        column = field.column
        if column in exprs or (field.primary_key and "id" not in given):
            continue
        if column == "session_month":  # attendance's partition key, from its session's start
            from jixing.training.fields import session_month_sql

            exprs[column] = session_month_sql(session_starts_at)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs[column] = timestamp
        elif field.default is not NOT_PROVIDED:
            exprs[column] = literal(field.default() if callable(field.default) else field.default)
        elif field.null:
            exprs[column] = "NULL"
        elif field.get_internal_type() in ("CharField", "TextField", "SlugField") or field.blank:
            exprs[column] = "''"
        else:
            raise RuntimeError(f"bench: no value for {model.__name__}.{column}")
    return exprs


def insert(model: Any, values: dict[str, str], rest: str, params: list[Any] | None = None, *, raw: bool = False,
           **kwargs: str) -> int:
    """``INSERT INTO <model's table> (…) SELECT <values, defaults for the rest> <rest>``."""
    exprs = column_defaults(model, values, **kwargs)
    cols = ", ".join(exprs)
    return execute(f"INSERT INTO {model._meta.db_table} ({cols}) SELECT {', '.join(exprs.values())} {rest}", params,
                   raw=raw)


@dataclass(frozen=True)
class Dropped:
    table: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX …)
    foreign_keys: list[tuple[str, str]]  # (name, FOREIGN KEY … definition)


def drop_secondary(table: str) -> Dropped:
    """Drop ``table``'s foreign keys and the indexes no constraint owns (primary key, unique and
    check constraints stay, so the load is still checked for them). :func:`restore` puts them back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con
                          WHERE con.conrelid = %s::regclass AND con.contype = 'f' AND con.conparentid = 0
                          ORDER BY con.conname""", [table])
        fks = [(n, d) for n, d in cursor.fetchall()]
        cursor.execute("""SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
                          JOIN pg_class ic ON ic.oid = i.indexrelid
                          WHERE i.indrelid = %s::regclass
                            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                          ORDER BY ic.relname""", [table])
        indexes = [(n, d) for n, d in cursor.fetchall()]
        for name, _definition in fks:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return Dropped(table, indexes, fks)


def restore(dropped: Dropped) -> None:
    """Re-create what :func:`drop_secondary` dropped; each foreign key is validated over every row."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _name, definition in dropped.indexes:
            cursor.execute(definition)
        for name, definition in dropped.foreign_keys:
            cursor.execute(f'ALTER TABLE "{dropped.table}" ADD CONSTRAINT "{name}" {definition}')


def reset_sequence(table: str) -> None:
    """After rows were written with explicit ids: the table's id sequence continues after them."""
    execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)")
