"""Role-walk expectations for self-evaluation."""

from __future__ import annotations

from tests.walk.roles import ALL

PAGES: dict = {}

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

# The preview is stateless and reads no scoped data: every signed-in user may call it.
API_ROUTES: dict = {("POST", "/api/v1/scoring/preview"): (ALL, PREVIEW_BODY)}


def targets(demo) -> dict:
    return {}
