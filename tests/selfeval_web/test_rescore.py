"""Bulk re-scoring of a campaign stores what the one-by-one path stores; the dashboard is one scoped, exact pass."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from jixiao.selfeval.actions import rescore
from jixiao.selfeval.models import SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.rescore import EVALUATION_SCORE_FIELDS, INDICATOR_SCORE_FIELDS
from jixiao.selfeval.selectors import GRADES, campaign_dashboard, rate
from jixiao.selfeval.tasks import rescore_campaign
from tests.selfeval_web import factories as f

# level1, level2, name, operator, target, unit, weight, actual: fractional weights (stored as floats by SQLite),
# a not-applicable-free mix of operators, a thousands separator and a full-width number (the engine's own rule).
MIXED = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3,000", "亩", "16.67", "3200"),
    ("产出指标", "质量指标", "验收合格率", "=", "100%", "%", "16.67", "95"),
    ("产出指标", "成本指标", "亩均建设成本", "≤", "1500", "元", "16.66", "１６００"),
    ("效益指标", "社会效益指标", "带动就业人数", "≥", "40", "人", "30", "61"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "88.5"),
]
QUALITATIVE = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "50", "2700"),
    ("效益指标", "可持续影响指标", "工程设计使用年限", "定性", "长期发挥效益", "", "30", "基本达到"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "95"),
]


def _stored(evaluation: SelfEvaluation) -> tuple:
    evaluation.refresh_from_db()
    rows = evaluation.indicators.order_by("position")
    return (
        [getattr(evaluation, name) for name in EVALUATION_SCORE_FIELDS],
        [[getattr(row, name) for name in INDICATOR_SCORE_FIELDS] for row in rows],
    )


def _clear(camp) -> None:
    SelfEvaluation.objects.filter(campaign=camp).update(total=None, grade="", total_formula="", execution_formula="")
    SelfEvaluationIndicator.objects.filter(evaluation__campaign=camp).update(score=None, formula="", flags=[])


def _campaign(demo):
    camp = f.campaign()
    mixed = f.evaluation(camp, f.project(f.XINZHOU_U2), rows=MIXED, executed="800000", status="approved")
    tiers = f.evaluation(camp, f.project(f.XINZHOU_U1), rows=QUALITATIVE, annual="500000", executed="500000")
    SelfEvaluationIndicator.objects.filter(evaluation=tiers, position=2).update(tier="部分达成", share=Decimal("75"))
    blank = f.evaluation(camp, f.project(f.JIANGXIA), executed=None, status="dept_review")
    return camp, [mixed, tiers, blank]


def test_bulk_rescoring_stores_what_rescoring_one_by_one_stores(demo):
    camp, evaluations = _campaign(demo)
    for ev in evaluations:
        rescore(ev)
    expected = [_stored(ev) for ev in evaluations]
    _clear(camp)
    assert rescore_campaign(camp, chunk=2) == {"scored": 2, "refused": 1}
    assert [_stored(ev) for ev in evaluations] == expected
    mixed = expected[0]
    assert mixed[1][0][1] == "16.67 × min(3200 ÷ 3000, 1) = 16.67"
    assert mixed[1][2][1] == "16.66 × min(1500 ÷ 1600, 1) = 15.62"
    assert expected[1][1][1][1] == "定性:部分达成 30 × 75% = 22.50"
    assert expected[2][0][6] == "" and expected[2][0][7]  # refused: no grade, the engine's problems kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer thread is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bulk_rescoring_outside_a_transaction_writes_every_chunk(demo):
    camp, evaluations = _campaign(demo)
    for ev in evaluations:
        rescore(ev)
    expected = [_stored(ev) for ev in evaluations]
    _clear(camp)
    assert rescore_campaign(camp, chunk=1) == {"scored": 2, "refused": 1}
    assert [_stored(ev) for ev in evaluations] == expected


def _naive(user, camp) -> dict:
    """The dashboard's figures counted row by row in Python from the scoped queryset."""
    rows = list(SelfEvaluation.objects.visible_to(user).filter(campaign=camp))
    submitted = [r for r in rows if r.status != "draft"]
    paid = [r.budget_executed for r in rows if r.budget_executed is not None]
    grades = dict.fromkeys(GRADES, 0)
    for r in rows:
        if r.grade:
            grades[r.grade] += 1

    def groups(key: str) -> list[tuple]:
        ids = {getattr(r, key) for r in rows}
        return sorted(
            (i, sum(getattr(r, key) == i for r in rows), sum(getattr(r, key) == i for r in submitted)) for i in ids
        )

    return {
        "overall": (len(rows), len(submitted), sum(r.status == "approved" for r in rows)),
        "rates": (
            rate(len(submitted), len(rows)),
            rate(sum(paid) if paid else None, sum(r.budget_annual for r in rows)),
        ),
        "grades": grades,
        "by_department": groups("department_id"),
        "by_district": groups("district_id"),
    }


def _figures(user, camp) -> dict:
    data = campaign_dashboard(user, camp)
    overall = data["overall"]
    return {
        "overall": (overall["required"], overall["submitted"], overall["approved"]),
        "rates": (overall["form_rate"], overall["fund_rate"]),
        "grades": data["grades"],
        "by_department": sorted((r["department_id"], r["required"], r["submitted"]) for r in data["by_department"]),
        "by_district": sorted((r["district_id"], r["required"], r["submitted"]) for r in data["by_district"]),
    }


@pytest.mark.parametrize("username", ["perf_admin", "xinzhou_fin", "jiangxia_fin", "unit_xinzhou"])
def test_dashboard_equals_a_row_by_row_count_before_and_after_edits(demo, username):
    camp, (mixed, tiers, blank) = _campaign(demo)
    user = demo[username]
    assert _figures(user, camp) == _naive(user, camp)
    SelfEvaluation.objects.filter(pk=tiers.pk).update(status="finance_review", budget_executed=Decimal("100000"))
    rescore(SelfEvaluation.objects.get(pk=tiers.pk))  # executed 20 %: the grade drops
    SelfEvaluation.objects.filter(pk=blank.pk).update(budget_executed=Decimal("1"))
    rescore(SelfEvaluation.objects.get(pk=blank.pk))
    assert _figures(user, camp) == _naive(user, camp)


def test_dashboard_is_one_grouped_query_plus_names(demo, django_assert_num_queries):
    camp, _ = _campaign(demo)
    user = demo["perf_admin"]
    user.has_perm_code("projects.view")  # load the roles outside the count
    campaign_dashboard(user, camp)
    with django_assert_num_queries(3):  # groups, department names, district names
        campaign_dashboard(user, camp)
