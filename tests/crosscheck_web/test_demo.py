"""The demo loader: a run with clues for the dashboards, some already assigned to 新洲区, idempotent."""

from __future__ import annotations

import time

from jixiao.crosscheck.models import Clue, Run, RunStatus
from jixiao.demo import crosscheck


def test_demo_load_is_quick_and_idempotent(demo, login):
    started = time.perf_counter()
    first = crosscheck.load()
    assert time.perf_counter() - started < 15
    run = Run.objects.get(pk=first["run_id"])
    assert run.status == RunStatus.DONE and first["clues"] == run.clues_loaded > 20
    assigned = Clue.objects.filter(run=run, assigned_unit__code="420117-CZJ")
    assert assigned.exists() and assigned.filter(status="verified").count() == 1
    assert crosscheck.load() == first
    assert Run.objects.count() == 1
    dashboard = login("perf_admin").get("/crosscheck/").context["data"]
    assert sum(r["n"] for r in dashboard["rules"]) == first["clues"]
