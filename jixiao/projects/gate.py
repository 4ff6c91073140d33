"""The project-library gate (国办发〔2018〕35号): no approved performance goal, no library entry and no budget."""

from __future__ import annotations

from typing import Any

from django.apps import apps

GOAL_APPROVED = "approved"
GATE_CODE = "goal_not_approved"
GATE_MESSAGE = "根据国办发〔2018〕35号,未设定并批复绩效目标的项目不得纳入项目库,不得申请预算。"


def has_approved_goal(project: Any) -> bool:
    """Return whether the project has a performance goal in the approved status."""
    try:
        goal_model = apps.get_model("goals", "Goal")
    except LookupError:  # the goals app has no Goal model yet: nothing can be approved
        return False
    return goal_model.objects.filter(project=project, status=GOAL_APPROVED).exists()
