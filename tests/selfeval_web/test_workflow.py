"""Submit with mandatory explanations, the two review stages with events, returns with opinions, data scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from jixiao.selfeval.actions import do_review_self_evaluation, do_save_self_evaluation, do_submit_self_evaluation
from jixiao.selfeval.selectors import get_evaluation_for_user
from tests.selfeval_web import factories as f

SHORT = [f.MET[0], ("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "500", "人", "30", "450"), f.MET[2]]


def test_missing_explanations_block_submit_with_chinese_reasons(demo):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=SHORT, executed="800000")
    with pytest.raises(ValidationError) as caught:
        do_submit_self_evaluation(evaluation=ev, acting_user=demo["unit_xinzhou"])
    assert caught.value.messages == [
        "预算执行:预算执行率 80.00% 低于 90%,须填写偏差原因分析及改进措施",
        "第 2 项指标「受益脱贫人口数」:实际完成值 450人 未达到年度指标值 ≥500人,须填写偏差原因分析及改进措施",
    ]
    ev.refresh_from_db()
    assert ev.status == "draft" and not ev.events.exists()


def test_explained_self_evaluation_is_submitted(demo):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=SHORT)
    rows = [{"explanation": "部分脱贫户外出务工,受益人数少于计划;明年加强动员。"} if i == 1 else {} for i in range(3)]
    items = [
        {**{k: getattr(r, k) for k in ("level1", "level2", "name", "operator", "target", "unit", "weight", "actual")},
         **extra}
        for r, extra in zip(ev.indicators.order_by("position"), rows, strict=True)
    ]  # fmt: skip
    do_save_self_evaluation(evaluation=ev, acting_user=demo["unit_xinzhou"], changes={}, indicators=items)
    do_submit_self_evaluation(evaluation=ev, acting_user=demo["unit_xinzhou"])
    assert ev.status == "dept_review"
    assert [(e.kind, e.from_status, e.to_status) for e in ev.events.all()] == [("submit", "draft", "dept_review")]


def test_review_passes_through_department_then_finance(demo):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    do_submit_self_evaluation(evaluation=ev, acting_user=demo["unit_xinzhou"])
    with pytest.raises(PermissionDenied):  # finance cannot take the department's stage
        do_review_self_evaluation(evaluation=ev, acting_user=demo["agri_div"], decision="pass")
    do_review_self_evaluation(evaluation=ev, acting_user=demo["xinzhou_fin"], decision="pass", opinion="同意")
    assert ev.status == "finance_review"
    do_review_self_evaluation(evaluation=ev, acting_user=demo["agri_div"], decision="pass")
    assert ev.status == "approved"
    events = [(e.kind, e.actor.username, e.to_status, e.opinion) for e in ev.events.select_related("actor")]
    assert events == [
        ("submit", "unit_xinzhou", "dept_review", ""),
        ("pass", "xinzhou_fin", "finance_review", "同意"),
        ("pass", "agri_div", "approved", ""),
    ]


def test_a_return_needs_an_opinion_and_reopens_the_form(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    do_submit_self_evaluation(evaluation=ev, acting_user=demo["unit_xinzhou"])
    with pytest.raises(ValidationError, match="退回时须填写退回意见"):
        do_review_self_evaluation(evaluation=ev, acting_user=demo["xinzhou_fin"], decision="return")
    url = reverse("selfeval:evaluation_review", args=[ev.pk])
    login("xinzhou_fin").post(url, {"decision": "return", "opinion": "满意度缺调查问卷佐证。"})
    ev.refresh_from_db()
    assert ev.status == "draft" and ev.can_edit()
    last = ev.events.last()
    assert (last.kind, last.opinion) == ("return", "满意度缺调查问卷佐证。")
    page = login("unit_xinzhou").get(reverse("selfeval:evaluation_detail", args=[ev.pk])).content.decode()
    assert "满意度缺调查问卷佐证。" in page


def test_a_jiangxia_user_cannot_see_a_xinzhou_self_evaluation(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    with pytest.raises(Http404):
        get_evaluation_for_user(demo["jiangxia_fin"], ev.pk)
    assert login("jiangxia_fin").get(reverse("selfeval:evaluation_detail", args=[ev.pk])).status_code == 404
    assert login("xinzhou_fin").get(reverse("selfeval:evaluation_detail", args=[ev.pk])).status_code == 200


def test_a_project_unit_edits_only_its_own(demo, login, client, api_token):
    camp = f.campaign()
    own = f.evaluation(camp, f.project(f.XINZHOU_U2))
    other = f.evaluation(camp, f.project(f.XINZHOU_U1))
    unit = login("unit_xinzhou")
    assert unit.get(reverse("selfeval:evaluation_edit", args=[own.pk])).status_code == 200
    assert unit.get(reverse("selfeval:evaluation_edit", args=[other.pk])).status_code == 404
    url = f"/api/v1/projects/{other.project_id}/self-evaluations/{camp.pk}"
    answer = client.put(url, {"overall_actual": "篡改"}, content_type="application/json", **api_token("unit_xinzhou"))
    assert answer.status_code == 404
    other.refresh_from_db()
    assert other.overall_actual == "已完成年度目标。"


def test_submitted_self_evaluation_cannot_be_edited(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    token = api_token("unit_xinzhou")
    base = f"/api/v1/projects/{ev.project_id}/self-evaluations/{ev.campaign_id}"
    assert client.post(base + "/submit", **token).status_code == 200
    answer = client.put(base, {"overall_actual": "改"}, content_type="application/json", **token)
    assert answer.status_code == 422
    assert answer.json()["message"] == "该自评表已提交或任务已结束,不能修改。"
