"""Batch normative review: inline for a district, queued to huey when large (immediate mode in tests)."""

from __future__ import annotations

import pytest

from jixiao.goals import tasks
from jixiao.goals.models import Goal
from tests.goals.factories import CLEAN_ROWS, make_goal, make_project

pytestmark = pytest.mark.django_db


def test_batch_review_page_rechecks_the_district(login, demo):
    goal = make_goal(make_project("T-B-1"))
    Goal.objects.filter(pk=goal.pk).update(findings=[], error_count=0, overall_goal="")
    response = login("xinzhou_fin").post("/goals/batch-review/?district=420117")
    assert response.status_code == 302
    goal.refresh_from_db()
    assert [f["code"] for f in goal.findings] == ["G01"] and goal.error_count == 1


def test_large_batch_goes_to_huey(settings, demo, monkeypatch):
    goal = make_goal(make_project("T-B-2"), rows=[r for r in CLEAN_ROWS if r["level2"] != "数量"])
    Goal.objects.filter(pk=goal.pk).update(findings=[], error_count=0)
    monkeypatch.setattr(tasks, "INLINE_LIMIT", 0)
    settings.HUEY = {**settings.HUEY, "immediate": False}
    queued = []
    monkeypatch.setattr(tasks, "review_goals_task", lambda ids: queued.append(ids))
    assert tasks.start_batch_review([goal.pk]) == (True, None)
    assert queued == [[goal.pk]]
    assert tasks.review_goals(queued[0]) == {"goals": 1, "errors": 1}
    goal.refresh_from_db()
    assert "G03" in [f["code"] for f in goal.findings]


def test_demo_goals_open_the_gate_for_library_projects(demo):
    from jixiao.projects.models import Project, ProjectStatus

    in_library = Project.objects.exclude(status=ProjectStatus.RESERVE).exclude(code__startswith="T-")
    assert in_library.exists()
    assert not in_library.exclude(goal__status="approved").exists()
    codes = {f["code"] for g in Goal.objects.exclude(status="approved") for f in g.findings}
    assert {"G04", "G10"} & codes
