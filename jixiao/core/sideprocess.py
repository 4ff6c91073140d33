"""A job's pure-Python work in a second, forked process, so that both cores work on one bulk import.

On SQLite the database runs inside this process: while it inserts rows, the side process can check and build
the next ones. On PostgreSQL the server is a third worker. The job is an object whose methods take and return
picklable values; `side_process(job)` yields `submit(method_name, *args) -> Future`, with the calls run in order,
in the side process (forked: it starts at once, shares what this process had loaded, and needs no importable
__main__) or, for small jobs and where fork is unavailable, right here — the same code either way.

The side process never touches the database: the connections it inherited refuse every query, and it leaves
through os._exit (multiprocessing's fork start), so it never closes them either.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

Submit = Callable[..., Future]

_job: Any = None


def _refuse_query(*args: Any) -> None:
    raise RuntimeError("the side process of a bulk job must not query the database")


def _start(job: Any) -> None:
    """Initialise the side process: the job (inherited through fork, not pickled), no database, no cyclic gc."""
    global _job
    from django.db import connections

    gc.disable()  # a bulk job making few cycles, as in the parent (core.bulk.gc_paused)
    for connection in connections.all(initialized_only=True):
        connection.execute_wrappers.append(_refuse_query)
    _job = job


def _call(method: str, args: tuple) -> Any:
    return getattr(_job, method)(*args)


def can_fork() -> bool:
    """Fork is there, and this process may have children (a daemonic one, e.g. a huey worker process, may not)."""
    return (
        hasattr(os, "fork")
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


@contextmanager
def side_process(job: Any, *, fork: bool) -> Iterator[Submit]:
    """Yield `submit(method, *args)`: calls of `job`'s methods, in a forked process when `fork` (and possible).

    Leaving the block cancels the calls not started yet (an import refused halfway) and waits for the running one.
    """
    if not (fork and can_fork()):

        def here(method: str, *args: Any) -> Future:
            done: Future = Future()
            try:
                done.set_result(getattr(job, method)(*args))
            except Exception as exc:  # handed over like the side process's: raised by .result()
                done.set_exception(exc)
            return done

        yield here
        return
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=_start, initargs=(job,))
    try:
        yield lambda method, *args: pool.submit(_call, method, args)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
