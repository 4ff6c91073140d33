"""Running the normative review (G01–G16) on stored goals: drafts from rows, findings onto the goal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from jixiao.goals.models import Goal, GoalIndicator
from jixiao.goals.review import run_checks
from jixiao.goals.review_types import ERROR, WARNING, Finding, GoalDraft, IndicatorDraft
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import STYLE_101, LibraryView
from jixiao.selfeval.profiles import default_weights, get_profile


def profile_code_for(style: str) -> str:
    """Returns the scoring profile whose weights a goal of this style defaults to (settings may override)."""
    if style == STYLE_101:
        return getattr(settings, "GOALS_PROFILE_101", "cost-2021")
    return getattr(settings, "GOALS_PROFILE_88", "central-2020")


def weight_total(goal: Goal) -> float:
    return float(get_profile(goal.profile).indicator_total)


def suggested_weights(goal: Goal, level1s: Sequence[str]) -> list[Decimal]:
    """Returns the profile's default weights for indicators with these 一级指标, in order."""
    return list(default_weights(get_profile(goal.profile), level1s).weights)


def category_code(goal: Goal) -> str:
    project = goal.project
    category = project.subcategory or project.category
    return category.code


def indicator_draft(row: GoalIndicator) -> IndicatorDraft:
    return IndicatorDraft(
        level1=row.level1,
        level2=row.level2,
        name=row.name,
        operator=row.operator or None,
        target=row.target or None,
        unit=row.unit,
        weight=float(row.weight) if row.weight is not None else None,
        core=row.core,
        library_code=row.template.code if row.template_id and row.template else None,
    )


def goal_draft(goal: Goal, rows: Iterable[GoalIndicator] | None = None) -> GoalDraft:
    """Returns the review input of a stored goal (its indicator rows in table order)."""
    rows = list(goal.indicators.select_related("template")) if rows is None else list(rows)
    project = goal.project
    return GoalDraft(
        category=category_code(goal),
        year=goal.year,
        style=goal.style,
        budget=float(project.budget_wan) if project.budget_wan else None,
        overall_goal=goal.overall_goal,
        indicators=tuple(indicator_draft(r) for r in rows),
        region_population=getattr(project.region, "population", None),
        weight_total=weight_total(goal),
    )


def review(
    goal: Goal, rows: Iterable[GoalIndicator] | None = None, library: LibraryView | None = None
) -> list[Finding]:
    """Returns the findings of the normative review of a stored goal against the database library."""
    return run_checks(goal_draft(goal, rows), library or db_library(goal.year))


def apply_findings(goal: Goal, findings: Sequence[Finding]) -> list[str]:
    """Puts the findings on the goal (not saved); returns the changed field names."""
    goal.findings = [f.to_dict() for f in findings]
    goal.error_count = sum(1 for f in findings if f.severity == ERROR)
    goal.warning_count = sum(1 for f in findings if f.severity == WARNING)
    goal.checked_at = timezone.now()
    return ["findings", "error_count", "warning_count", "checked_at"]


def recheck(goal: Goal, library: LibraryView | None = None) -> Goal:
    """Runs the review on a goal and stores its findings."""
    fields = apply_findings(goal, review(goal, library=library))
    goal.save(update_fields=[*fields, "updated_at"])
    return goal
