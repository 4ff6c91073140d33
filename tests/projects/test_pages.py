"""List page filters, sorting and paging; detail page; the demo library's shape."""

from __future__ import annotations

import re

import pytest

from jixiao.demo import projects as demo_projects
from jixiao.projects.models import Project, ProjectStatus

pytestmark = pytest.mark.django_db


def codes(html: str) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


def test_filters_combine(demo, login):
    html = login("perf_admin").get("/projects/?year=2021&district=420117&status=in_progress&sort=code").content.decode()

    expected = Project.objects.filter(year=2021, region__code__startswith="420117", status="in_progress")
    assert codes(html) == sorted(expected.values_list("code", flat=True))[:50]


def test_text_category_and_unit_filters(demo, login):
    client = login("perf_admin")

    by_text = codes(client.get("/projects/?q=XJ2021-420117-0001").content.decode())
    by_unit = codes(client.get("/projects/?unit=420117-U2&sort=code").content.decode())
    by_category = codes(client.get("/projects/?category=F18-JCSS&sort=code").content.decode())

    assert by_text == ["XJ2021-420117-0001"]
    assert by_unit == sorted(Project.objects.filter(unit__code="420117-U2").values_list("code", flat=True))[:50]
    assert by_category == sorted(Project.objects.filter(category__code="F18-JCSS").values_list("code", flat=True))[:50]


def test_sorting_descending_by_budget_and_paging(demo, login):
    client = login("perf_admin")

    first = codes(client.get("/projects/?sort=-budget").content.decode())
    second = codes(client.get("/projects/?sort=-budget&page=2").content.decode())

    expected = list(Project.objects.order_by("-budget_wan", "pk").values_list("code", flat=True))
    assert first == expected[:50] and second == expected[50:100]


def test_detail_shows_funds_history_and_goal_state(demo, login):
    project = Project.objects.get(code=demo_projects.WALK_PROJECT_CODE)

    html = login("unit_xinzhou").get(f"/projects/{project.pk}/").content.decode()

    assert project.name in html and "项目历程" in html and "储备 → 入库" in html
    for fund in project.funds.all():
        assert fund.get_source_display() in html
    assert "报告完工" in html  # the unit may report completion of an in-progress project


def test_list_page_query_count_does_not_grow_with_rows(demo, login, django_assert_max_num_queries):
    client = login("perf_admin")
    with django_assert_max_num_queries(12):
        client.get("/projects/?sort=code")


def test_demo_library_matches_the_seed(demo):
    projects = Project.objects.filter(code__regex=r"^(FP2019|XJ2021)-")

    assert projects.count() == 405
    assert set(projects.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert projects.values("department").distinct().count() == 13 + 6
    assert projects.filter(unit__code="420117-U2").exists()
    assert 25 <= projects.filter(evaluator__code="DSF-CT").count() <= 35
    assert projects.filter(division__code="CZJ-NYC").count() > 300
    assert not projects.filter(year=2019).exclude(category__taxonomy="扶贫").exists()
    assert not projects.filter(year=2021).exclude(category__taxonomy="衔接").exists()
    assert demo_projects.load()["new_projects"] == 0  # idempotent


def test_edit_form_updates_fields_and_fund_lines_with_audit(demo, login):
    from decimal import Decimal

    from jixiao.audit.models import AuditLog
    from tests.projects.factories import make_project

    project = make_project()
    client = login("xinzhou_fin")
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"name": "仓埠新建村产业路(调整)", "fund_xianjie": "60", "fund_city": "25"})

    response = client.post(f"/projects/{project.pk}/edit/", data)

    assert response.status_code == 302, response.context["form"].errors if response.context else None
    project.refresh_from_db()
    assert (project.name, project.budget_wan) == ("仓埠新建村产业路(调整)", Decimal("85"))
    log = AuditLog.objects.filter(model="projects.project", object_id=str(project.pk), action="update").get()
    assert log.after["name"] == "仓埠新建村产业路(调整)" and "资金" in log.note


def test_export_downloads_the_import_layout(demo, login):
    from python_calamine import CalamineWorkbook

    from jixiao.projects.spreadsheets import COLUMNS

    response = login("unit_xinzhou").get("/projects/export/?year=2021")

    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == [c.header for c in COLUMNS]
    assert {r[COLUMNS.index(next(c for c in COLUMNS if c.key == "unit"))] for r in rows[1:]} == {"420117-U2"}
    assert len(rows) - 1 == Project.objects.filter(unit__code="420117-U2", year=2021).count()


def test_detail_links_the_approved_goal(demo, login):
    from django.urls import reverse

    from tests.projects.factories import approve_goal, make_project

    project = make_project()
    goal = approve_goal(project)

    html = login("unit_xinzhou").get(f"/projects/{project.pk}/").content.decode()

    assert f'href="{reverse("goals:goal_detail", args=[goal.pk])}"' in html and "已批复" in html
