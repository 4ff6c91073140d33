"""Role-walk expectations for the project library (see walk/foundation.py).

The target is the demo project XJ2021-420117-0001: 新洲区 仓埠 (unit 420117-U2) under 区农业农村局 (420117-NYJ),
managed by 农业农村处 (CZJ-NYC), no evaluator, status in_progress. tests/walk/funds.py's project has the same unit,
department, division and status, so these expectations hold whichever of the two fills `{project_id}`.
"""

from __future__ import annotations

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.projects.models import Project
from tests.walk.roles import BUSINESS

PROJECTS_VIEW = BUSINESS
PROJECTS_EDIT = frozenset({"perf_admin", "xinzhou_fin", "jiangxia_fin", "dept_agri", "unit_xinzhou"})
# Reads: everything (perf_admin, inspector), the district (xinzhou_fin), the own unit (unit_xinzhou), the managing
# division (agri_div); not 江夏, not the city 农业农村局 tree, not the third party (not assigned), not admins.
SEE_TARGET = frozenset({"perf_admin", "inspector", "xinzhou_fin", "unit_xinzhou", "agri_div"})
EDIT_TARGET = frozenset({"perf_admin", "xinzhou_fin", "unit_xinzhou"})
# In progress → completed is the unit's report (projects.edit); → terminated is finance's (projects.manage).
MOVE_TARGET = EDIT_TARGET | {"agri_div"}

PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "projects:project_list": ("get", PROJECTS_VIEW),
    "projects:project_create": ("get", PROJECTS_EDIT),
    "projects:project_export": ("get", PROJECTS_VIEW),
    "projects:project_import": ("get", PROJECTS_EDIT),
    "projects:project_detail": ("get", SEE_TARGET),
    "projects:project_edit": ("get", EDIT_TARGET),
    "projects:project_transition": ("post", MOVE_TARGET),
    "projects:project_request_budget": ("post", EDIT_TARGET),
}

NEW_PROJECT = {
    "name": "角色巡检新增项目",
    "year": 2021,
    "category_code": "X21-XCJS",
    "subcategory_code": "X21-XCJS-JCSS",
    "region_code": "420117101201",
    "unit_code": "420117-U2",
    "department_code": "420117-NYJ",
    "funds": [{"source": "xianjie", "amount_wan": "50"}],
}

API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    ("GET", "/api/v1/projects"): (PROJECTS_VIEW, None),
    ("POST", "/api/v1/projects"): (EDIT_TARGET, NEW_PROJECT),
    ("GET", "/api/v1/projects/{project_id}"): (SEE_TARGET, None),
    ("PATCH", "/api/v1/projects/{project_id}"): (EDIT_TARGET, {"description": "角色巡检修改建设内容"}),
    ("POST", "/api/v1/projects/{project_id}/transitions"): (EDIT_TARGET, {"to": "completed"}),
}


def targets(demo) -> dict:
    return {"project": Project.objects.get(code=WALK_PROJECT_CODE)}
