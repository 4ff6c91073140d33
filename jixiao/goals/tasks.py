"""Batch normative review over many goals: inline when small, in the huey worker when large."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from huey.contrib.djhuey import db_task

from jixiao.goals import checks
from jixiao.goals.models import Goal, GoalIndicator
from jixiao.indicators.library import db_library

INLINE_LIMIT = 200


def review_goals(goal_ids: Sequence[int]) -> dict[str, int]:
    """Re-runs the review on these goals with one library per year and bulk-saves the findings."""
    goals = list(Goal.objects.filter(pk__in=list(goal_ids)).select_related("project__category", "project__subcategory",
                                                                           "project__region"))  # fmt: skip
    rows: dict[int, list[GoalIndicator]] = {}
    for row in GoalIndicator.objects.filter(goal__in=goals).select_related("template").order_by("goal", "sort", "id"):
        rows.setdefault(row.goal_id, []).append(row)
    libraries = {year: db_library(year) for year in {g.year for g in goals}}
    fields: list[str] = []
    for goal in goals:
        fields = checks.apply_findings(goal, checks.review(goal, rows.get(goal.pk, []), libraries[goal.year]))
    if goals:
        Goal.objects.bulk_update(goals, fields, batch_size=500)
    return {"goals": len(goals), "errors": sum(g.error_count > 0 for g in goals)}


@db_task()
def review_goals_task(goal_ids: list[int]) -> dict[str, int]:
    return review_goals(goal_ids)


def start_batch_review(goal_ids: Sequence[int]) -> tuple[bool, dict[str, int] | None]:
    """Runs the review now when the batch is small (or huey is immediate); else queues it.
    Returns (queued, counts)."""
    ids = list(goal_ids)
    if len(ids) <= INLINE_LIMIT or settings.HUEY.get("immediate"):
        return False, review_goals(ids)
    review_goals_task(ids)
    return True, None
