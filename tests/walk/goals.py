"""Role-walk expectations for goals and the indicator library (see walk/foundation.py).

`{project_id}` is the project library's walk project: 新洲区 仓埠 (unit 420117-U2) under 区农业农村局
(420117-NYJ), managed by 农业农村处 (CZJ-NYC). Each test puts its goal in the status 已提交, so the unit may
(re)submit and edit, and the district's finance bureau (主管部门审核 over the district) may accept and review.
Only the rolled-back test sees that state.
"""

from __future__ import annotations

from types import SimpleNamespace

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.goals.letters import do_issue_review_letter
from jixiao.goals.models import Goal, GoalStatus
from jixiao.projects.models import Project
from tests.goals.factories import CLEAN_OVERALL, CLEAN_ROWS_101, make_goal
from tests.walk.roles import BUSINESS, PUBLIC

SEE_TARGET = frozenset({"perf_admin", "inspector", "xinzhou_fin", "unit_xinzhou", "agri_div"})
FILL_TARGET = frozenset({"unit_xinzhou"})  # goals.fill: the own unit (dept_agri's tree is the city bureau)
DEPT_REVIEW_TARGET = frozenset({"xinzhou_fin"})  # goals.review_dept over the district
FINANCE = frozenset({"perf_admin", "agri_div"})  # goals.review_finance
GOALS_FILL = frozenset({"dept_agri", "unit_xinzhou"})
REVIEWERS = frozenset({"perf_admin", "agri_div", "xinzhou_fin", "jiangxia_fin", "dept_agri"})
INDICATORS_MANAGE = frozenset({"perf_admin"})

PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "goals:goal_list": ("get", BUSINESS),
    "goals:batch_export": ("get", BUSINESS),
    "goals:goal_import": ("get", GOALS_FILL),
    "goals:batch_review": ("post", REVIEWERS),
    "goals:goal_create": ("post", FILL_TARGET),
    "goals:goal_detail": ("get", SEE_TARGET),
    "goals:goal_text": ("post", FILL_TARGET),
    "goals:goal_indicator_add": ("post", FILL_TARGET),
    "goals:goal_submit": ("post", FILL_TARGET),
    "goals:goal_accept": ("post", DEPT_REVIEW_TARGET),
    "goals:goal_review": ("get", DEPT_REVIEW_TARGET),
    "goals:goal_adjust": ("post", FILL_TARGET),
    "goals:goal_export": ("get", SEE_TARGET),
    "goals:indicator_edit": ("post", FILL_TARGET),
    "goals:indicator_delete": ("post", FILL_TARGET),
    "goals:letter_list": ("get", FINANCE),
    "goals:letter_create": ("post", FINANCE),
    "goals:letter_download": ("get", FINANCE),
    "goals:public_year": ("get", PUBLIC),
    "indicators:template_list": ("get", BUSINESS),
    "indicators:template_create": ("get", INDICATORS_MANAGE),
    "indicators:template_export": ("get", BUSINESS),
    "indicators:template_import": ("get", INDICATORS_MANAGE),
    "indicators:template_edit": ("get", INDICATORS_MANAGE),
}

GOAL_BODY = {"overall_goal": CLEAN_OVERALL, "indicators": CLEAN_ROWS_101}
CHECK_BODY = {"category": "X21-CYFZ", "year": 2026, "budget": 100, "overall_goal": "", "indicators": []}

API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    ("GET", "/api/v1/projects/{project_id}/goal"): (SEE_TARGET, None),
    ("PUT", "/api/v1/projects/{project_id}/goal"): (FILL_TARGET, GOAL_BODY),
    ("POST", "/api/v1/projects/{project_id}/goal/submit"): (FILL_TARGET, None),
    ("POST", "/api/v1/projects/{project_id}/goal/review"): (
        DEPT_REVIEW_TARGET,
        {"decision": "approve", "grade": "优", "opinion": "同意"},
    ),
    ("POST", "/api/v1/goals/check"): (BUSINESS, CHECK_BODY),
}


def targets(demo) -> dict:
    from jixiao.indicators.models import IndicatorTemplate

    project = Project.objects.get(code=WALK_PROJECT_CODE)
    goal = Goal.objects.filter(project=project).first() or make_goal(project, rows=CLEAN_ROWS_101)
    Goal.objects.filter(pk=goal.pk).update(status=GoalStatus.SUBMITTED, locked=False, grade="良")
    goal.refresh_from_db()
    letter = do_issue_review_letter(project.department, [goal], acting_user=None)
    return {
        "goal": goal,
        "indicator": goal.indicators.first(),
        "letter": letter,
        "year": SimpleNamespace(pk=project.year),
        "template": IndicatorTemplate.objects.first(),
    }
