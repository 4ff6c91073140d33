"""Fund warning rules F01–F03: a hand-computed failing case and a near miss for each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jixiao.funds import rules
from jixiao.projects.models import Project
from tests.funds.factories import allocate, make_project, pay


def _outcomes(project: Project, as_of: dt.date, code: str) -> list[rules.Outcome]:
    found = rules.evaluate(Project.objects.filter(pk=project.pk), as_of=as_of)
    return [o for o in found if o.code == code]


def test_f01_passed_down_after_31_days_fails_and_30_days_passes(demo):
    project = make_project("T-F01")
    allocate(project, "1000", dt.date(2023, 3, 31), document_no="准时", received_on=dt.date(2023, 3, 1))
    allocate(project, "1000", dt.date(2023, 4, 1), document_no="超期", received_on=dt.date(2023, 3, 1))

    outcomes = {o.evidence["document_no"]: o for o in _outcomes(project, dt.date(2023, 5, 1), "F01")}

    assert outcomes["准时"].passed and outcomes["准时"].evidence["days"] == 30
    assert not outcomes["超期"].passed and outcomes["超期"].evidence["days"] == 31
    assert outcomes["超期"].message == "指标文件 超期 收到后 31 天才下达(上限 30 天)"


def test_f02_year_end_balance_above_7_percent(demo):
    near = make_project("T-F02-OK")
    allocate(near, "100000", dt.date(2023, 3, 1))
    pay(near, "93000", dt.date(2023, 12, 31))
    over = make_project("T-F02-BAD")
    allocate(over, "100000", dt.date(2023, 3, 1))
    pay(over, "92999.99", dt.date(2023, 12, 31))
    pay(over, "5000", dt.date(2024, 1, 5))  # paid after year end: does not count

    (ok,) = _outcomes(near, dt.date(2024, 1, 15), "F02")
    (bad,) = _outcomes(over, dt.date(2024, 1, 15), "F02")

    assert ok.passed and ok.evidence["balance_ratio"] == "7.00"
    assert not bad.passed and bad.evidence["spent"] == "92999.99"
    assert _outcomes(over, dt.date(2023, 12, 31), "F02") == []  # not evaluated before the year ends


def test_f03_payment_above_project_budget_counts_retention(demo):
    near = make_project("T-F03-OK", budget_wan=Decimal("10"))
    pay(near, "90000", dt.date(2023, 4, 1))
    pay(near, "10000", dt.date(2023, 4, 2), is_retention=True)
    over = make_project("T-F03-BAD", budget_wan=Decimal("10"))
    pay(over, "100000.01", dt.date(2023, 4, 1), is_final_recipient=False)

    (ok,) = _outcomes(near, dt.date(2023, 5, 1), "F03")
    (bad,) = _outcomes(over, dt.date(2023, 5, 1), "F03")

    assert ok.passed
    assert not bad.passed and bad.level == "red"
    assert bad.message == "累计支付 100000.01 元,超过项目预算 100000.00 元"


def test_warnings_return_only_failures(demo):
    project = make_project("T-F-ALL", budget_wan=Decimal("1"))
    pay(project, "20000", dt.date(2023, 4, 1))

    found = rules.warnings(Project.objects.filter(pk=project.pk), as_of=dt.date(2023, 5, 1))

    assert [(o.code, o.passed) for o in found] == [("F03", False)]
