"""Demo goals: every demo project gets a goal table from the library; projects in the library or later have an
approved goal (the project-library gate), the reserve ones are spread over the other states, some with the
defects the normative review catches (missing core indicator, vague wording, % above 100, unit mismatch)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.goals import checks
from jixiao.goals.models import Goal, GoalEvent, GoalIndicator, GoalStatus
from jixiao.goals.tasks import review_goals
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import LibraryView, style_for_year
from jixiao.indicators.models import IndicatorTemplate
from jixiao.indicators.values import format_number
from jixiao.projects.models import Project, ProjectStatus

RESERVE_STATES = [GoalStatus.DRAFT, GoalStatus.SUBMITTED, GoalStatus.DEPT_REVIEW, GoalStatus.FINANCE_REVIEW,
                  GoalStatus.RETURNED, GoalStatus.REJECTED]  # fmt: skip
DEFECTS = ("missing_core", "vague", "over_100", "unit")


def _target(template: Any) -> str:
    if template.default_target not in (None, ""):
        return (
            format_number(template.default_target)
            if isinstance(template.default_target, float)
            else str(template.default_target)
        )
    if template.operator == "定性":
        return "达到预期目标"
    low, high = template.plausible_range or (1, 100)
    return format_number(round(low + (high - low) * 0.05 + 1))


def goal_rows(goal: Goal, library: LibraryView, ids: dict[str, int]) -> list[dict[str, Any]]:
    """Returns a plausible indicator table for the goal's category from the library (weights from the profile)."""
    templates = library.templates_for(checks.category_code(goal))
    rows = []
    for t in templates:
        level1, level2 = t.levels(goal.style)
        rows.append({"level1": level1, "level2": level2, "name": t.name, "operator": t.operator, "target": _target(t),
                     "unit": t.unit, "core": t.core, "explanation": t.explanation[:500], "data_source": t.data_source[:200],
                     "template_id": ids.get(t.code)})  # fmt: skip
    if goal.style == "101" and not any(r["level1"] == "成本" for r in rows):
        rows.append({"level1": "成本", "level2": "经济成本", "name": "项目总成本", "operator": "≤",
                     "target": format_number(float(goal.project.budget_wan)), "unit": "万元", "core": False})  # fmt: skip
    if not any(r["level2"] == "数量" for r in rows):
        rows.insert(0, {"level1": "产出", "level2": "数量", "name": "实施项目个数", "operator": "=", "target": "1",
                        "unit": "个", "core": False})  # fmt: skip
    return rows


def _defect(rows: list[dict[str, Any]], kind: str) -> None:
    if kind == "missing_core":
        rows[:] = [r for r in rows if not r.get("core")]
    elif kind == "vague":
        rows[-1]["target"] = "明显提高"
        rows[-1]["operator"] = "定性"
    elif kind == "over_100":
        for r in rows:
            if r["unit"] == "%":
                r["target"] = "120"
                break
    elif kind == "unit":
        for r in rows:
            if r.get("core"):
                r["unit"] = "户"


@transaction.atomic
def load() -> dict[str, int]:
    """Creates the missing demo goals (idempotent); returns counts."""
    rng = random.Random(2026)
    projects = list(Project.objects.filter(goal__isnull=True).select_related("category", "subcategory", "region")
                    .order_by("code"))  # fmt: skip
    ids = {code: pk for code, pk in IndicatorTemplate.objects.order_by("-valid_from").values_list("code", "pk")}
    libraries: dict[int, LibraryView] = {}
    goals, tables, now = [], [], timezone.now()
    for index, project in enumerate(projects):
        style = style_for_year(project.year)
        approved = project.status != ProjectStatus.RESERVE
        status = GoalStatus.APPROVED if approved else RESERVE_STATES[index % len(RESERVE_STATES)]
        goal = Goal(project=project, year=project.year, style=style, profile=checks.profile_code_for(style),
                    status=status, locked=approved, grade="优" if approved else ("差" if status == GoalStatus.REJECTED else ""),
                    overall_goal=f"完成{project.name},带动脱贫户稳定增收,受益群众满意度达到90%以上。",
                    submitted_at=now if status != GoalStatus.DRAFT else None, approved_at=now if approved else None)  # fmt: skip
        if project.year not in libraries:
            libraries[project.year] = db_library(project.year)
        library = libraries[project.year]
        rows = goal_rows(goal, library, ids)
        if status in (GoalStatus.DRAFT, GoalStatus.RETURNED) and rng.random() < 0.6:
            _defect(rows, DEFECTS[index % len(DEFECTS)])
        goals.append(goal)
        tables.append(rows)
    Goal.objects.bulk_create(goals, batch_size=500)
    indicators = []
    for goal, rows in zip(goals, tables, strict=True):
        weights = checks.suggested_weights(goal, [r["level1"] for r in rows])
        for sort, (row, weight) in enumerate(zip(rows, weights, strict=True)):
            number = _number(row["target"])
            indicators.append(GoalIndicator(goal=goal, sort=sort, weight=Decimal(weight), target_number=number, **row))
    GoalIndicator.objects.bulk_create(indicators, batch_size=2000)
    review_goals([g.pk for g in goals])
    GoalEvent.objects.bulk_create(
        [GoalEvent(goal=g, kind="demo", to_status=g.status, opinion="演示数据") for g in goals], batch_size=1000
    )
    return {"goals": Goal.objects.count(), "new_goals": len(goals), "indicators": len(indicators)}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
