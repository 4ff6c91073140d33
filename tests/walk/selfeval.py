"""Role-walk expectations for self-evaluation.

The target is a 自评表 (draft, complete, nothing to explain) of the project library's walk target
XJ2021-420117-0001: 新洲区 仓埠 (unit 420117-U2) under 420117-NYJ, managed by 农业农村处, evaluated by the third party.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.demo.projects import WALK_PROJECT_CODE
from jixiao.projects.models import Project
from jixiao.selfeval.actions import rescore
from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, SelfEvaluationIndicator
from tests.walk import projects as projects_walk
from tests.walk.roles import ALL, BUSINESS

# Reading a 自评表 is reading its project (projects.view scope): the same users as the project library's walk.
SEE_TARGET = projects_walk.SEE_TARGET
FILL_TARGET = frozenset({"unit_xinzhou"})  # dept_agri fills too, but for the city 农业农村局's tree only
# Opinions: the district finance bureau (department stage) and finance (perf_admin everywhere, agri_div its division).
COMMENT_TARGET = frozenset({"xinzhou_fin", "perf_admin", "agri_div"})
MANAGE = frozenset({"perf_admin"})

PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "selfeval:campaign_list": ("get", BUSINESS),
    "selfeval:campaign_create": ("get", MANAGE),
    "selfeval:campaign_detail": ("get", SEE_TARGET),
    "selfeval:campaign_export": ("get", SEE_TARGET),
    "selfeval:campaign_template": ("get", FILL_TARGET),
    "selfeval:campaign_import": ("get", FILL_TARGET),
    "selfeval:campaign_results": ("get", MANAGE),
    "selfeval:campaign_apply_results": ("post", MANAGE),
    "selfeval:campaign_results_export": ("get", MANAGE),
    "selfeval:campaign_close": ("post", MANAGE),
    "selfeval:evaluation_detail": ("get", SEE_TARGET),
    "selfeval:evaluation_edit": ("get", FILL_TARGET),
    "selfeval:evaluation_row": ("post", FILL_TARGET),
    "selfeval:evaluation_funds": ("post", FILL_TARGET),
    "selfeval:evaluation_import": ("get", FILL_TARGET),
    "selfeval:evaluation_submit": ("post", FILL_TARGET),
    "selfeval:evaluation_review": ("post", COMMENT_TARGET),
    "selfeval:evaluation_export": ("get", SEE_TARGET),
    # Scoring profiles are rules, not scoped data: every business user reads them; only 预算绩效管理处 manages them.
    "selfeval:profile_list": ("get", BUSINESS),
    "selfeval:profile_detail": ("get", BUSINESS),
    "selfeval:profile_create": ("get", MANAGE),
    "selfeval:profile_edit": ("get", MANAGE),
}

PREVIEW_BODY = {
    "profile": "central-2020",
    "budget": {"annual": 1000000, "executed": 950000},
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "新增灌溉面积",
            "operator": "≥",
            "target": 3000,
            "actual": 3200,
            "unit": "亩",
            "weight": 50,
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "受益脱贫人口数",
            "operator": "≥",
            "target": 500,
            "actual": 480,
            "unit": "人",
            "weight": 30,
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "受益群众满意度",
            "operator": "≥",
            "target": 90,
            "actual": 95,
            "unit": "%",
            "weight": 10,
        },
    ],
}
WALK_PROFILE = "walk-custom"
CUSTOM_PROFILE = {
    "name": "巡检自定义评分方案",
    "execution_weight": 15,
    "indicator_total": 85,
    "allocations": [{"name": "产出", "weight": 45}, {"name": "效益", "weight": 30}, {"name": "满意度", "weight": 10}],
}
NEW_CAMPAIGN = {"year": 2021, "name": "巡检新建自评任务", "deadline": "2022-03-31", "department_code": "420117-NYJ"}
EVALUATION = "/api/v1/projects/{project_id}/self-evaluations/{campaign_id}"

API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    # The preview is stateless and reads no scoped data: every signed-in user may call it.
    ("POST", "/api/v1/scoring/preview"): (ALL, PREVIEW_BODY),
    ("GET", "/api/v1/selfeval/campaigns"): (BUSINESS, None),
    ("POST", "/api/v1/selfeval/campaigns"): (MANAGE, NEW_CAMPAIGN),
    ("GET", "/api/v1/selfeval/campaigns/{campaign_id}/dashboard"): (SEE_TARGET, None),
    ("GET", EVALUATION): (SEE_TARGET, None),
    ("PUT", EVALUATION): (FILL_TARGET, {"overall_actual": "新增灌溉面积 3200 亩,受益群众满意度 95%。"}),
    ("GET", "/api/v1/scoring/profiles"): (BUSINESS, None),
    ("GET", "/api/v1/scoring/profiles/{code}"): (BUSINESS, None),
    ("POST", "/api/v1/scoring/profiles"): (MANAGE, {**CUSTOM_PROFILE, "code": "walk-new"}),
    ("PUT", "/api/v1/scoring/profiles/{code}"): (MANAGE, CUSTOM_PROFILE),
    ("POST", EVALUATION + "/submit"): (FILL_TARGET, None),
    ("POST", EVALUATION + "/review"): (COMMENT_TARGET, {"decision": "opinion", "opinion": "请补充验收佐证材料。"}),
}

ROWS = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "50", "3200"),
    ("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "500", "人", "30", "520"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "95"),
]


def targets(demo) -> dict:
    project = Project.objects.select_related("region", "department").get(code=WALK_PROJECT_CODE)
    campaign = Campaign.objects.create(
        year=2021,
        name="巡检自评任务",
        deadline=dt.date(2022, 3, 31),
        profile=ScoringProfileRecord.objects.get(code="central-2020"),
    )
    evaluation = SelfEvaluation.objects.create(
        campaign=campaign,
        project=project,
        department=project.department,
        budget_initial=Decimal(1000000),
        budget_annual=Decimal(1000000),
        budget_executed=Decimal(950000),
        fiscal_initial=Decimal(1000000),
        fiscal_annual=Decimal(1000000),
        fiscal_executed=Decimal(950000),
        overall_target="新建灌溉渠道,带动脱贫户增收。",
        overall_actual="已完成。",
    )
    SelfEvaluationIndicator.objects.bulk_create(
        SelfEvaluationIndicator(
            evaluation=evaluation,
            position=i,
            level1=a,
            level2=b,
            name=n,
            operator=o,
            target=t,
            unit=u,
            weight=Decimal(w),
            actual=x,
        )  # fmt: skip
        for i, (a, b, n, o, t, u, w, x) in enumerate(ROWS, start=1)
    )
    rescore(evaluation)
    profile = ScoringProfileRecord.objects.create(
        code=WALK_PROFILE, name="巡检自定义评分方案", data={**CUSTOM_PROFILE, "code": WALK_PROFILE}
    )
    # `code` fills the {code} of the profile routes (an unused custom profile, so PUT may change it).
    return {
        "campaign": campaign,
        "evaluation": evaluation,
        "project": project,
        "profile": profile,
        "code": WALK_PROFILE,
    }
