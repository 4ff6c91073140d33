"""Scoped reads of goals: the only way views, exports and the API fetch them."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jixiao.accounts.permissions import Perm
from jixiao.goals.models import Goal, GoalQuerySet
from jixiao.projects.models import Project
from jixiao.projects.selectors import get_project_for_user

GOAL_RELATED = ("project", "project__category", "project__subcategory", "project__region", "project__unit",
                "project__department")  # fmt: skip


def visible_goals(user: Any, perm: str = Perm.PROJECTS_VIEW) -> GoalQuerySet:
    return Goal.objects.visible_to(user, perm).select_related(*GOAL_RELATED)


def get_goal_for_user(user: Any, project_id: Any) -> Goal:
    """Returns the goal of a project the user may see; 404 when the project is out of scope or has no goal."""
    project = get_project_for_user(user, project_id)
    goal = Goal.objects.select_related(*GOAL_RELATED).filter(project=project).first()
    if goal is None:
        raise Http404("该项目尚未填报绩效目标。")
    return goal


def get_project_or_404(user: Any, project_id: Any) -> Project:
    return get_project_for_user(user, project_id)
