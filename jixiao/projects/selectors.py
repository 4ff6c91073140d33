"""Scoped reads of projects: the only way views, exports and the API fetch them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.orgs.models import Region
from jixiao.projects.models import Project, ProjectStatus

SORTS = {
    "code": "code",
    "name": "name",
    "year": "year",
    "status": "status",
    "budget": "budget_wan",
    "unit": "unit__code",
    "region": "region__code",
    "start": "planned_start",
}


def get_project_for_user(user: Any, pk: Any, *, write: bool = False) -> Project:
    return get_scoped_for_user(
        lambda u, p: Project.objects.visible_to(u, p).select_related(
            "category", "subcategory", "region", "unit", "department", "division", "evaluator"
        ),
        user,
        pk,
        read_perm=Perm.PROJECTS_VIEW,
        write_perm=Perm.PROJECTS_EDIT,
        write=write,
    )


def filter_projects(
    queryset: QuerySet[Project],
    *,
    year: Any = None,
    status: str | None = None,
    category: str | None = None,
    district: str | None = None,
    unit: str | None = None,
    q: str | None = None,
) -> QuerySet[Project]:
    """Narrow a (scoped) project queryset by the list filters; unknown or blank values are ignored."""
    if year and str(year).isdigit():
        queryset = queryset.filter(year=int(year))
    if status in ProjectStatus.values:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(Q(category__code=category) | Q(subcategory__code=category))
    if district and district.isdigit():
        # A subquery over the small region table lets the database use the project's region index.
        queryset = queryset.filter(region__in=Region.objects.filter(path__contains=f"/{district}/").values("pk"))
    if unit:
        queryset = queryset.filter(Q(unit__code=unit) | Q(department__code=unit))
    if q and q.strip():
        queryset = queryset.filter(Q(name__contains=q.strip()) | Q(code__icontains=q.strip()))
    return queryset


def goal_of(project: Project) -> Any:
    """Return the project's performance goal, or None (also while the goals app has no Goal model)."""
    try:
        return project.goal  # type: ignore[attr-defined]
    except (AttributeError, ObjectDoesNotExist):
        return None


def goal_url(project: Project, goal: Any) -> str | None:
    """Return the goal's page, or the page to set one, when the goals app offers them."""
    try:
        if goal is not None:
            return reverse("goals:goal_detail", args=[goal.pk])
        return reverse("goals:goal_create", kwargs={"project_id": project.pk})
    except NoReverseMatch:
        return None
