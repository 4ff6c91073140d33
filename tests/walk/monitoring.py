"""Role-walk expectations for monitoring (运行监控): rounds are open to every business role, 监控表 follow the
project's scope; units fill, finance (预算绩效管理处, 资金管理处室) reviews and disposes."""

from __future__ import annotations

import datetime as dt

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.monitoring.models import MonitoringReport, MonitoringRound
from jixiao.projects.models import Project
from tests.walk.funds import SEE_PROJECT
from tests.walk.roles import BUSINESS

MANAGE = frozenset({"perf_admin", "agri_div"})
FILL_PROJECT = frozenset({"unit_xinzhou"})

PAGES: dict = {
    "monitoring:round_list": ("get", BUSINESS),
    "monitoring:round_create": ("get", MANAGE),
    "monitoring:round_detail": ("get", BUSINESS),
    "monitoring:round_export": ("get", BUSINESS),
    "monitoring:report_detail": ("get", SEE_PROJECT),
    "monitoring:report_export": ("get", SEE_PROJECT),
    "monitoring:report_edit": ("get", FILL_PROJECT),
    "monitoring:report_submit": ("post", FILL_PROJECT),
    "monitoring:report_review": ("post", MANAGE),
    "monitoring:report_hold": ("post", MANAGE),
    "monitoring:report_adjust": ("post", MANAGE),
}

API_ROUTES: dict = {
    ("GET", "/api/v1/monitoring/rounds"): (BUSINESS, None),
    ("POST", "/api/v1/monitoring/rounds"): (
        MANAGE,
        {"name": "巡检批次", "year": 2099, "cutoff_month": 6, "deadline": "2099-07-15"},
    ),
    ("GET", "/api/v1/projects/{project_id}/monitoring/{round_id}"): (SEE_PROJECT, None),
    ("PUT", "/api/v1/projects/{project_id}/monitoring/{round_id}"): (
        FILL_PROJECT,
        {"expected_annual": "900000.00"},
    ),
}


def targets(demo) -> dict:
    project = Project.objects.get(code=WALK_PROJECT_CODE)
    monitoring_round, _ = MonitoringRound.objects.get_or_create(
        name="WALK-ROUND", defaults={"year": 2021, "cutoff_month": 6, "deadline": dt.date(2021, 7, 15)}
    )
    report, _ = MonitoringReport.objects.get_or_create(
        round=monitoring_round, project=project, defaults={"annual_budget": 1000000, "executed": 200000}
    )
    return {"round": monitoring_round, "report": report}
