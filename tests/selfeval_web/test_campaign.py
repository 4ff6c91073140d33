"""Opening a campaign, stored scores equal to the engine's, and the htmx live score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.orgs.models import Region
from jixiao.selfeval.actions import campaign_projects, do_open_campaign
from jixiao.selfeval.models import ScoringProfileRecord, SelfEvaluation, load_profiles
from jixiao.selfeval.profiles import SHIPPED_PROFILES
from jixiao.selfeval.rescore import budget_input, indicator_input
from jixiao.selfeval.scoring import score
from tests.selfeval_web import factories as f


def test_the_four_shipped_profiles_are_stored_and_load_as_engine_profiles(db):
    assert load_profiles() == SHIPPED_PROFILES
    assert ScoringProfileRecord.objects.filter(builtin=True).count() == 4


def test_opening_a_campaign_creates_a_self_evaluation_per_project_in_scope(demo):
    xinzhou = Region.objects.get(code="420117")
    profile = ScoringProfileRecord.objects.get(code="central-2020")
    campaign = do_open_campaign(
        year=2019, name="2019年度新洲区自评", deadline=dt.date(2020, 3, 31), profile=profile,
        district=xinzhou, acting_user=demo["perf_admin"],
    )  # fmt: skip
    expected = campaign_projects(year=2019, department=None, district=xinzhou)
    rows = SelfEvaluation.objects.filter(campaign=campaign)
    assert rows.count() == expected.count() > 0
    assert set(rows.values_list("project_id", flat=True)) == set(expected.values_list("id", flat=True))
    assert set(rows.values_list("district_id", flat=True)) == {xinzhou.pk}
    assert not rows.filter(project__status="terminated").exists()
    assert set(rows.values_list("status", flat=True)) == {"draft"}


def test_only_the_organiser_opens_a_campaign(demo):
    profile = ScoringProfileRecord.objects.get(code="central-2020")
    with pytest.raises(PermissionDenied):
        do_open_campaign(
            year=2019, name="越权", deadline=dt.date(2020, 3, 31), profile=profile, acting_user=demo["xinzhou_fin"]
        )


def test_stored_scores_are_the_engines(demo):
    rows = [*f.MET[:2], ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "98", "%", "10", "95")]
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=rows, executed="800000")
    stored = list(ev.indicators.order_by("position"))
    result = score(SHIPPED_PROFILES["central-2020"], budget_input(ev), [indicator_input(r) for r in stored])
    assert ev.total == result.total == Decimal("97.69")
    assert ev.grade == result.grade == "优"
    assert ev.total_formula == result.total_formula
    assert ev.execution_formula == "10 × min(800000 ÷ 1000000, 1) = 8.00"
    assert [(r.score, r.formula, r.flags) for r in stored] == [
        (i.score, i.formula, list(i.flags)) for i in result.indicators
    ]
    assert stored[2].formula == "10 × min(95 ÷ 98, 1) = 9.69"


def test_incomplete_rows_still_show_their_own_score(demo):
    rows = [f.MET[0], (*f.MET[1][:7], "")]
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=rows)
    first, second = ev.indicators.order_by("position")
    assert ev.total is None and ev.grade == ""
    assert first.formula == "50 × min(3200 ÷ 3000, 1) = 50.00"
    assert second.score is None
    assert "实际完成值未填写" in ev.score_problems[0]["message"]


def test_api_reads_the_stored_self_evaluation_with_formulas(demo, client, api_token):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    url = f"/api/v1/projects/{ev.project_id}/self-evaluations/{ev.campaign_id}"
    body = client.get(url, **api_token("unit_xinzhou")).json()
    assert body["execution"]["formula"] == "10 × min(950000 ÷ 1000000, 1) = 9.50"
    assert body["indicators"][0]["formula"] == "50 × min(3200 ÷ 3000, 1) = 50.00"
    assert body["total"] == 99.5 and body["grade"] == "优"


def test_bulk_rescoring_stores_what_the_one_by_one_path_stores(demo):
    from jixiao.selfeval.tasks import rescore_campaign

    camp = f.campaign()
    rows = [*f.MET[:2], ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "98", "%", "10", "95")]
    good = f.evaluation(camp, f.project(f.XINZHOU_U2), rows=rows, executed="800000")
    blank = f.evaluation(camp, f.project(f.XINZHOU_U1), executed=None)
    before = [(r.score, r.formula, r.flags) for r in good.indicators.order_by("position")]
    SelfEvaluation.objects.filter(pk=good.pk).update(total=None, grade="", total_formula="")
    good.indicators.update(score=None, formula="", flags=[])
    assert rescore_campaign(camp, chunk=1) == {"scored": 1, "refused": 1}
    good.refresh_from_db()
    assert (good.total, good.grade) == (Decimal("97.69"), "优")
    assert [(r.score, r.formula, r.flags) for r in good.indicators.order_by("position")] == before
    blank.refresh_from_db()
    assert blank.total is None and blank.score_problems
