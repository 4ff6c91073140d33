"""Role-walk expectations for monitoring (运行监控): rounds are open to every business role, 监控表 follow the
project's scope; units fill, the district's finance bureau takes the 主管部门 step over the district, finance
(预算绩效管理处, 资金管理处室) takes the 财政 step and disposes of red reports.

The target 监控表 is the walk project's (新洲 仓埠, 420117-U2 under 420117-NYJ, managed by 农业农村处) in the round
WALK-ROUND, put in status 待主管部门审核 with a red warning (20 % executed at 1–6月) and payments held in every test,
so the unit may (re)submit and edit (which withdraws it), xinzhou_fin may review it and the finance managers may
hold payments (holding again while held is a no-op), release the hold (releasing again is a no-op) and request an
adjustment. WALK-ROUND is open with its deadline ahead and holds only that 监控表, so both managers (agri_div's
scope covers the project) may close it (closing again is a no-op) and extend it. Only the rolled-back test sees
that state.
"""

from __future__ import annotations

import datetime as dt

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.funds.models import PaymentHold
from jixiao.monitoring.actions import refresh_warning
from jixiao.monitoring.models import MonitoringLine, MonitoringReport, MonitoringRound, ReportStatus, RoundStatus
from jixiao.projects.models import Project
from tests.walk.funds import SEE_PROJECT
from tests.walk.roles import BUSINESS

MANAGE = frozenset({"perf_admin", "agri_div"})
FILL_PROJECT = frozenset({"unit_xinzhou"})
DEPT_REVIEW_PROJECT = frozenset({"xinzhou_fin"})  # monitoring.review_dept over the district

PAGES: dict = {
    "monitoring:round_list": ("get", BUSINESS),
    "monitoring:round_create": ("get", MANAGE),
    "monitoring:round_detail": ("get", BUSINESS),
    "monitoring:round_export": ("get", BUSINESS),
    "monitoring:round_close": ("get", MANAGE),
    "monitoring:round_extend": ("post", MANAGE),
    "monitoring:report_detail": ("get", SEE_PROJECT),
    "monitoring:report_export": ("get", SEE_PROJECT),
    "monitoring:report_edit": ("get", FILL_PROJECT),
    "monitoring:report_submit": ("post", FILL_PROJECT),
    "monitoring:report_review": ("post", DEPT_REVIEW_PROJECT),
    "monitoring:report_hold": ("post", MANAGE),
    "monitoring:report_release_hold": ("post", MANAGE),
    "monitoring:report_adjust": ("post", MANAGE),
}

REPORT = "/api/v1/projects/{project_id}/monitoring/{round_id}"

API_ROUTES: dict = {
    ("GET", "/api/v1/monitoring/rounds"): (BUSINESS, None),
    ("POST", "/api/v1/monitoring/rounds"): (
        MANAGE,
        {"name": "巡检批次", "year": 2099, "cutoff_month": 6, "deadline": "2099-07-15"},
    ),
    ("GET", "/api/v1/monitoring/rounds/{round_id}"): (BUSINESS, None),
    ("GET", "/api/v1/monitoring/rounds/{round_id}/reports"): (BUSINESS, None),
    ("POST", "/api/v1/monitoring/rounds/{round_id}/close"): (MANAGE, {"opinion": "巡检结束"}),
    ("POST", "/api/v1/monitoring/rounds/{round_id}/extend"): (MANAGE, {"deadline": "2099-12-31", "reason": "巡检延期"}),
    ("GET", REPORT): (SEE_PROJECT, None),
    ("PUT", REPORT): (FILL_PROJECT, {"expected_annual": "900000.00"}),
    ("POST", REPORT + "/submit"): (FILL_PROJECT, None),
    ("POST", REPORT + "/review"): (DEPT_REVIEW_PROJECT, {"decision": "approve", "opinion": "同意"}),
    ("POST", REPORT + "/hold"): (MANAGE, {"reason": "巡检暂缓拨款"}),
    ("POST", REPORT + "/release-hold"): (MANAGE, {"opinion": "巡检解除暂缓拨款"}),
    ("POST", REPORT + "/adjustment"): (MANAGE, {"reason": "巡检调整"}),
}


def targets(demo) -> dict:
    project = Project.objects.get(code=WALK_PROJECT_CODE)
    monitoring_round, _ = MonitoringRound.objects.get_or_create(
        name="WALK-ROUND", defaults={"year": 2021, "cutoff_month": 6, "deadline": dt.date(2021, 7, 15)}
    )
    MonitoringRound.objects.filter(pk=monitoring_round.pk).update(
        status=RoundStatus.OPEN, closed_at=None, deadline=dt.date.today() + dt.timedelta(days=30)
    )
    monitoring_round.refresh_from_db()
    report, _ = MonitoringReport.objects.get_or_create(
        round=monitoring_round, project=project, defaults={"annual_budget": 1000000, "executed": 200000}
    )
    MonitoringLine.objects.get_or_create(
        report=report, name="新增灌溉面积", defaults={"target": "3000", "unit": "亩", "likelihood": "sure"}
    )
    PaymentHold.objects.create(project=project, reason="巡检暂缓拨款", source_label=monitoring_round.name)
    MonitoringReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, expected_annual=1000000, payment_held=True
    )
    report.refresh_from_db()
    refresh_warning(report)
    return {"round": monitoring_round, "report": report}
