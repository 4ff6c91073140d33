"""Goal pages (htmx table), the API, the Word letter and the public page."""

from __future__ import annotations

import io

import pytest
from docx import Document

from jixiao.goals.letters import do_issue_review_letter, render_letter
from jixiao.goals.models import GoalStatus
from tests.goals.factories import CLEAN_OVERALL, CLEAN_ROWS, make_goal, make_project

pytestmark = pytest.mark.django_db


def test_htmx_edit_returns_table_with_finding_beside_the_indicator(login, demo):
    goal = make_goal()
    row = goal.indicators.get(name="受益群众满意度")
    response = login("unit_xinzhou").post(
        f"/goals/indicators/{row.pk}/edit/", {"target": "120"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="goal-table"' in html
    row_html = html.split(f'id="indicator-{row.pk}"')[1].split("</tr>")[0]
    assert 'data-code="G10"' in row_html


def test_htmx_add_from_library_and_delete(login, demo):
    from jixiao.indicators.models import IndicatorTemplate

    goal = make_goal()
    client = login("unit_xinzhou")
    template = IndicatorTemplate.objects.filter(code="CYFZ.05").first()
    client.post(f"/goals/{goal.pk}/indicators/add/", {"template": template.pk})
    added = goal.indicators.get(name=template.name)
    assert added.template_id == template.pk and added.unit == "年"
    client.post(f"/goals/indicators/{added.pk}/delete/")
    assert not goal.indicators.filter(pk=added.pk).exists()


def test_api_put_submit_review_flow(client, api_token, demo):
    project = make_project("T-API-1")
    body = {"overall_goal": CLEAN_OVERALL, "indicators": CLEAN_ROWS}
    response = client.put(
        f"/api/v1/projects/{project.pk}/goal", body, content_type="application/json", **api_token("unit_xinzhou")
    )
    assert response.status_code == 200 and response.json()["error_count"] == 0
    assert (
        client.post(f"/api/v1/projects/{project.pk}/goal/submit", **api_token("unit_xinzhou")).json()["status"]
        == "submitted"
    )
    refused = client.post(f"/api/v1/projects/{project.pk}/goal/review", {"decision": "approve", "grade": "优"},
                          content_type="application/json", **api_token("perf_admin"))  # fmt: skip
    assert refused.status_code == 403
    ok = client.post(f"/api/v1/projects/{project.pk}/goal/review", {"decision": "approve", "grade": "优"},
                     content_type="application/json", **api_token("xinzhou_fin"))  # fmt: skip
    assert ok.json()["status"] == "finance_review"
    again = client.put(
        f"/api/v1/projects/{project.pk}/goal", body, content_type="application/json", **api_token("unit_xinzhou")
    )
    assert again.status_code == 409 and again.json()["code"] == "goal_not_editable"


def test_api_submit_with_errors_is_422(client, api_token, demo):
    goal = make_goal(overall="")
    response = client.post(f"/api/v1/projects/{goal.project_id}/goal/submit", **api_token("unit_xinzhou"))
    assert response.status_code == 422 and response.json()["code"] == "goal_has_errors"


def _check(client, api_token, indicators, **extra):
    body = {"category": "X21-CYFZ", "year": 2020, "style": "88", "budget": 100, "overall_goal": CLEAN_OVERALL,
            "indicators": indicators, **extra}  # fmt: skip
    response = client.post("/api/v1/goals/check", body, content_type="application/json", **api_token("unit_xinzhou"))
    assert response.status_code == 200
    return {f["code"]: f for f in response.json()["findings"]}


def test_check_endpoint_reports_several_codes(client, api_token, demo):
    assert _check(client, api_token, CLEAN_ROWS, category="F18-CYFZ") == {}
    rows = [dict(r) for r in CLEAN_ROWS if r["name"] != "受益脱贫(建档立卡)人口数"]
    rows[5]["target"] = "120"
    rows[4]["target"] = "明显提高"
    rows[4]["operator"] = ""
    found = _check(client, api_token, rows, category="F18-CYFZ", overall_goal="")
    assert {"G01", "G04", "G10"} <= set(found)
    assert found["G10"]["indicator"] == 5 and found["G10"]["severity"] == "error"


def test_review_letter_docx_names_projects(demo):
    goal = make_goal(make_project("T-DOC-1", name="仓埠街道蔬菜基地项目"), status=GoalStatus.APPROVED)
    goal.grade = "优"
    goal.save()
    letter = do_issue_review_letter(goal.project.department, [goal], acting_user=demo["perf_admin"])
    text = "\n".join(p.text for p in Document(io.BytesIO(render_letter(letter))).paragraphs)
    assert letter.number in text and "〔" in letter.number
    assert "仓埠街道蔬菜基地项目" in text and "T-DOC-1" in text and "审核结果:优" in text


def test_public_page_lists_approved_goals_without_personal_data(client, demo):
    goal = make_goal(make_project("T-PUB-1", year=2020, created_by=demo["unit_xinzhou"]), status=GoalStatus.APPROVED)
    draft = make_goal(make_project("T-PUB-2", year=2020))
    html = client.get("/goals/public/2020/").content.decode()
    assert goal.project.code in html and draft.project.code not in html
    for user in demo.values():
        assert user.full_name not in html and user.username not in html
        if getattr(user, "phone", ""):
            assert user.phone not in html


def test_api_goal_is_scoped(client, api_token, demo):
    goal = make_goal()  # 新洲
    assert client.get(f"/api/v1/projects/{goal.project_id}/goal", **api_token("jiangxia_fin")).status_code == 404
    assert client.get(f"/api/v1/projects/{goal.project_id}/goal", **api_token("xinzhou_fin")).status_code == 200
    put = client.put(f"/api/v1/projects/{goal.project_id}/goal", {"indicators": []}, content_type="application/json",
                     **api_token("xinzhou_fin"))  # fmt: skip
    assert put.status_code == 403 and put.json()["code"] == "forbidden"
