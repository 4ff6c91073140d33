"""What a 自评表 is prefilled from: the project's goal indicators (goals) and its payments (funds).

Both areas are looked up through the app registry, so self-evaluation works (indicators entered by hand, executed
amounts typed in) in an installation or a test database where either is absent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Sum

from jixiao.selfeval.profiles import ScoringProfile, default_weights


def _model(app_label: str, name: str) -> Any:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def goal_indicators(project_ids: Any, profile: ScoringProfile) -> dict[int, tuple[str, list[dict[str, Any]]]]:
    """Return, per project with a goal, its overall goal and its indicator rows as 自评表 rows.

    Weights missing on the goal are defaulted from the campaign's profile (as the engine would).
    """
    goal_indicator = _model("goals", "GoalIndicator")
    if goal_indicator is None:
        return {}
    found: dict[int, tuple[str, list[dict[str, Any]]]] = {}
    rows = (
        goal_indicator.objects.filter(goal__project_id__in=project_ids)
        .order_by("goal__project_id", "sort", "id")
        .values(
            "goal__project_id", "goal__overall_goal", "level1", "level2", "name", "operator", "target", "unit", "weight"
        )
    )
    for row in rows:
        overall, items = found.setdefault(row["goal__project_id"], (row["goal__overall_goal"] or "", []))
        items.append(
            {
                "level1": row["level1"],
                "level2": row["level2"],
                "name": row["name"],
                "operator": row["operator"] or "≥",
                "target": row["target"],
                "unit": row["unit"],
                "weight": row["weight"],
            }
        )
    for _, items in found.values():
        if all(item["weight"] is None for item in items):
            plan = default_weights(profile, [item["level1"] for item in items])
            for item, weight in zip(items, plan.weights, strict=True):
                item["weight"] = weight
    return found


def executed_amounts(project_ids: Any, year: int) -> dict[int, Decimal]:
    """Return the amount paid in the budget year per project (元), when the funds area records payments."""
    payment = _model("funds", "Payment")
    if payment is None:
        return {}
    paid = (
        payment.objects.filter(project_id__in=project_ids, paid_on__year=year)
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    return {row["project_id"]: row["total"] for row in paid}
