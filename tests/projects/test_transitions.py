"""Status transitions: declared table, who may do which, events and audit rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.audit.models import AuditLog
from jixiao.projects import transitions
from jixiao.projects.actions import ProjectRefused, do_transition_project, do_update_project
from jixiao.projects.models import ProjectStatus
from tests.projects.factories import approve_goal, make_project

pytestmark = pytest.mark.django_db


def test_every_non_final_status_may_be_terminated_and_final_ones_lead_nowhere():
    for status in ProjectStatus.values:
        targets = {t.target for t in transitions.leaving(status)}
        if status in transitions.FINAL:
            assert targets == set()
        else:
            assert "terminated" in targets


def test_full_lifecycle_writes_one_event_and_audit_row_per_step(demo):
    project = make_project()
    approve_goal(project)
    steps = [
        ("in_library", "unit_xinzhou"),
        ("approved", "agri_div"),
        ("in_progress", "unit_xinzhou"),
        ("completed", "unit_xinzhou"),
        ("accepted", "perf_admin"),
    ]
    for to, username in steps:
        do_transition_project(project, to, acting_user=demo[username])

    project.refresh_from_db()
    assert project.status == "accepted"
    moves = list(project.events.filter(kind="transition").values_list("from_status", "to_status", "actor__username"))
    assert moves == [
        ("reserve", "in_library", "unit_xinzhou"),
        ("in_library", "approved", "agri_div"),
        ("approved", "in_progress", "unit_xinzhou"),
        ("in_progress", "completed", "unit_xinzhou"),
        ("completed", "accepted", "perf_admin"),
    ]
    audits = AuditLog.objects.filter(model="projects.project", object_id=str(project.pk), action="transition")
    assert [a.after["status"] for a in audits.order_by("id")] == [to for to, _ in steps]


def test_unit_cannot_approve_its_own_project(demo):
    project = make_project()
    approve_goal(project)
    do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"])

    with pytest.raises(PermissionDenied):
        do_transition_project(project, "approved", acting_user=demo["unit_xinzhou"])


def test_division_cannot_approve_a_project_outside_its_division(demo):
    project = make_project(division=None)
    approve_goal(project)
    do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"])

    with pytest.raises(PermissionDenied):
        do_transition_project(project, "approved", acting_user=demo["agri_div"])


def test_skipping_a_step_is_refused_with_409_code(demo):
    project = make_project()

    with pytest.raises(ProjectRefused) as refused:
        do_transition_project(project, "accepted", acting_user=demo["perf_admin"])

    assert refused.value.code == "transition_not_allowed"
    assert refused.value.message == "项目状态“储备”不能变更为“已验收”。"


def test_unknown_status_code_is_invalid(demo):
    with pytest.raises(ValidationError):
        do_transition_project(make_project(), "deleted", acting_user=demo["perf_admin"])


def test_terminated_project_is_final_and_read_only(demo):
    project = make_project()
    do_transition_project(project, "terminated", acting_user=demo["agri_div"], note="村里另有安排")

    with pytest.raises(ProjectRefused) as refused:
        do_transition_project(project, "in_library", acting_user=demo["perf_admin"])
    assert refused.value.code == "transition_not_allowed"
    with pytest.raises(ProjectRefused) as closed:
        do_update_project(project, acting_user=demo["perf_admin"], changes={"name": "新名称"})
    assert closed.value.message == "项目状态为“已终止”,不能修改。"


def test_repeating_a_done_transition_is_a_no_op_for_who_may_make_it(demo):
    project = make_project()
    approve_goal(project)
    do_transition_project(project, "in_library", acting_user=demo["unit_xinzhou"])

    do_transition_project(project, "in_library", acting_user=demo["xinzhou_fin"])

    assert project.events.filter(kind="transition").count() == 1
    with pytest.raises(PermissionDenied):
        do_transition_project(project, "in_library", acting_user=demo["inspector"])


def test_page_transition_moves_and_shows_history(demo, login):
    project = make_project()
    approve_goal(project)
    client = login("unit_xinzhou")

    client.post(f"/projects/{project.pk}/transition/", {"to": "in_library", "note": "申请入库"})
    page = client.get(f"/projects/{project.pk}/").content.decode()

    project.refresh_from_db()
    assert project.status == "in_library"
    assert "储备 → 入库" in page and "申请入库" in page
