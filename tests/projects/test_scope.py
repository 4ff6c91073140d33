"""Data scope on reads and writes: pages, API and actions agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.orgs.models import Unit
from jixiao.projects.actions import do_create_project, do_update_project
from jixiao.projects.models import Project
from tests.projects.factories import jiangxia_values, make_project, xinzhou_values

pytestmark = pytest.mark.django_db


def _codes(user) -> set[str]:
    return set(Project.objects.visible_to(user).values_list("code", flat=True))


def test_reads_follow_each_roles_scope(demo):
    xinzhou = make_project(code="T-XZ", evaluator=Unit.objects.get(code="DSF-CT"))
    jiangxia = make_project(code="T-JX", **{k: v for k, v in jiangxia_values().items() if k != "name"})

    seen = {name: _codes(demo[name]) & {"T-XZ", "T-JX"} for name in demo}

    assert seen["perf_admin"] == seen["inspector"] == {"T-XZ", "T-JX"}
    assert seen["xinzhou_fin"] == {"T-XZ"}
    assert seen["jiangxia_fin"] == {"T-JX"}
    assert seen["unit_xinzhou"] == {"T-XZ"}
    assert seen["agri_div"] == {"T-XZ"}  # division CZJ-NYC; the 江夏 one has none
    assert seen["third_party"] == {"T-XZ"}  # assigned evaluator
    assert seen["dept_agri"] == set()  # city 农业农村局 tree, not the district's
    assert seen["sysadmin"] == seen["secadmin"] == seen["auditadmin"] == set()
    assert xinzhou.pk and jiangxia.pk


def test_district_finance_cannot_edit_another_district_404(demo, login):
    project = make_project(code="T-JX", **{k: v for k, v in jiangxia_values().items() if k != "name"})

    assert login("xinzhou_fin").get(f"/projects/{project.pk}/edit/").status_code == 404
    assert login("jiangxia_fin").get(f"/projects/{project.pk}/edit/").status_code == 200


def test_inspector_cannot_edit_403(demo, login, client, api_token):
    project = make_project()

    assert login("inspector").get(f"/projects/{project.pk}/").status_code == 200
    assert login("inspector").get(f"/projects/{project.pk}/edit/").status_code == 403
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        data={"name": "改名"},
        content_type="application/json",
        **api_token("inspector"),
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_api_patch_outside_scope_is_404(demo, client, api_token):
    project = make_project(code="T-JX", **{k: v for k, v in jiangxia_values().items() if k != "name"})

    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        data={"name": "改名"},
        content_type="application/json",
        **api_token("xinzhou_fin"),
    )

    assert response.status_code == 404
    project.refresh_from_db()
    assert project.name == "仓埠新建村产业路项目"


def test_unit_cannot_create_a_project_for_another_unit(demo):
    with pytest.raises(PermissionDenied):
        do_create_project(acting_user=demo["unit_xinzhou"], changes=jiangxia_values(), funds=[])

    assert not Project.objects.filter(name="仓埠新建村产业路项目", unit__code="420115-U1").exists()


def test_editor_cannot_move_a_project_out_of_its_scope(demo):
    project = make_project()

    with pytest.raises(PermissionDenied):
        do_update_project(
            project, acting_user=demo["unit_xinzhou"], changes={"unit": Unit.objects.get(code="420115-U1")}
        )

    assert Project.objects.get(pk=project.pk).unit.code == "420117-U2"


def test_create_form_offers_only_units_the_user_may_fill(demo, login):
    page = login("unit_xinzhou").get("/projects/new/").content.decode()

    assert "新洲区仓埠街道农业服务中心" in page
    assert "江夏区纸坊街道农业服务中心" not in page


def test_unit_creates_a_project_through_the_form(demo, login):
    response = login("unit_xinzhou").post(
        "/projects/new/",
        {
            "name": "仓埠光伏电站项目",
            "year": 2021,
            "category": xinzhou_values()["category"].pk,
            "region": xinzhou_values()["region"].pk,
            "unit": Unit.objects.get(code="420117-U2").pk,
            "department": Unit.objects.get(code="420117-NYJ").pk,
            "households": 10,
            "persons": 30,
            "poverty_persons": 5,
            "monitored_persons": 0,
            "fund_xianjie": "120.5",
            "fund_district": "20",
        },
    )

    project = Project.objects.get(name="仓埠光伏电站项目")
    assert response.status_code == 302
    assert (project.status, project.budget_wan, project.created_by) == (
        "reserve",
        Decimal("140.5"),
        demo["unit_xinzhou"],
    )
    assert project.code.startswith("XM2021-")
    assert sorted(project.funds.values_list("source", flat=True)) == ["district", "xianjie"]
