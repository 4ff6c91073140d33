"""Factories for goal tests: a project in the demo city and a goal whose table passes every error check."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.goals import actions, checks
from jixiao.goals.models import Goal, GoalStatus
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Category, Project

CLEAN_OVERALL = "新建高标准蔬菜基地 200 亩,带动 50 户脱贫户户均增收 1500 元,受益群众满意度达到 90% 以上。"
CLEAN_ROWS: list[dict[str, Any]] = [
    {"level1": "产出", "level2": "数量", "name": "新增(改造)产业基地面积", "operator": "≥", "target": "200", "unit": "亩", "weight": 20},
    {"level1": "产出", "level2": "数量", "name": "带动脱贫户数", "operator": "≥", "target": "50", "unit": "户", "weight": 10},
    {"level1": "产出", "level2": "质量", "name": "项目(工程)验收合格率", "operator": "=", "target": "100", "unit": "%", "weight": 10},
    {"level1": "产出", "level2": "时效", "name": "项目(工程)完成及时率", "operator": "=", "target": "100", "unit": "%", "weight": 10},
    {"level1": "效益", "level2": "经济效益", "name": "带动脱贫户户均增收", "operator": "≥", "target": "1500", "unit": "元/户", "weight": 15},
    {"level1": "效益", "level2": "社会效益", "name": "受益脱贫(建档立卡)人口数", "operator": "≥", "target": "150", "unit": "人", "weight": 15},
    {"level1": "满意度", "level2": "服务对象满意度", "name": "受益群众满意度", "operator": "≥", "target": "90", "unit": "%", "weight": 10},
]  # fmt: skip


# 101号 style (2021+): 成本 is its own 一级; cost-2021 weights 成本 10 + 产出 40 + 效益 30 + 满意度 10 = 90.
CLEAN_ROWS_101: list[dict[str, Any]] = [
    {**CLEAN_ROWS[0], "weight": 15},
    {**CLEAN_ROWS[1], "weight": 5},
    *CLEAN_ROWS[2:4],
    {"level1": "成本", "level2": "经济成本", "name": "户均产业奖补标准", "operator": "≤", "target": "3000", "unit": "元/户", "weight": 10},
    *CLEAN_ROWS[4:],
]  # fmt: skip


def make_project(code: str = "T-GOAL-1", *, unit: str = "420117-U2", department: str = "SXCZXJ", year: int = 2020,
                 category: str = "F18-CYFZ", district: str = "420117", budget: str = "100", **extra: Any) -> Project:  # fmt: skip
    """Returns a project of the demo city (a village of `district`, implemented by `unit`)."""
    village = Region.objects.filter(path__startswith=f"/420100/{district}/", level="village").order_by("code").first()
    assert village is not None
    return Project.objects.create(
        code=code,
        name=extra.pop("name", f"{code} 高标准蔬菜基地建设项目"),
        year=year,
        category=Category.objects.get(code=category),
        region=village,
        unit=Unit.objects.get(code=unit),
        department=Unit.objects.get(code=department),
        budget_wan=Decimal(budget),
        **extra,
    )


def make_goal(project: Project | None = None, *, rows: list[dict[str, Any]] | None = None,
              overall: str = CLEAN_OVERALL, status: str = GoalStatus.DRAFT) -> Goal:  # fmt: skip
    """Returns a goal filled by the console operator, moved straight to `status`."""
    project = project or make_project()
    goal = actions.do_create_goal(project, acting_user=None, prefill=False)
    actions.do_replace_goal(goal, overall_goal=overall, indicators=rows or CLEAN_ROWS, acting_user=None)
    if status != GoalStatus.DRAFT:
        Goal.objects.filter(pk=goal.pk).update(status=status, locked=status == GoalStatus.APPROVED)
        goal.refresh_from_db()
    return goal


def findings_of(goal: Goal) -> list[str]:
    return [f["code"] for f in checks.recheck(goal).findings]
