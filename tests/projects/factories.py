"""Projects and goals for the project-library tests, built visibly through the actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.orgs.models import Region, Unit
from jixiao.projects.actions import do_create_project
from jixiao.projects.models import Category, Project


def xinzhou_values(**overrides: Any) -> dict[str, Any]:
    """Field values of a 2021 新洲 project of 仓埠 (420117-U2) under 420117-NYJ, managed by 农业农村处."""
    values: dict[str, Any] = {
        "name": "仓埠新建村产业路项目",
        "year": 2021,
        "category": Category.objects.get(code="X21-XCJS"),
        "subcategory": Category.objects.get(code="X21-XCJS-JCSS"),
        "region": Region.objects.get(code="420117101201"),
        "unit": Unit.objects.get(code="420117-U2"),
        "department": Unit.objects.get(code="420117-NYJ"),
        "division": Unit.objects.get(code="CZJ-NYC"),
        "households": 120,
        "persons": 400,
        "poverty_persons": 60,
        "monitored_persons": 5,
    }
    values.update(overrides)
    return values


def jiangxia_values(**overrides: Any) -> dict[str, Any]:
    return xinzhou_values(
        region=Region.objects.get(code="420115100201"),
        unit=Unit.objects.get(code="420115-U1"),
        department=Unit.objects.get(code="420115-NYJ"),
        division=None,
        **overrides,
    )


def make_project(**overrides: Any) -> Project:
    """A reserve (储备) project created by the console operator with one 衔接资金 line of 80 万元."""
    return do_create_project(acting_user=None, changes=xinzhou_values(**overrides), funds=[("xianjie", Decimal("80"))])


def approve_goal(project: Project) -> Any:
    """Give the project an approved performance goal (the goals app's model, written directly)."""
    from jixiao.goals.models import Goal

    return Goal.objects.create(project=project, year=project.year, style="101", status="approved")
