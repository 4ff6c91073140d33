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
    return profile_weight_total(goal.profile)


def profile_weight_total(profile: str) -> float:
    return float(get_profile(profile).indicator_total)


def suggested_weights(goal: Goal, level1s: Sequence[str]) -> list[Decimal]:
    """Returns the profile's default weights for indicators with these 一级指标, in order."""
    return profile_weights(goal.profile, level1s)


def profile_weights(profile: str, level1s: Sequence[str]) -> list[Decimal]:
    return list(default_weights(get_profile(profile), level1s).weights)


def category_code(goal: Goal) -> str:
    project = goal.project
    category = project.subcategory or project.category
    return category.code


def indicator_draft(row: GoalIndicator) -> IndicatorDraft:
    template = row.template if row.template_id else None
    return indicator_draft_of(row.level1, row.level2, row.name, row.operator, row.target, row.unit, row.weight,
                              row.core, template.code if template else None)  # fmt: skip


def indicator_draft_of(
    level1: str, level2: str, name: str, operator: str, target: str, unit: str, weight: Decimal | None, core: bool,
    library_code: str | None,
) -> IndicatorDraft:  # fmt: skip
    """Returns the review input of an indicator row from its stored field values (imports pass them unsaved)."""
    return IndicatorDraft(
        level1=level1,
        level2=level2,
        name=name,
        operator=operator or None,
        target=target or None,
        unit=unit,
        weight=float(weight) if weight is not None else None,
        core=core,
        library_code=library_code,
    )


def goal_draft(goal: Goal, rows: Iterable[GoalIndicator] | None = None) -> GoalDraft:
    """Returns the review input of a stored goal (its indicator rows in table order)."""
    rows = list(goal.indicators.select_related("template")) if rows is None else list(rows)
    project = goal.project
    return goal_draft_of(
        category=category_code(goal),
        year=goal.year,
        style=goal.style,
        budget_wan=project.budget_wan,
        overall_goal=goal.overall_goal,
        indicators=tuple(indicator_draft(r) for r in rows),
        region_population=getattr(project.region, "population", None),
        profile=goal.profile,
    )


def goal_draft_of(
    *, category: str, year: int, style: str, budget_wan: Decimal | None, overall_goal: str,
    indicators: tuple[IndicatorDraft, ...], region_population: int | None, profile: str,
) -> GoalDraft:  # fmt: skip
    """Returns the review input of a goal from plain values (the goal's, its project's and its rows')."""
    return GoalDraft(
        category=category,
        year=year,
        style=style,
        budget=float(budget_wan) if budget_wan else None,
        overall_goal=overall_goal,
        indicators=indicators,
        region_population=region_population,
        weight_total=profile_weight_total(profile),
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
