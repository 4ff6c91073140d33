"""Small builders for self-evaluation tests: a campaign and 自评表 with explicit rows (inputs visible in each test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.orgs.models import Region
from jixiao.projects.models import Project
from jixiao.selfeval.actions import district_of, rescore
from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.profiles import SHIPPED_PROFILE_DATA

SHIPPED_CODES = {data["code"] for data in SHIPPED_PROFILE_DATA}

# level1, level2, name, operator, target, unit, weight, actual
MET = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "50", "3200"),
    ("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "500", "人", "30", "520"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "95"),
]


def seed_shipped_profiles() -> None:
    """Store the shipped scoring profiles again: migration 0002 seeds them, but a transactional test's flush
    (live-server browser tests, `transaction=True` tests on PostgreSQL) empties the table."""
    for data in SHIPPED_PROFILE_DATA:
        defaults = {"name": data["name"], "data": data, "builtin": True}
        ScoringProfileRecord.objects.update_or_create(code=data["code"], defaults=defaults)


def campaign(year: int = 2019, name: str = "测试自评任务", profile: str = "central-2020", **extra) -> Campaign:
    if profile in SHIPPED_CODES and not ScoringProfileRecord.objects.filter(code=profile).exists():
        seed_shipped_profiles()
    return Campaign.objects.create(
        year=year,
        name=name,
        deadline=dt.date(year + 1, 3, 31),
        profile=ScoringProfileRecord.objects.get(code=profile),
        **extra,
    )


def evaluation(
    camp: Campaign,
    project: Project,
    *,
    rows=MET,
    annual: str = "1000000",
    executed: str | None = "950000",
    overall_actual: str = "已完成年度目标。",
    status: str = "draft",
) -> SelfEvaluation:
    districts = dict(Region.objects.filter(level="district").values_list("code", "id"))
    ev = SelfEvaluation.objects.create(
        campaign=camp,
        project=project,
        department_id=project.department_id,
        district_id=district_of(project.region.path, districts),
        budget_initial=Decimal(annual),
        budget_annual=Decimal(annual),
        budget_executed=None if executed is None else Decimal(executed),
        fiscal_initial=Decimal(annual),
        fiscal_annual=Decimal(annual),
        fiscal_executed=None if executed is None else Decimal(executed),
        overall_target="完成年度建设任务。",
        overall_actual=overall_actual,
        status=status,
    )
    SelfEvaluationIndicator.objects.bulk_create(
        SelfEvaluationIndicator(
            evaluation=ev,
            position=i,
            level1=a,
            level2=b,
            name=n,
            operator=o,
            target=t,
            unit=u,
            weight=Decimal(w),
            actual=x,
        )  # fmt: skip
        for i, (a, b, n, o, t, u, w, x) in enumerate(rows, start=1)
    )
    rescore(ev)
    ev.refresh_from_db()
    return ev


def project(code: str) -> Project:
    return Project.objects.select_related("region", "department", "unit").get(code=code)


XINZHOU_U2 = "FP2019-420117-0002"  # unit 420117-U2 (unit_xinzhou)
XINZHOU_U1 = "FP2019-420117-0001"  # unit 420117-U1 (another 新洲 unit)
JIANGXIA = "FP2019-420115-0001"
