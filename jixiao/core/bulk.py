"""Bulk inserts of plain rows for imports of tens of thousands of records, below the ORM's per-object cost.

`bulk_create` prepares every value of every object through its field (a few microseconds each), which is
most of an import's time at 100 000 rows. Here the caller gives rows as tuples of database-ready values
(ids, strings, numbers, Decimals, dates; datetimes via `db_datetime`; JSON via `db_json`), and they go in
with PostgreSQL COPY or, on SQLite, one `executemany` per batch. `reserve_ids` hands out primary keys first,
so related rows (fund lines, indicators, events, audit rows) can be built before anything is written.
Call these inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from itertools import islice
from typing import Any, ParamSpec, TypeVar

from django.db import connection, models

BATCH = 5000
_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk job (reference counting still frees nearly everything).

    An import of 100 000 rows allocates millions of small tuples, dicts and lists that live until it ends;
    the collector would walk them over and over as they pile up (a third of the reading time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def with_gc_paused(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorate a bulk job to run under `gc_paused`."""

    @wraps(func)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return func(*args, **kwargs)

    return wrapped


@contextmanager
def constraints_checked_per_statement() -> Iterator[None]:
    """Inside a transaction, have PostgreSQL check foreign keys as each statement (each COPY) ends, not at commit.

    Django declares them DEFERRABLE INITIALLY DEFERRED, so a bulk import's 100 000 checks would all run at commit
    while nothing else can; checked per statement they run while this process (and a side process) prepares the
    next rows. Rows must then go in parents first. SQLite checks as it inserts anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:  # not after an error: the transaction is rolled back anyway
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return `count` unused primary keys of `model`'s table, never handed out before."""
    if count <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"reserve_ids: unsupported database {connection.vendor}")
        # The import's transaction holds SQLite's write lock (transaction_mode IMMEDIATE), so nobody else can
        # take these ids; AUTOINCREMENT remembers the highest id ever used, so deleted ids are not reused. Moving
        # that mark past the range reserves it for this transaction's later calls too (rows not inserted yet).
        cursor.execute(f'SELECT max("{pk}") FROM "{table}"')
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
        if found:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
    return list(range(start, start + count))


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (tuples in `columns` order, by attname) into `model`'s table; return how many."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(table, names, rows)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    iterator = iter(rows)
    count = 0
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(table: str, names: str, rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def db_datetime(value: dt.datetime | None) -> Any:
    """Return an aware datetime as the database stores it (naive UTC text on SQLite); compute once per import."""
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> str:
    """Return JSON text as Django's JSONField writes it."""
    return json.dumps(value)
