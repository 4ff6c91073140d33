"""Scoped reads of projects: the only way views, exports and the API fetch one."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.projects.models import Project


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
