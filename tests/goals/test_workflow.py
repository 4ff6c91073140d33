"""Goal workflow: submission, the two review steps with scope, grades, locking and adjustment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.goals import actions
from jixiao.goals.models import GoalStatus
from tests.goals.factories import CLEAN_ROWS, make_goal, make_project

pytestmark = pytest.mark.django_db


def test_clean_goal_goes_through_both_reviews_and_is_locked(demo):
    goal = make_goal(make_project(department="420117-NYJ"))
    actions.do_submit_goal(goal, acting_user=demo["unit_xinzhou"])
    assert goal.status == GoalStatus.SUBMITTED and goal.review_step() == "dept"
    actions.do_review_goal(goal, decision="approve", grade="良", opinion="协商后同意", acting_user=demo["xinzhou_fin"])
    assert goal.status == GoalStatus.FINANCE_REVIEW
    actions.do_review_goal(goal, decision="approve", grade="优", acting_user=demo["perf_admin"])
    assert goal.status == GoalStatus.APPROVED and goal.locked
    kinds = [(e.kind, e.from_status, e.to_status, e.actor.username if e.actor else None) for e in goal.events.all()]
    assert kinds[1:] == [
        ("submit", "draft", "submitted", "unit_xinzhou"),
        ("approve", "submitted", "finance_review", "xinzhou_fin"),
        ("approve", "finance_review", "approved", "perf_admin"),
    ]
    with pytest.raises(actions.GoalConflict):
        actions.do_add_indicator(goal, data={"name": "新指标"}, acting_user=demo["unit_xinzhou"])


def test_error_findings_block_submission(demo):
    goal = make_goal(rows=[r for r in CLEAN_ROWS if r["level1"] != "满意度"])
    assert "G02" in [f["code"] for f in goal.findings]
    with pytest.raises(ValidationError):
        actions.do_submit_goal(goal, acting_user=demo["unit_xinzhou"])
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


def test_department_review_only_within_scope(demo):
    goal = make_goal(status=GoalStatus.SUBMITTED)  # 新洲 project
    with pytest.raises(PermissionDenied):
        actions.do_review_goal(goal, decision="approve", grade="优", acting_user=demo["jiangxia_fin"])
    with pytest.raises(PermissionDenied):  # finance may not take the department's step
        actions.do_review_goal(goal, decision="approve", grade="优", acting_user=demo["perf_admin"])
    with pytest.raises(PermissionDenied):  # 江夏 cannot fill a 新洲 goal either
        actions.do_add_indicator(goal, data={"name": "x"}, acting_user=demo["jiangxia_fin"])


def test_return_carries_opinions_per_indicator(demo):
    goal = make_goal(status=GoalStatus.SUBMITTED)
    first = goal.indicators.first()
    actions.do_review_goal(goal, decision="return", opinion="请细化", indicator_opinions={first.pk: "目标偏低"},
                           acting_user=demo["xinzhou_fin"])  # fmt: skip
    first.refresh_from_db()
    assert goal.status == GoalStatus.RETURNED and first.review_opinion == "目标偏低"
    assert goal.events.last().indicator_opinions == {str(first.pk): "目标偏低"}


@pytest.mark.parametrize(("grade", "status"), [("中", GoalStatus.RETURNED), ("差", GoalStatus.REJECTED)])
def test_grades_fair_and_poor_have_their_88_consequences(demo, grade, status):
    goal = make_goal(status=GoalStatus.FINANCE_REVIEW)
    actions.do_review_goal(goal, decision="approve", grade=grade, opinion="x", acting_user=demo["perf_admin"])
    assert goal.status == status and not goal.locked


def test_adjustment_reenters_review(demo):
    goal = make_goal(status=GoalStatus.APPROVED)
    with pytest.raises(ValidationError):
        actions.do_start_goal_adjustment(goal, reason=" ", acting_user=demo["unit_xinzhou"])
    actions.do_start_goal_adjustment(goal, reason="建设规模调整", acting_user=demo["unit_xinzhou"])
    assert (goal.status, goal.locked, goal.version) == (GoalStatus.DRAFT, False, 2)
    actions.do_submit_goal(goal, acting_user=demo["unit_xinzhou"])
    assert goal.status == GoalStatus.SUBMITTED
    assert goal.events.filter(kind="adjust", opinion="建设规模调整").exists()


def test_reviewing_a_draft_is_a_conflict(demo):
    goal = make_goal()
    with pytest.raises(actions.GoalConflict):
        actions.do_review_goal(goal, decision="approve", grade="优", acting_user=demo["perf_admin"])
