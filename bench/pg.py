"""PostgreSQL helpers shared by the benchmarks: is the local server up, and a scratch database to fill."""

from __future__ import annotations

import socket

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_reachable() -> bool:
    """Return whether the local PostgreSQL accepts connections on 127.0.0.1:5432."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def scratch_database(name: str, *, create: bool) -> str:
    """Drop the database `name` (and create it afresh when `create`); return its URL."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name
