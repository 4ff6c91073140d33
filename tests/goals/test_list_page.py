"""The goal list pages over ids and loads only the page's rows: order, filters and a bounded query count."""

from __future__ import annotations

import re

import pytest

from jixiao.goals.models import Goal
from tests.goals.factories import make_project

pytestmark = pytest.mark.django_db


def codes(html: str) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", html)


def add_goals(count: int, year: int = 2020) -> None:
    projects = [make_project(f"T-GLIST-{i:03d}", year=year) for i in range(count)]
    Goal.objects.bulk_create(
        [Goal(project=p, year=year, style="101", error_count=i % 2) for i, p in enumerate(projects)]
    )


def test_list_orders_by_year_then_code_and_pages(demo, login):
    add_goals(60)
    client = login("perf_admin")

    first = codes(client.get("/goals/").content.decode())
    second = codes(client.get("/goals/?page=2").content.decode())

    expected = list(Goal.objects.order_by("-year", "project__code").values_list("project__code", flat=True))
    assert first == expected[:50] and second == expected[50:100]


def test_list_filters_still_apply(demo, login):
    add_goals(6)
    html = login("perf_admin").get("/goals/?q=T-GLIST&errors=1").content.decode()

    assert codes(html) == ["T-GLIST-001", "T-GLIST-003", "T-GLIST-005"]
    assert "T-GLIST-001 高标准蔬菜基地建设项目" in html


def test_list_query_count_does_not_grow_with_rows(demo, login, django_assert_max_num_queries):
    client = login("perf_admin")
    client.get("/goals/")
    add_goals(60)
    with django_assert_max_num_queries(12):
        response = client.get("/goals/?page=2")
    assert response.status_code == 200 and len(codes(response.content.decode())) == 50
