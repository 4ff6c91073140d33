"""Campaign dashboard rates on a hand-built campaign, and results application by grade."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from python_calamine import CalamineWorkbook

from jixiao.selfeval.models import Consequence, ResultApplication, SelfEvaluation
from jixiao.selfeval.results import consequence_for, do_apply_results, poor_grade_projects
from jixiao.selfeval.selectors import campaign_dashboard
from tests.selfeval_web import factories as f

POOR = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "50", "600"),
    ("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "500", "人", "30", "100"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "50"),
]


def _campaign(demo):
    camp = f.campaign(cut_share=Decimal("15"))
    a = f.evaluation(camp, f.project(f.XINZHOU_U2), annual="1000000", executed="950000", status="approved")
    b = f.evaluation(camp, f.project(f.XINZHOU_U1), annual="500000", executed="100000", rows=POOR, status="approved")
    c = f.evaluation(camp, f.project(f.JIANGXIA), annual="500000", executed=None)
    return camp, a, b, c


def test_dashboard_rates_are_exact(demo):
    camp, a, b, c = _campaign(demo)
    data = campaign_dashboard(demo["perf_admin"], camp)
    overall = data["overall"]
    assert (overall["required"], overall["submitted"]) == (3, 2)
    assert overall["form_rate"] == Decimal("66.67")  # 2 ÷ 3
    assert overall["fund_rate"] == Decimal("52.50")  # (950000 + 100000) ÷ 2000000
    by_district = {r["name"]: (r["form_rate"], r["fund_rate"]) for r in data["by_district"]}
    assert by_district == {
        "新洲区": (Decimal("100.00"), Decimal("70.00")),
        "江夏区": (Decimal("0.00"), Decimal("0.00")),
    }
    assert data["grades"] == {"优": 1, "良": 0, "中": 0, "差": 1}
    assert b.grade == "差" and a.grade == "优"


def test_dashboard_counts_only_what_the_user_may_see(demo, login):
    camp, *_ = _campaign(demo)
    data = campaign_dashboard(demo["jiangxia_fin"], camp)
    assert data["overall"]["required"] == 1 and data["overall"]["submitted"] == 0
    page = login("jiangxia_fin").get(reverse("selfeval:campaign_detail", args=[camp.pk])).content.decode()
    assert '<div class="h1" id="form-rate">0.00%</div>' in page


def test_consequences_by_grade():
    base, share = Decimal("1000000"), Decimal("10")
    assert consequence_for("优", base=base, cut_share=share).consequence == Consequence.PRIORITY
    assert consequence_for("良", base=base, cut_share=share).next_budget == Decimal("1000000.00")
    cut = consequence_for("中", base=base, cut_share=share)
    assert (cut.consequence, cut.next_budget, cut.reason) == (
        Consequence.CUT, Decimal("900000.00"), "自评等级为“中”,下年预算压减 10%"
    )  # fmt: skip
    assert consequence_for("差", base=base, cut_share=share).next_budget == Decimal("0.00")
    late = consequence_for("良", base=base, cut_share=share, rectified=False)
    assert (late.consequence, late.next_budget) == (Consequence.REDUCED, Decimal("900000.00"))


def test_results_application_flags_poor_projects_and_exports(demo, login):
    camp, a, b, c = _campaign(demo)
    assert do_apply_results(campaign=camp, acting_user=demo["perf_admin"]) == 2  # c is not approved
    poor = ResultApplication.objects.get(project=b.project)
    assert (poor.consequence, poor.next_budget, poor.flag_poor) == (Consequence.CANCEL, Decimal("0.00"), True)
    assert list(poor_grade_projects(2019)) == [b.project_id]
    response = login("perf_admin").get(reverse("selfeval:campaign_results_export", args=[camp.pk]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:7] == ["项目编码", "项目名称", "主管部门", "实施单位", "自评总分", "等级", "下年预算安排"]
    rows = {r[0]: r for r in sheet[1:]}
    assert rows[b.project.code][5:7] == ["差", "取消或暂停安排"]
    assert rows[a.project.code][5:9] == ["优", "优先保障", 1000000.0, 1000000.0]


def test_dashboard_api_answers_counts_and_percentages(demo, client, api_token):
    camp, *_ = _campaign(demo)
    body = client.get(f"/api/v1/selfeval/campaigns/{camp.pk}/dashboard", **api_token("perf_admin")).json()
    assert body["overall"] == {
        "name": "", "required": 3, "submitted": 2, "approved": 2, "form_rate": 66.67,
        "allocated": 2000000.0, "paid": 1050000.0, "fund_rate": 52.5,
    }  # fmt: skip
    assert body["grades"] == {"优": 1, "良": 0, "中": 0, "差": 1}


def test_next_years_budget_is_based_on_this_years_appropriation_not_the_carryover(demo):
    camp = f.campaign()
    ev = f.evaluation(camp, f.project(f.XINZHOU_U2), status="approved")
    SelfEvaluation.objects.filter(pk=ev.pk).update(carryover_annual=300000, budget_annual=1300000)
    do_apply_results(campaign=camp, acting_user=demo["perf_admin"])
    result = ResultApplication.objects.get(evaluation=ev)
    assert (result.grade, result.base_budget, result.next_budget) == ("优", 1000000, 1000000)
