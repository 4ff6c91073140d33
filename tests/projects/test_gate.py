"""The gate of 国办发〔2018〕35号: no approved goal, no library entry and no budget request."""

from __future__ import annotations

import pytest

from jixiao.audit.models import AuditLog
from jixiao.projects.actions import ProjectRefused, do_request_budget, do_transition_project
from jixiao.projects.gate import GATE_MESSAGE, has_approved_goal
from jixiao.projects.models import ProjectEvent
from tests.projects.factories import approve_goal, make_project

pytestmark = pytest.mark.django_db


def test_gate_message_names_the_rule():
    assert "国办发〔2018〕35号" in GATE_MESSAGE and "不得纳入项目库" in GATE_MESSAGE


def test_library_entry_without_goal_is_refused_and_writes_nothing(demo):
    project = make_project()
    events, audits = ProjectEvent.objects.count(), AuditLog.objects.count()

    with pytest.raises(ProjectRefused) as refused:
        do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"])

    assert refused.value.code == "goal_not_approved"
    assert "国办发〔2018〕35号" in refused.value.message
    project.refresh_from_db()
    assert project.status == "reserve"
    assert (ProjectEvent.objects.count(), AuditLog.objects.count()) == (events, audits)


def test_goal_not_yet_approved_still_blocks(demo):
    from jixiao.goals.models import Goal

    project = make_project()
    Goal.objects.create(project=project, year=2021, style="101", status="finance_review")

    assert has_approved_goal(project) is False
    with pytest.raises(ProjectRefused):
        do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"])


def test_library_entry_with_approved_goal_passes(demo):
    project = make_project()
    approve_goal(project)

    do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"], note="已批复目标")

    project.refresh_from_db()
    assert project.status == "in_library"
    event = project.events.get(kind="transition")
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "reserve",
        "in_library",
        demo["unit_xinzhou"],
        "已批复目标",
    )


def test_budget_request_without_goal_is_refused(demo):
    project = make_project()

    with pytest.raises(ProjectRefused) as refused:
        do_request_budget(project, acting_user=demo["unit_xinzhou"])

    assert refused.value.code == "goal_not_approved"
    project.refresh_from_db()
    assert project.budget_requested_at is None


def test_budget_request_with_goal_records_time_and_event(demo):
    project = make_project()
    approve_goal(project)

    do_request_budget(project, acting_user=demo["unit_xinzhou"])

    project.refresh_from_db()
    assert project.budget_requested_at is not None
    assert project.events.filter(kind="budget", actor=demo["unit_xinzhou"]).count() == 1
    assert AuditLog.objects.filter(model="projects.project", object_id=str(project.pk), note="申请预算").exists()


def test_gate_refusal_on_the_page_shows_the_rule(demo, login):
    project = make_project()

    response = login("unit_xinzhou").post(f"/projects/{project.pk}/transition/", {"to": "in_library"}, follow=True)

    assert response.status_code == 200
    assert "国办发〔2018〕35号" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "reserve"


def test_budget_request_refusal_on_the_page(demo, login):
    project = make_project()

    response = login("unit_xinzhou").post(f"/projects/{project.pk}/request-budget/", follow=True)

    assert "国办发〔2018〕35号" in response.content.decode()


def test_gate_refusal_in_the_api_is_409_with_code(demo, client, api_token):
    project = make_project()

    response = client.post(
        f"/api/v1/projects/{project.pk}/transitions",
        data={"to": "in_library"},
        content_type="application/json",
        **api_token("unit_xinzhou"),
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "goal_not_approved"
    assert "国办发〔2018〕35号" in body["message"]
