"""Pages: opening a campaign from the form, filling and submitting from the form, the navigation entry."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from jixiao.orgs.models import Unit
from jixiao.selfeval.models import Campaign
from tests.selfeval_web import factories as f


def test_perf_admin_opens_a_campaign_from_the_form(demo, login):
    department = Unit.objects.get(code="SNYNCJ")
    response = login("perf_admin").post(
        reverse("selfeval:campaign_create"),
        {"name": "2019年度市农业农村局自评", "year": "2019", "deadline": "2020-03-31", "profile": "central-2020",
         "cut_share": "12.5", "department": department.pk},
    )  # fmt: skip
    campaign = Campaign.objects.get(name="2019年度市农业农村局自评")
    assert response.status_code == 302 and response["Location"] == reverse(
        "selfeval:campaign_detail", args=[campaign.pk]
    )
    assert campaign.cut_share == 12.5
    assert set(campaign.evaluations.values_list("department_id", flat=True)) == {department.pk}
    assert campaign.evaluations.count() == campaign.evaluations.filter(project__year=2019).count() > 0


def test_campaign_form_lists_every_problem_in_chinese(demo, login):
    response = login("perf_admin").post(reverse("selfeval:campaign_create"), {"year": "二〇一九", "deadline": "x"})
    html = response.content.decode()
    for message in ("请填写任务名称", "评价年度应为四位年份", "截止日期应为日期,如 2020-03-31", "请选择评分方案"):
        assert message in html


def test_unit_fills_and_submits_from_the_form(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), executed=None)
    form = {
        "fiscal_initial": "1000000", "fiscal_annual": "1000000", "fiscal_executed": "920000",
        "overall_target": "完成年度建设任务。", "overall_actual": "全部完成。", "then": "submit",
        "actual_1": "3100", "applicable_1": "on", "actual_2": "505", "applicable_2": "on",
        "actual_3": "93", "applicable_3": "on",
    }  # fmt: skip
    response = login("unit_xinzhou").post(reverse("selfeval:evaluation_edit", args=[ev.pk]), form)
    ev.refresh_from_db()
    assert response["Location"] == reverse("selfeval:evaluation_detail", args=[ev.pk])
    assert (ev.status, ev.total, ev.grade) == ("dept_review", Decimal("99.20"), "优")


def test_menu_shows_self_evaluation_to_business_users(demo, login):
    html = login("unit_xinzhou").get(reverse("core:home")).content.decode()
    assert "绩效自评" in html and reverse("selfeval:campaign_list") in html
    assert reverse("selfeval:campaign_create") not in html
