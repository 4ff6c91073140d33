"""Scoring profiles an administrator adds: pages and API, Chinese validation, audit rows, shipped and used ones
read-only, and a custom profile used by a campaign and by the scoring preview."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.urls import reverse

from jixiao.audit.models import AuditLog
from jixiao.selfeval.models import Campaign, ScoringProfileRecord
from jixiao.selfeval.profiles import SHIPPED_PROFILE_DATA
from tests.selfeval_web import factories as f
from tests.walk.selfeval import PREVIEW_BODY

HENAN = {
    "code": "henan-2022",
    "name": "河南省项目支出自评",
    "execution_weight": 15,
    "indicator_total": 85,
    "allocations": [
        {"name": "产出", "weight": 50},
        {"name": "效益", "weight": 25, "min": 20, "max": 30},
        {"name": "满意度", "weight": 10, "level1": ["满意度", "服务对象满意度"]},
    ],
    "tiers": [
        {"tier": "达成", "low": 80, "high": 100, "default": 100},
        {"tier": "部分达成", "low": 50, "high": 80, "default": 60},
        {"tier": "未达成", "low": 0, "high": 50, "default": 20},
    ],
    "grades": [{"grade": "优", "min": 85}, {"grade": "良", "min": 75}, {"grade": "中", "min": 60}, {"grade": "差", "min": 0}],
    "over_achievement": 1.3,
    "explanation_rate": 85,
}  # fmt: skip
PROFILES = "/api/v1/scoring/profiles"


def _form(data: dict) -> dict[str, str]:
    """The profile form's fields for a profile dict (as the page posts them)."""
    fields = {k: str(data[k]) for k in ("code", "name", "execution_weight", "indicator_total") if k in data}
    fields.update({k: str(data[k]) for k in ("over_achievement", "explanation_rate") if k in data})
    allocations = data.get("allocations", [])
    fields["allocation_count"] = str(len(allocations) + 1)  # plus a blank row, as the page has
    for i, a in enumerate(allocations):
        fields |= {f"allocation_name_{i}": a["name"], f"allocation_weight_{i}": str(a["weight"])}
        fields |= {f"allocation_{k}_{i}": str(a[k]) for k in ("min", "max") if k in a}
        fields[f"allocation_level1_{i}"] = "、".join(a.get("level1", []))
    for i, t in enumerate(data.get("tiers", [])):
        fields |= {f"tier_{k}_{i}": str(t[k]) for k in ("low", "high", "default")}
    grades = data.get("grades", [])
    fields["grade_count"] = str(len(grades))
    for i, g in enumerate(grades):
        fields |= {f"grade_name_{i}": g["grade"], f"grade_min_{i}": str(g["min"])}
    return fields


def _custom(data: dict = HENAN) -> ScoringProfileRecord:
    return ScoringProfileRecord.objects.create(code=data["code"], name=data["name"], data=data)


# --- pages ------------------------------------------------------------------------------------------------------


def test_the_list_marks_shipped_profiles_and_only_the_perf_admin_may_add(demo, login):
    _custom()
    html = login("perf_admin").get(reverse("selfeval:profile_list")).content.decode()
    assert html.count("内置</span>") == 4 and html.count("自定义</span>") == 1
    assert reverse("selfeval:profile_create") in html
    unit = login("unit_xinzhou").get(reverse("selfeval:profile_list")).content.decode()
    assert "河南省项目支出自评" in unit and reverse("selfeval:profile_create") not in unit


def test_the_create_page_starts_from_a_copy_of_a_shipped_profile(demo, login):
    html = login("perf_admin").get(reverse("selfeval:profile_create") + "?copy=hubei").content.decode()
    assert 'value="湖北省项目支出绩效自评(副本)"' in html
    assert 'name="execution_weight" value="20"' in html and 'name="allocation_level1_0" value="*"' in html
    assert 'name="tier_default_1" value="65"' in html


def test_perf_admin_adds_a_profile_from_the_form_with_an_audit_row(demo, login):
    response = login("perf_admin").post(reverse("selfeval:profile_create"), _form(HENAN))
    record = ScoringProfileRecord.objects.get(code="henan-2022")
    assert response.status_code == 302 and response["Location"] == reverse("selfeval:profile_detail", args=[record.pk])
    profile = record.profile()
    assert (record.builtin, profile.execution_weight, profile.over_achievement) == (False, 15, Decimal("1.3"))
    assert [(a.name, a.weight, a.low, a.high) for a in profile.allocations] == [
        ("产出", 50, 50, 50), ("效益", 25, 20, 30), ("满意度", 10, 10, 10)
    ]  # fmt: skip
    assert profile.allocations[2].level1 == ("满意度", "服务对象满意度")
    assert [(t.tier, t.default) for t in profile.tiers] == [("达成", 100), ("部分达成", 60), ("未达成", 20)]
    log = AuditLog.objects.get(model="selfeval.scoringprofilerecord", object_id=str(record.pk))
    assert (log.action, log.username, log.after["code"]) == ("create", "perf_admin", "henan-2022")


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"execution_weight": 20}, ["预算执行分值 20 与指标总分 85 之和为 105,应为 100"]),
        ({"code": "Henan 2022"}, ["方案代码「Henan 2022」无效:应为小写字母、数字和连字符,最长 40 个字符"]),
        ({"name": ""}, ["方案名称不能为空"]),
        ({"indicator_total": "八十五"}, ["指标总分「八十五」不是数字"]),
        (
            {"allocations": [{"name": "产出", "weight": 60, "min": 40, "max": 50}, {"name": "效益", "weight": 25}]},
            ["一级指标「产出」的默认权重 60 不在允许范围 40–50 内"],
        ),
        (
            {"allocations": [{"name": "产出", "weight": 50}, {"name": "效益", "weight": 25}]},
            ["一级指标默认权重合计 75,应等于指标总分 85"],
        ),
        (
            {"tiers": [{"tier": "达成", "low": 80, "high": 100, "default": 100},
                       {"tier": "部分达成", "low": 60, "high": 75, "default": 70},
                       {"tier": "未达成", "low": 0, "high": 60, "default": 30}]},
            ["定性指标档次必须首尾相接覆盖 0%–100%:未达成从 0 开始,达成到 100 为止"],
        ),
        (
            {"grades": [{"grade": "良", "min": 80}, {"grade": "优", "min": 90}, {"grade": "差", "min": 0}]},
            ["等级必须按最低分从高到低排列,且最低分不能重复"],
        ),
        ({"over_achievement": 1}, ["超额完成阈值为 1,应大于 1(如 1.5 表示实际值达到目标值的 150%)"]),
        ({"explanation_rate": 120}, ["须说明原因的执行率阈值为 120%,不能超过 100%"]),
        ({"execution_weight": -5, "indicator_total": 105}, ["预算执行分值为 -5,不能为负数"]),
    ],
)  # fmt: skip
def test_invalid_parameters_are_listed_in_chinese_and_nothing_is_stored(demo, login, changes, messages):
    data = {**copy.deepcopy(HENAN), **changes}
    html = login("perf_admin").post(reverse("selfeval:profile_create"), _form(data)).content.decode()
    for message in messages:
        assert message in html
    assert "未保存" in html
    assert not ScoringProfileRecord.objects.filter(builtin=False).exists()
    assert not AuditLog.objects.filter(model="selfeval.scoringprofilerecord").exists()


def test_a_taken_code_is_refused(demo, login):
    html = login("perf_admin").post(reverse("selfeval:profile_create"), _form({**HENAN, "code": "hubei"}))
    assert "方案代码「hubei」已存在,请换一个代码。" in html.content.decode()


def test_perf_admin_edits_a_custom_profile_and_the_change_is_audited(demo, login):
    record = _custom()
    data = {**copy.deepcopy(HENAN), "name": "河南省项目支出自评(2023 修订)", "over_achievement": 1.4}
    response = login("perf_admin").post(reverse("selfeval:profile_edit", args=[record.pk]), _form(data))
    record.refresh_from_db()
    assert response.status_code == 302
    assert (record.name, record.profile().over_achievement) == ("河南省项目支出自评(2023 修订)", Decimal("1.4"))
    log = AuditLog.objects.get(model="selfeval.scoringprofilerecord", action="update")
    assert log.before["name"] == "河南省项目支出自评" and log.after["name"] == "河南省项目支出自评(2023 修订)"


def test_shipped_and_used_profiles_cannot_be_edited(demo, login):
    shipped = ScoringProfileRecord.objects.get(code="central-2020")
    admin = login("perf_admin")
    response = admin.post(reverse("selfeval:profile_edit", args=[shipped.pk]), _form({**HENAN, "code": "central-2020"}))
    assert response["Location"] == reverse("selfeval:profile_detail", args=[shipped.pk])
    shipped.refresh_from_db()
    assert shipped.data == next(d for d in SHIPPED_PROFILE_DATA if d["code"] == "central-2020")
    used = _custom()
    f.campaign(profile="henan-2022", name="2022年度河南自评")
    page = admin.get(reverse("selfeval:profile_edit", args=[used.pk]), follow=True).content.decode()
    assert "已被自评任务「2022年度河南自评」使用,不能修改" in page


def test_only_the_perf_admin_manages_profiles(demo, login):
    unit = login("dept_agri")
    assert unit.get(reverse("selfeval:profile_create")).status_code == 403
    assert unit.post(reverse("selfeval:profile_create"), _form(HENAN)).status_code == 403
    assert not ScoringProfileRecord.objects.filter(code="henan-2022").exists()


def test_the_detail_page_shows_every_parameter(demo, login):
    html = (
        login("unit_xinzhou")
        .get(reverse("selfeval:profile_detail", args=[ScoringProfileRecord.objects.get(code="cost-2021").pk]))
        .content.decode()
    )
    for text in ("成本", "0–20", "40–50", "[60%, 80%)", "≥ 90", "1.5", "低于 90%", "内置"):
        assert text in html


# --- API --------------------------------------------------------------------------------------------------------


def _call(client, api_token, method: str, path: str, body=None, user: str = "perf_admin"):
    call = getattr(client, method)
    return call(path, body or {}, content_type="application/json", **api_token(user))


def test_api_lists_and_reads_profiles(demo, client, api_token):
    _custom()
    listed = _call(client, api_token, "get", PROFILES, user="unit_xinzhou").json()
    assert [(p["code"], p["builtin"]) for p in listed] == [
        ("central-2020", True), ("cost-2021", True), ("hubei", True), ("sichuan", True), ("henan-2022", False)
    ]  # fmt: skip
    one = _call(client, api_token, "get", f"{PROFILES}/henan-2022", user="unit_xinzhou").json()
    assert (one["execution_weight"], one["over_achievement"], one["campaigns"]) == (15, 1.3, [])
    assert one["allocations"][1] == {"name": "效益", "weight": 25, "min": 20, "max": 30, "level1": ["效益"]}
    assert _call(client, api_token, "get", f"{PROFILES}/nope").status_code == 404


def test_api_creates_a_profile(demo, client, api_token):
    answer = _call(client, api_token, "post", PROFILES, HENAN)
    assert answer.status_code == 201, answer.content
    assert answer.json()["tiers"][1] == {"tier": "部分达成", "low": 50, "high": 80, "default": 60}
    assert AuditLog.objects.filter(model="selfeval.scoringprofilerecord", action="create").count() == 1


def test_api_lists_every_invalid_parameter(demo, client, api_token):
    bad = {**HENAN, "execution_weight": "十五", "allocations": [{"name": "产出", "weight": "五十"}]}
    answer = _call(client, api_token, "post", PROFILES, bad)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_profile"
    assert body["detail"] == [
        "预算执行分值「十五」不是数字",
        "预算执行分值 0 与指标总分 85 之和为 85,应为 100",
        "一级指标「产出」的默认权重「五十」不是数字",
        "一级指标默认权重合计 0,应等于指标总分 85",
    ]


def test_api_refuses_a_duplicate_code_a_shipped_profile_and_a_used_one_with_409(demo, client, api_token):
    assert _call(client, api_token, "post", PROFILES, {**HENAN, "code": "sichuan"}).json()["code"] == "duplicate_code"
    shipped = _call(client, api_token, "put", f"{PROFILES}/central-2020", HENAN)
    assert (shipped.status_code, shipped.json()["code"]) == (409, "builtin_profile")
    assert (
        shipped.json()["message"]
        == "「中央项目支出自评(财预〔2020〕10号)」是内置评分方案,不能修改;可复制为新方案后修改。"
    )
    _custom()
    f.campaign(profile="henan-2022")
    used = _call(client, api_token, "put", f"{PROFILES}/henan-2022", HENAN)
    assert (used.status_code, used.json()["code"]) == (409, "profile_in_use")


def test_api_updates_a_custom_profile_but_not_its_code(demo, client, api_token):
    _custom()
    answer = _call(client, api_token, "put", f"{PROFILES}/henan-2022", {**HENAN, "code": None, "name": "河南修订"})
    assert answer.status_code == 200 and answer.json()["name"] == "河南修订"
    renamed = _call(client, api_token, "put", f"{PROFILES}/henan-2022", {**HENAN, "code": "henan-2023"})
    assert renamed.status_code == 422
    assert renamed.json()["message"] == "方案代码不能修改:应为「henan-2022」,请求中为「henan-2023」"


def test_api_profile_writes_are_for_the_perf_admin_only(demo, client, api_token):
    _custom()
    assert _call(client, api_token, "post", PROFILES, HENAN, user="agri_div").status_code == 403
    assert _call(client, api_token, "put", f"{PROFILES}/henan-2022", HENAN, user="unit_xinzhou").status_code == 403


# --- a custom profile at work -----------------------------------------------------------------------------------


def test_the_scoring_preview_uses_a_custom_profile(demo, client, api_token):
    _custom()
    body = {**PREVIEW_BODY, "profile": "henan-2022"}
    answer = _call(client, api_token, "post", "/api/v1/scoring/preview", body, user="unit_xinzhou").json()
    assert answer["profile"] == "henan-2022"
    assert answer["execution"] == {
        "rate": 95.0, "score": 14.25, "weight": 15.0, "applicable": True,
        "formula": "15 × min(950000 ÷ 1000000, 1) = 14.25", "explanation_required": False,
    }  # fmt: skip
    assert answer["indicators"][0]["flags"] == []  # 3200 ÷ 3000 < 1.3: not over-achieved under this profile


def test_a_campaign_opened_with_a_custom_profile_scores_with_it(demo, login):
    record = _custom()
    login("perf_admin").post(
        reverse("selfeval:campaign_create"),
        {"name": "2019年度河南方案试点", "year": "2019", "deadline": "2020-03-31", "profile": "henan-2022"},
    )
    campaign = Campaign.objects.get(name="2019年度河南方案试点")
    assert campaign.profile == record
    ev = f.evaluation(f.campaign(profile="henan-2022"), f.project(f.XINZHOU_U2))
    assert ev.execution_formula == "15 × min(950000 ÷ 1000000, 1) = 14.25"
    assert ev.total_formula == "100 × 104.25 ÷ 105.00 = 99.29"  # the rows' 90 points + 15 for execution
    assert "指标分值合计 90,与评分方案「河南省项目支出自评」的指标总分 85 不一致" in ev.warnings
