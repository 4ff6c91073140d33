"""Role-walk expectations for funds (资金下达与支付)."""

from __future__ import annotations

import base64

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.funds.models import PaymentHold
from jixiao.projects.models import Project
from tests.walk.roles import BUSINESS

# The `{project_id}` target is the project library's (tests/walk/projects.py): 新洲 仓埠 (420117-U2) under
# 420117-NYJ, managed by 农业农村处. Who sees it: everything-scope roles, its managing division, its district, its own unit.
SEE_PROJECT = frozenset({"perf_admin", "inspector", "agri_div", "xinzhou_fin", "unit_xinzhou"})
FUNDS_MANAGE = frozenset({"perf_admin", "agri_div", "xinzhou_fin", "jiangxia_fin"})
MANAGE_PROJECT = FUNDS_MANAGE & SEE_PROJECT

IMPORT_CSV = (
    "支付凭证号,支付日期,项目编码,资金来源,收款人,支付金额(元),是否支付到最终收款人\n"
    f"WALK-ZF-1,2021-05-01,{WALK_PROJECT_CODE},中央财政专项扶贫资金,仓埠街道新建村,1000.00,是\n"
)

# A second project of the same shape, kept for the goals walk (tests/walk/goals.py gives it a goal).
WALK_PROJECT = "WALK-FUNDS-1"

PAGES: dict = {
    "funds:overview": ("get", BUSINESS),
    "funds:export": ("get", BUSINESS),
    "funds:template": ("get", BUSINESS),
    "funds:import": ("get", FUNDS_MANAGE),
    "funds:project_detail": ("get", SEE_PROJECT),
    "funds:hold_release": ("post", MANAGE_PROJECT),
}

API_ROUTES: dict = {
    ("GET", "/api/v1/projects/{project_id}/allocations"): (SEE_PROJECT, None),
    ("POST", "/api/v1/projects/{project_id}/allocations"): (
        MANAGE_PROJECT,
        {
            "document_no": "WALK-DOC-1",
            "fund_name": "衔接资金",
            "source": "central",
            "level": "central",
            "amount": "5000.00",
            "allocated_on": "2021-03-01",
        },
    ),
    ("GET", "/api/v1/projects/{project_id}/payments"): (SEE_PROJECT, None),
    ("POST", "/api/v1/projects/{project_id}/payments"): (
        MANAGE_PROJECT,
        {"voucher_no": "WALK-ZF-2", "source": "central", "paid_on": "2021-04-01", "amount": "100.00", "payee": "某村"},
    ),
    ("POST", "/api/v1/funds/import"): (
        MANAGE_PROJECT,
        {"file_name": "支付.csv", "content_base64": base64.b64encode(IMPORT_CSV.encode()).decode()},
    ),
}


def targets(demo) -> dict:
    project = Project.objects.get(code=WALK_PROJECT_CODE)
    return {"hold": PaymentHold.objects.create(project=project, reason="巡检", source_label="巡检")}
