"""The side process of bulk jobs: the job's methods run in order, there or here, and never query the database."""

from __future__ import annotations

import os

import pytest

from jixiao.core.sideprocess import side_process
from jixiao.projects.models import Category

pytestmark = pytest.mark.django_db


class Job:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def add(self, value: int) -> list[int]:
        self.seen.append(value)
        return list(self.seen)

    def pid(self) -> int:
        return os.getpid()

    def query(self) -> int:
        return Category.objects.count()

    def fail(self) -> None:
        raise ValueError("坏数据")


@pytest.mark.parametrize("fork", [False, True], ids=["here", "side process"])
def test_calls_run_in_order_on_one_job_state(fork):
    job = Job()
    with side_process(job, fork=fork) as submit:
        results = [submit("add", n) for n in (1, 2, 3)]
        pid = submit("pid").result()
        assert [r.result() for r in results] == [[1], [1, 2], [1, 2, 3]]
    assert (pid != os.getpid()) is fork
    assert job.seen == ([] if fork else [1, 2, 3])  # the side process has its own copy of the job


@pytest.mark.parametrize("fork", [False, True], ids=["here", "side process"])
def test_errors_are_raised_by_result(fork):
    with side_process(Job(), fork=fork) as submit:
        failed = submit("fail")
        with pytest.raises(ValueError, match="坏数据"):
            failed.result()


def test_the_side_process_cannot_query_the_database():
    before = Category.objects.count()  # this process's connection is open when the side process forks
    refused = pytest.raises(RuntimeError, match="must not query the database")
    with side_process(Job(), fork=True) as submit, refused:
        submit("query").result()
    assert Category.objects.count() == before == Job().query()  # and here it still works


def test_a_daemonic_process_runs_the_job_here(monkeypatch):
    import multiprocessing

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    with side_process(Job(), fork=True) as submit:
        assert submit("pid").result() == os.getpid()
