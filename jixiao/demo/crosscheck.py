"""Demo cross-check: a small synthetic city run once through the engine, with a few clues already in the workflow."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

from jixiao.accounts.models import User
from jixiao.crosscheck.actions import (
    do_accept_clue,
    do_assign_clue,
    do_classify_clue,
    do_create_dataset,
    do_start_run,
    do_verify_clue,
    register_parquet,
)
from jixiao.crosscheck.models import Clue, Dataset, Run, RunStatus
from jixiao.crosscheck.synth import synthesize
from jixiao.crosscheck.tasks import execute_run
from jixiao.crosscheck.workflow import ClueCategory, ClueStatus, VerifyResult
from jixiao.orgs.models import Unit

DEMO_DATASET = "演示:武汉市 2024 年惠民资金(合成数据)"
PEOPLE = 3000


def load(*, people: int = PEOPLE) -> dict[str, int]:
    """Create the demo dataset, run and clues unless a finished demo run exists; return counts."""
    run = Run.objects.filter(dataset__name=DEMO_DATASET, status=RunStatus.DONE).first()
    if run is None:
        run = _fresh_run(people)
        _start_workflow(run)
    return {"runs": Run.objects.count(), "clues": Clue.objects.filter(run=run).count(), "run_id": run.pk}


def _fresh_run(people: int) -> Run:
    dataset = Dataset.objects.filter(name=DEMO_DATASET).first()
    if dataset is None:
        dataset = do_create_dataset(
            name=DEMO_DATASET, note=f"{people} 人的合成城市,含每条规则的埋设样本", acting_user=None
        )
    if not dataset.files.exists():
        with tempfile.TemporaryDirectory() as tmp:
            synthesize(tmp, people=people)
            for path in sorted(Path(tmp).glob("*.parquet")):
                if path.stem == "truth":
                    continue
                rows = pq.ParquetFile(path).metadata.num_rows
                register_parquet(dataset=dataset, kind=path.stem, parquet=path, rows=rows, acting_user=None)
    run = do_start_run(dataset=dataset, enqueue=False, acting_user=None)
    return execute_run(run)


def _start_workflow(run: Run) -> None:
    """Send the new district's clues to its finance bureau, so the verifier's pages have work in them."""
    admin = User.objects.filter(username="perf_admin").first()
    verifier = User.objects.filter(username="xinzhou_fin").first()
    bureau = Unit.objects.filter(code="420117-CZJ").first()
    if admin is None or verifier is None or bureau is None:
        return
    deadline = dt.date.today() + dt.timedelta(days=30)
    clues = list(Clue.objects.filter(run=run, region_code="420117", status=ClueStatus.NEW).order_by("pk"))
    for index, clue in enumerate(clues):
        do_classify_clue(clue, category=ClueCategory.RECTIFY, acting_user=admin)
        do_assign_clue(clue, unit=bureau, deadline=deadline, opinion="请于期限内核实并报送结果", acting_user=admin)
        if index == 0:
            do_accept_clue(clue, acting_user=verifier)
            do_verify_clue(clue, result=VerifyResult.CONFIRMED, opinion="经入户核查,情况属实", acting_user=verifier)
    for clue in Clue.objects.filter(run=run, status=ClueStatus.NEW, rule="R19")[:2]:
        do_classify_clue(clue, category=ClueCategory.DATA_ERROR, opinion="录入错误,已更正", acting_user=admin)
