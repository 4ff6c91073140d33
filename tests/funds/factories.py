"""Factories for projects, allocations and payments (tests build their inputs visibly)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jixiao.funds.models import Allocation, Payment
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Category, Project


def category() -> Category:
    found, _ = Category.objects.get_or_create(
        code="T-CY", defaults={"name": "产业发展", "taxonomy": "衔接", "valid_from": 2021}
    )
    return found


def make_project(code: str, **overrides: Any) -> Project:
    """A 2023 project (no demo project has that year) in 新洲区仓埠街道 run by 420117-U2 under 420117-NYJ, managed by 农业农村处 (unless overridden)."""
    existing = Project.objects.filter(code=code).first()
    if existing is not None:
        return existing
    values: dict[str, Any] = {
        "name": f"测试项目{code}",
        "year": 2023,
        "category": category(),
        "region": Region.objects.get(code="420117101201"),
        "unit": Unit.objects.get(code="420117-U2"),
        "department": Unit.objects.get(code="420117-NYJ"),
        "division": Unit.objects.get(code="CZJ-NYC"),
        "budget_wan": Decimal("100"),
        "status": "in_progress",
    }
    values.update(overrides)
    return Project.objects.create(code=code, **values)


def jiangxia_project(code: str, **overrides: Any) -> Project:
    """A project in 江夏区 run by 420115-U1 under 420115-NYJ, without a managing division."""
    return make_project(
        code,
        region=Region.objects.get(code="420115100201"),
        unit=Unit.objects.get(code="420115-U1"),
        department=Unit.objects.get(code="420115-NYJ"),
        division=None,
        **overrides,
    )


def allocate(project: Project, amount: str, on: dt.date, **overrides: Any) -> Allocation:
    values: dict[str, Any] = {
        "document_no": f"鄂财农发〔2021〕{Allocation.objects.count() + 1}号",
        "fund_name": "衔接推进乡村振兴补助资金",
        "source": "central",
        "level": "central",
        "amount": Decimal(amount),
        "allocated_on": on,
    }
    values.update(overrides)
    return Allocation.objects.create(project=project, **values)


def pay(project: Project, amount: str, on: dt.date, **overrides: Any) -> Payment:
    values: dict[str, Any] = {
        "voucher_no": f"ZF{Payment.objects.count() + 1:08d}",
        "source": "central",
        "amount": Decimal(amount),
        "payee": "某某建设有限公司",
        "is_final_recipient": True,
        "is_retention": False,
    }
    values.update(overrides)
    return Payment.objects.create(project=project, paid_on=on, **values)
