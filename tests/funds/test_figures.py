"""Fund figures and rollups, asserted to the cent; 执行率 counts only final-recipient, non-retention payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixiao.funds.selectors import project_figures, rollup, rollup_by_source, total_of
from jixiao.projects.models import Project
from tests.funds.factories import allocate, jiangxia_project, make_project, pay

D = Decimal


@pytest.fixture
def projects(demo):
    a = make_project("T-R-A")
    allocate(a, "100000", dt.date(2023, 3, 1), source="central")
    allocate(a, "50000", dt.date(2023, 4, 1), source="city", level="city")
    pay(a, "40000", dt.date(2023, 4, 2), source="central")
    pay(a, "10000", dt.date(2023, 4, 3), source="central", is_retention=True)
    pay(a, "5000", dt.date(2023, 4, 4), source="city", is_final_recipient=False)
    pay(a, "15000", dt.date(2023, 6, 30), source="city")
    b = jiangxia_project("T-R-B")
    allocate(b, "200000", dt.date(2023, 2, 1), source="central")
    pay(b, "200000", dt.date(2023, 5, 1), source="central")
    return Project.objects.filter(code__in=["T-R-A", "T-R-B"]).order_by("code")


def test_project_figures(projects):
    a, b = project_figures(projects)

    assert (a.allocated, a.paid, a.spent, a.rate) == (D("150000"), D("70000"), D("55000"), D("36.67"))
    assert (b.allocated, b.spent, b.rate) == (D("200000"), D("200000"), D("100.00"))
    assert a.days_since(dt.date(2023, 3, 31)) == 30


def test_figures_until_a_date(projects):
    a, _ = project_figures(projects, until=dt.date(2023, 6, 29))

    assert (a.spent, a.rate) == (D("40000"), D("26.67"))


def test_rollups_by_district_unit_and_source(projects):
    figures = project_figures(projects)

    districts = {g.label: (g.allocated, g.spent, g.rate, g.projects) for g in rollup(figures, "district")}
    assert districts == {
        "新洲区": (D("150000"), D("55000"), D("36.67"), 1),
        "江夏区": (D("200000"), D("200000"), D("100.00"), 1),
    }
    units = {g.label for g in rollup(figures, "unit")}
    assert units == {"新洲区仓埠街道农业服务中心", "江夏区纸坊街道农业服务中心"}
    sources = {g.label: (g.allocated, g.paid, g.spent, g.rate) for g in rollup_by_source(projects)}
    assert sources == {
        "中央财政专项扶贫资金": (D("300000"), D("250000"), D("240000"), D("80.00")),
        "市级财政专项扶贫资金": (D("50000"), D("20000"), D("15000"), D("30.00")),
    }
    total = total_of(figures)
    assert (total.allocated, total.spent, total.rate, total.projects) == (D("350000"), D("255000"), D("72.86"), 2)


def test_no_allocation_means_no_rate(demo):
    project = make_project("T-R-C")
    pay(project, "10", dt.date(2023, 4, 1))

    (figures,) = project_figures(Project.objects.filter(pk=project.pk))

    assert figures.rate is None and figures.spent == D("10")
