"""Role-walk expectations for the cross-check: datasets, runs, clues, dashboards and the ID check.

Runs and datasets are city-wide (绩效处 and 纪委监委 read them, only 绩效处 writes); clues are read by view holders
and by district finance within their district; workflow buttons need run (triage) or verify (district) rights.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.crosscheck.models import Clue, Dataset, DatasetFile, Run, RunStatus
from jixiao.orgs.models import Region, Unit

VIEW = frozenset({"perf_admin", "inspector"})
RUN = frozenset({"perf_admin"})
READERS = VIEW | {"xinzhou_fin", "jiangxia_fin"}
SEE_XINZHOU_CLUE = VIEW | {"xinzhou_fin"}
HANDLE_XINZHOU_CLUE = frozenset({"perf_admin", "xinzhou_fin"})

PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "crosscheck:dashboard": ("get", READERS),
    "crosscheck:idcheck": ("get", READERS),
    "crosscheck:dataset_list": ("get", VIEW),
    "crosscheck:dataset_create": ("get", RUN),
    "crosscheck:dataset_detail": ("get", VIEW),
    "crosscheck:dataset_upload": ("get", RUN),
    "crosscheck:run_list": ("get", VIEW),
    "crosscheck:run_create": ("get", RUN),
    "crosscheck:run_detail": ("get", VIEW),
    "crosscheck:run_progress": ("get", VIEW),
    "crosscheck:run_export": ("get", VIEW),
    "crosscheck:clue_list": ("get", READERS),
    "crosscheck:clue_export": ("get", READERS),
    "crosscheck:clue_detail": ("get", SEE_XINZHOU_CLUE),
    "crosscheck:clue_reveal": ("post", VIEW),
    "crosscheck:clue_transition": ("post", HANDLE_XINZHOU_CLUE),
}

API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    ("POST", "/api/v1/crosscheck/idcheck"): (READERS, {"ids": ["11010519491231002X", "610104620927690"]}),
    ("GET", "/api/v1/crosscheck/runs"): (VIEW, None),
    ("POST", "/api/v1/crosscheck/datasets/{dataset_id}/runs"): (RUN, {"rules": "all"}),
    ("GET", "/api/v1/crosscheck/runs/{run_id}"): (VIEW, None),
    ("GET", "/api/v1/crosscheck/clues"): (READERS, None),
    ("GET", "/api/v1/crosscheck/clues/{clue_id}"): (SEE_XINZHOU_CLUE, None),
    ("POST", "/api/v1/crosscheck/clues/{clue_id}/reveal"): (VIEW, None),
    ("POST", "/api/v1/crosscheck/clues/{clue_id}/transitions"): (RUN, {"action": "classify", "category": "rectify"}),
}


def targets(demo) -> dict:
    """A dataset with a payments file, a finished run and one new clue in 新洲区 (no engine run needed)."""
    dataset = Dataset.objects.create(name="走查数据集")
    DatasetFile.objects.create(dataset=dataset, kind="payments", original_name="payments.csv", rows_written=1)
    run = Run.objects.create(
        dataset=dataset,
        status=RunStatus.DONE,
        progress=100,
        summary={
            "rules": {
                "R15": {
                    "title": "同一人同项目同月重复发放",
                    "clues": 1,
                    "amount_at_risk": 800.0,
                    "skipped": False,
                    "status": "ok",
                    "reason": None,
                    "seconds": 0.1,
                }
            }
        },
        clues_loaded=1,
        finished_at=dt.datetime.now(dt.UTC),
    )
    clue = Clue.objects.create(
        run=run,
        rule="R15",
        rule_title="同一人同项目同月重复发放",
        person_id="420117195001011234",
        person_name="走查",
        program="P01",
        region_code="420117",
        region=Region.objects.get(code="420117"),
        period="2024-03",
        periods="2024-03",
        amount_at_risk=Decimal("800.00"),
        evidence=[{"payment_id": "X1", "amount": 800}],
    )
    Unit.objects.get(code="420117-CZJ")
    return {"dataset": dataset, "run": run, "clue": clue}
