"""Entering a 自评表: an indicator row or the funds block saved inline (htmx) and re-scored at once, the whole form,
the API; bad entries refused row by row in Chinese with nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jixiao.audit.models import AuditLog
from jixiao.selfeval.models import ScoringProfileRecord, SelfEvaluation
from tests.selfeval_web import factories as f

QUALITATIVE_ROWS = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "50", "3200"),
    ("效益指标", "社会效益指标", "带动农户增收效果", "定性", "明显", "", "30", ""),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "10", "95"),
]


def _row(login, ev, position: int, **fields) -> str:
    """Post one row as the inline sheet does (the row's fields, named `<field>_<序号>`) and return the HTML."""
    data = {"position": str(position), **{f"{k}_{position}": v for k, v in fields.items()}}
    response = login("unit_xinzhou").post(reverse("selfeval:evaluation_row", args=[ev.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def _stored(ev: SelfEvaluation, position: int):
    return ev.indicators.get(position=position)


# --- one row, inline --------------------------------------------------------------------------------------------


def test_a_saved_row_comes_back_rescored_with_its_formula_and_the_new_total(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _row(login, ev, 1, actual="2800", applicable="1", explanation="汛期推迟施工,次年一季度补足。")
    row, ev = _stored(ev, 1), SelfEvaluation.objects.get(pk=ev.pk)
    assert (row.actual, row.score, row.formula) == ("2800", Decimal("46.67"), "50 × min(2800 ÷ 3000, 1) = 46.67")
    assert row.flags == ["below_target"] and row.explanation == "汛期推迟施工,次年一季度补足。"
    assert ev.total == Decimal("96.17") and ev.grade == "优"  # 9.5 + 46.67 + 30 + 10, exact then rounded
    assert 'id="entry-row-1"' in html and "50 × min(2800 ÷ 3000, 1) = 46.67" in html and "已保存" in html
    assert 'id="entry-total" class="card card-body mb-3" hx-swap-oob="true"' in html and ">96.17<" in html


def test_a_saved_row_leaves_an_audit_row_with_before_and_after(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    _row(login, ev, 2, actual="530")
    log = AuditLog.objects.get(model="selfeval.selfevaluationindicator", object_id=str(_stored(ev, 2).pk))
    assert (log.username, log.action) == ("unit_xinzhou", "update")
    assert (log.before["actual"], log.after["actual"]) == ("520", "530")


def test_a_shortfall_without_explanation_is_refused_in_its_row_and_nothing_is_saved(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _row(login, ev, 1, actual="2700", explanation="")
    assert "第 1 项指标「新增灌溉面积」:实际完成值 2700亩 未达到年度指标值 ≥3000亩,须填写偏差原因分析及改进措施" in html
    assert "未保存" in html and 'value="2700"' in html  # what the user typed stays in the row to be fixed
    assert _stored(ev, 1).actual == "3200"
    assert not AuditLog.objects.filter(model="selfeval.selfevaluationindicator").exists()


def test_over_achievement_needs_an_explanation_too(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _row(login, ev, 1, actual="4500")
    assert "超额完成年度指标值 ≥3000亩(达到 1.5 倍及以上),目标值可能设置得过于保守,须填写偏差原因分析及改进措施" in html
    _row(login, ev, 1, actual="4500", explanation="当年追加整合资金,扩大了灌溉面积。")
    assert _stored(ev, 1).flags == ["over_achieved"]


@pytest.mark.parametrize(
    ("position", "actual", "message"),
    [
        (1, "三千", "第 1 项指标「新增灌溉面积」的实际完成值「三千」不是数字,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)"),
        (1, "≥3000", "第 1 项指标「新增灌溉面积」的实际完成值「≥3000」不是数字"),
        (1, "-5", "第 1 项指标「新增灌溉面积」的实际完成值「-5」为负数,应为不小于 0 的数"),
        (3, "105", "第 3 项指标「受益群众满意度」的实际完成值「105」超过 100%,应为0–100 之间的百分数"),
        (2, "120%", "第 2 项指标「受益脱贫人口数」的实际完成值「120%」超过 100%"),
    ],
)  # fmt: skip
def test_bad_actuals_are_refused_with_a_precise_chinese_message(demo, login, position, actual, message):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    before = _stored(ev, position).actual
    html = _row(login, ev, position, actual=actual, explanation="说明")
    assert message in html
    assert _stored(ev, position).actual == before


def test_a_qualitative_row_takes_a_tier_and_a_share_inside_its_band(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=QUALITATIVE_ROWS)
    html = _row(login, ev, 2, tier="部分达成", share="85", explanation="部分农户未参与。")
    assert "第 2 项指标「带动农户增收效果」的档内得分比例(%)「85」不在「部分达成」档的区间 [60%, 80%) 内" in html
    assert _stored(ev, 2).tier == ""
    html = _row(login, ev, 2, tier="部分达成", share="")
    assert "第 2 项指标「带动农户增收效果」:定性指标评定为「部分达成」,须填写偏差原因分析及改进措施" in html
    _row(login, ev, 2, tier="部分达成", share="75", actual="基本达到", explanation="部分农户未参与。")
    row = _stored(ev, 2)
    assert (row.tier, row.share, row.score) == ("部分达成", Decimal("75.00"), Decimal("22.50"))
    assert row.formula == "定性:部分达成 30 × 75% = 22.50"


def test_an_unknown_tier_is_refused(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=QUALITATIVE_ROWS)
    html = _row(login, ev, 2, tier="优秀")
    assert "第 2 项指标「带动农户增收效果」的完成档次「优秀」未选择或无效,应为达成、部分达成 或 未达成" in html


def test_a_not_applicable_row_is_dropped_and_the_total_rescaled(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _row(login, ev, 2, applicable="0")
    ev.refresh_from_db()
    assert _stored(ev, 2).formula == "不适用,不计分"
    assert (ev.total, ev.total_formula) == (Decimal("99.29"), "100 × 69.50 ÷ 70.00 = 99.29")
    assert "不适用,不计分" in html


def test_rows_of_a_submitted_self_evaluation_cannot_be_changed(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), status="dept_review")
    html = _row(login, ev, 1, actual="1")
    assert "该自评表已提交或任务已结束,不能修改。" in html and _stored(ev, 1).actual == "3200"


def test_another_units_row_is_out_of_reach(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U1))
    url = reverse("selfeval:evaluation_row", args=[ev.pk])
    assert login("unit_xinzhou").post(url, {"position": "1", "actual_1": "1"}).status_code == 404
    assert _stored(ev, 1).actual == "3200"


# --- funds block ------------------------------------------------------------------------------------------------


def _funds(login, ev, **fields) -> str:
    response = login("unit_xinzhou").post(reverse("selfeval:evaluation_funds", args=[ev.pk]), fields)
    assert response.status_code == 200
    return response.content.decode()


def test_carryover_and_other_funds_add_to_the_total_that_execution_is_scored_on(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _funds(
        login, ev, carryover_initial="200000", carryover_annual="200000", carryover_executed="190000",
        other_initial="0", other_annual="50000", other_executed="50000",
    )  # fmt: skip
    ev.refresh_from_db()
    assert (ev.budget_initial, ev.budget_annual, ev.budget_executed) == (1200000, 1250000, 1190000)
    assert (ev.fiscal_annual, ev.carryover_executed, ev.other_annual) == (1000000, 190000, 50000)
    # DOMAIN §5: the execution score sits on 年度资金总额 (fiscal 95 %, carryover 95 %, other 100 % → 95.2 %).
    assert ev.execution_formula == "10 × min(1190000 ÷ 1250000, 1) = 9.52"
    assert (ev.execution_rate, ev.execution_score, ev.total) == (Decimal("95.20"), Decimal("9.52"), Decimal("99.52"))
    assert "95.00%" in html and "9.52" in html and 'hx-swap-oob="true"' in html


def test_execution_uses_the_total_not_only_the_fiscal_appropriation(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), executed="1000000")
    _funds(login, ev, carryover_annual="1000000", carryover_executed="0", budget_explanation="结转项目尚未开工。")
    ev.refresh_from_db()
    assert (ev.execution_rate, ev.execution_score) == (Decimal("50.00"), Decimal("5.00"))


def test_a_low_execution_rate_without_explanation_is_refused_and_nothing_saved(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _funds(login, ev, carryover_annual="200000", carryover_executed="50000", budget_explanation="")
    assert "预算执行:预算执行率 83.33% 低于 90%,须填写偏差原因分析及改进措施" in html and "未保存" in html
    ev.refresh_from_db()
    assert (ev.carryover_annual, ev.budget_annual, ev.execution_score) == (0, 1000000, Decimal("9.50"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"carryover_annual": "二十万"}, "上年结转资金的全年预算数「二十万」不是数字,应为金额(元),如 950000 或 950,000.50"),
        ({"other_executed": "-1"}, "其他资金的全年执行数「-1」为负数,应为不小于 0 的金额(元)"),
        ({"fiscal_executed": "1.005"}, "当年财政拨款的全年执行数「1.005」最多保留两位小数(分)"),
        ({"other_executed": "5000"}, "其他资金的全年执行数 5000 元大于 0,但全年预算数为 0;请先填写全年预算数"),
    ],
)  # fmt: skip
def test_bad_amounts_are_refused_in_chinese(demo, login, fields, message):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    html = _funds(login, ev, **fields)
    assert message in html
    ev.refresh_from_db()
    assert (ev.carryover_annual, ev.other_executed, ev.fiscal_executed) == (0, None, 950000)


# --- the whole form ---------------------------------------------------------------------------------------------


def test_the_whole_form_saves_nothing_when_one_row_is_bad(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    form = {"overall_actual": "改过的完成情况", "actual_1": "3100", "actual_2": "abc", "actual_3": "96"}
    response = login("unit_xinzhou").post(reverse("selfeval:evaluation_edit", args=[ev.pk]), form)
    html = response.content.decode()
    assert response.status_code == 200 and "未保存任何内容,请修改以下 1 处" in html
    assert "第 2 项指标「受益脱贫人口数」的实际完成值「abc」不是数字" in html
    ev.refresh_from_db()
    assert ev.overall_actual == "已完成年度目标。"
    assert list(ev.indicators.values_list("actual", flat=True)) == ["3200", "520", "95"]


def test_the_form_page_shows_funds_rows_and_inline_rows(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=QUALITATIVE_ROWS)
    html = login("unit_xinzhou").get(reverse("selfeval:evaluation_edit", args=[ev.pk])).content.decode()
    for text in ("其中:当年财政拨款", "上年结转资金", "其他资金", 'name="carryover_executed"', 'name="tier_2"'):
        assert text in html
    assert html.count('hx-post="' + reverse("selfeval:evaluation_row", args=[ev.pk])) == 3


# --- API --------------------------------------------------------------------------------------------------------


def _put(client, api_token, ev, body):
    url = f"/api/v1/projects/{ev.project_id}/self-evaluations/{ev.campaign_id}"
    return client.put(url, body, content_type="application/json", **api_token("unit_xinzhou"))


def test_api_enters_actuals_by_position_and_returns_the_scores(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=QUALITATIVE_ROWS)
    answer = _put(client, api_token, ev, {"actuals": [
        {"position": 1, "actual": "2700", "explanation": "汛期推迟施工。"},
        {"position": 2, "tier": "达成", "actual": "效果明显"},
        {"position": 3, "applicable": False},
    ]})  # fmt: skip
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [r["formula"] for r in body["indicators"]] == [
        "50 × min(2700 ÷ 3000, 1) = 45.00", "定性:达成 30 × 100% = 30.00", "不适用,不计分"
    ]  # fmt: skip
    assert body["total_formula"] == "100 × 84.50 ÷ 90.00 = 93.89" and body["grade"] == "优"


def test_api_refuses_bad_actuals_with_located_problems_and_saves_nothing(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    answer = _put(client, api_token, ev, {"overall_actual": "改", "actuals": [
        {"position": 1, "actual": "2700"}, {"position": 3, "actual": "120"}, {"position": 9, "actual": "1"},
    ]})  # fmt: skip
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_entry"
    assert [(p["position"], p["field"]) for p in body["detail"]] == [(1, "explanation"), (3, "actual"), (9, "position")]
    assert body["detail"][2]["message"] == "没有序号为 9 的指标"
    ev.refresh_from_db()
    assert ev.overall_actual == "已完成年度目标。" and _stored(ev, 1).actual == "3200"


def test_api_enters_carryover_and_other_funds(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    answer = _put(client, api_token, ev, {
        "carryover_initial": 200000, "carryover_annual": 200000, "carryover_executed": 190000,
    })  # fmt: skip
    body = answer.json()
    assert answer.status_code == 200, body
    assert [(r["label"], r["annual"], r["executed"], r["rate"]) for r in body["funds"]] == [
        ("年度资金总额", 1200000.0, 1140000.0, 95.0),
        ("当年财政拨款", 1000000.0, 950000.0, 95.0),
        ("上年结转资金", 200000.0, 190000.0, 95.0),
        ("其他资金", 0.0, None, None),
    ]
    assert body["execution"]["formula"] == "10 × min(1140000 ÷ 1200000, 1) = 9.50"


def test_api_refuses_a_negative_amount(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    answer = _put(client, api_token, ev, {"other_annual": -5})
    assert answer.status_code == 422
    assert answer.json()["message"] == "其他资金的全年预算数 -5 为负数,应为不小于 0 的金额"


def test_api_full_replacement_checks_every_field(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    row = {"level1": "产出指标", "name": "新增灌溉面积", "operator": "≥", "target": "三千", "unit": "亩",
           "weight": 90, "actual": "3000"}  # fmt: skip
    answer = _put(client, api_token, ev, {"indicators": [row]})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "target"
    assert ev.indicators.count() == 3


# --- opening a campaign -----------------------------------------------------------------------------------------


def test_opening_a_campaign_prefills_the_fiscal_row_only(demo):
    import datetime as dt

    from jixiao.selfeval.actions import do_open_campaign

    campaign = do_open_campaign(
        year=2019, name="预填", deadline=dt.date(2020, 3, 31), acting_user=demo["perf_admin"],
        profile=ScoringProfileRecord.objects.get(code="central-2020"),
    )  # fmt: skip
    rows = list(campaign.evaluations.select_related("project"))
    assert rows and all(ev.fiscal_annual == ev.budget_annual == ev.budget_initial > 0 for ev in rows)
    assert all(ev.fiscal_executed == ev.budget_executed for ev in rows)
    assert {(ev.carryover_annual, ev.other_annual, ev.carryover_executed) for ev in rows} == {(0, 0, None)}


def test_api_refuses_unknown_fields_instead_of_ignoring_them(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    before = ev.overall_actual

    answer = _put(client, api_token, ev, {"overall_actual": "改", "budget_executed": "1000",
                                          "actuals": [{"position": 1, "actal": "2700"}]})  # fmt: skip

    assert answer.status_code == 422
    message = answer.json()["message"]
    assert "budget_executed:不认识的字段" in message and "actuals.0.actal:不认识的字段" in message
    ev.refresh_from_db()
    assert ev.overall_actual == before
