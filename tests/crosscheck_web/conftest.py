"""Fixtures of the cross-check web tests: a private data folder, a small synthetic city, clues in two districts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

from jixiao.crosscheck.models import Clue, Dataset, Run, RunStatus
from jixiao.crosscheck.synth import synthesize
from jixiao.orgs.models import Region

XINZHOU_ID = "420117195001011234"
JIANGXIA_ID = "420115196002022345"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> Path:
    """Every test writes datasets and run outputs under its own folder, never under var/."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def huey_immediate():
    """Run huey tasks in-process, without closing the test's database connection."""
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(scope="module")
def synth_city(tmp_path_factory) -> Path:
    """A synthetic city (600 people, every rule planted) in the interchange layout, as Parquet."""
    out = tmp_path_factory.mktemp("synth")
    synthesize(out, people=600)
    return out


def make_clue(run: Run, *, person_id: str, region_code: str, rule: str = "R15", amount: str = "800.00") -> Clue:
    return Clue.objects.create(
        run=run,
        rule=rule,
        rule_title="同一人同项目同月重复发放",
        person_id=person_id,
        person_name="测试人",
        program="P01",
        program_name="城市最低生活保障",
        region_code=region_code,
        region=Region.objects.filter(code=region_code).first(),
        period="2024-03",
        periods="2024-03,2024-04",
        amount_at_risk=Decimal(amount),
        evidence=[{"payment_id": f"PL-P01-2024-03-{person_id}", "period": "2024-03", "amount": 800.0}],
    )


@pytest.fixture
def run(demo) -> Run:
    dataset = Dataset.objects.create(name="测试数据集")
    return Run.objects.create(
        dataset=dataset, status=RunStatus.DONE, progress=100, finished_at=dt.datetime.now(dt.UTC), clues_loaded=2
    )


@pytest.fixture
def xinzhou_clue(run) -> Clue:
    return make_clue(run, person_id=XINZHOU_ID, region_code="420117", amount="1600.00")


@pytest.fixture
def jiangxia_clue(run) -> Clue:
    return make_clue(run, person_id=JIANGXIA_ID, region_code="420115")
