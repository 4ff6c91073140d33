"""The project API: list with filters and paging, create, read, patch, transitions."""

from __future__ import annotations

import pytest

from jixiao.projects.models import Project
from tests.projects.factories import approve_goal, make_project

pytestmark = pytest.mark.django_db

NEW = {
    "name": "仓埠和平村人居环境整治项目",
    "year": 2021,
    "category_code": "X21-XCJS",
    "subcategory_code": "X21-XCJS-RJHJ",
    "region_code": "420117101203",
    "unit_code": "420117-U2",
    "department_code": "420117-NYJ",
    "households": 50,
    "persons": 160,
    "poverty_persons": 20,
    "funds": [{"source": "xianjie", "amount_wan": "88.5"}, {"source": "district", "amount_wan": "11.5"}],
}


def call(client, method, path, token, body=None):
    return getattr(client, method)(path, data=body or {}, content_type="application/json", **token)


def test_create_read_patch(demo, client, api_token):
    token = api_token("unit_xinzhou")

    created = call(client, "post", "/api/v1/projects", token, {**NEW, "code": "API-0001"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["code"], body["status"], body["budget_wan"], body["unit_code"]) == (
        "API-0001",
        "reserve",
        "100.0000",
        "420117-U2",
    )
    patched = call(
        client,
        "patch",
        f"/api/v1/projects/{body['id']}",
        token,
        {"persons": 170, "funds": [{"source": "xianjie", "amount_wan": "90"}]},
    )
    assert patched.status_code == 200
    assert (patched.json()["persons"], patched.json()["budget_wan"]) == (170, "90.0000")
    assert call(client, "get", f"/api/v1/projects/{body['id']}", token).json()["funds"] == [
        {"source": "xianjie", "amount_wan": "90.0000"}
    ]


def test_create_with_duplicate_code_is_409(demo, client, api_token):
    make_project(code="API-DUP")

    response = call(client, "post", "/api/v1/projects", api_token("unit_xinzhou"), {**NEW, "code": "API-DUP"})

    assert response.status_code == 409 and response.json()["code"] == "duplicate_code"


def test_invalid_values_are_422_in_chinese(demo, client, api_token):
    response = call(
        client, "post", "/api/v1/projects", api_token("unit_xinzhou"), {**NEW, "persons": 10, "poverty_persons": 20}
    )

    assert response.status_code == 422
    assert "其中脱贫人口与监测对象之和超过受益人数" in response.json()["message"]


def test_unknown_reference_is_422(demo, client, api_token):
    response = call(client, "post", "/api/v1/projects", api_token("unit_xinzhou"), {**NEW, "region_code": "999"})

    assert response.status_code == 422 and "region_code" in response.json()["message"]


def test_list_filters_and_paging(demo, client, api_token):
    token = api_token("perf_admin")

    all_2019 = call(client, "get", "/api/v1/projects?year=2019&limit=1000", token).json()
    page = call(client, "get", "/api/v1/projects?year=2019&limit=10&offset=5&sort=code", token).json()
    xinzhou = call(client, "get", "/api/v1/projects?district=420117&status=accepted&limit=1000", token).json()

    assert len(all_2019) == Project.objects.filter(year=2019).count()
    assert [p["code"] for p in page] == sorted(p["code"] for p in all_2019)[5:15]
    assert xinzhou and all(p["region_code"].startswith("420117") and p["status"] == "accepted" for p in xinzhou)


def test_list_is_scoped(demo, client, api_token):
    listed = call(client, "get", "/api/v1/projects?limit=1000", api_token("unit_xinzhou")).json()

    assert listed and {p["unit_code"] for p in listed} == {"420117-U2"}


def test_transition_happy_path_and_refusals(demo, client, api_token):
    project = make_project()
    approve_goal(project)
    path = f"/api/v1/projects/{project.pk}/transitions"

    moved = call(client, "post", path, api_token("unit_xinzhou"), {"to": "in_library"})
    skipped = call(client, "post", path, api_token("perf_admin"), {"to": "accepted"})
    forbidden = call(client, "post", path, api_token("unit_xinzhou"), {"to": "approved"})
    unknown = call(client, "post", path, api_token("perf_admin"), {"to": "done"})

    assert (moved.status_code, moved.json()["status"]) == (200, "in_library")
    assert (skipped.status_code, skipped.json()["code"]) == (409, "transition_not_allowed")
    assert forbidden.status_code == 403
    assert unknown.status_code == 422
