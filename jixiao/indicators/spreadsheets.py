"""Excel import and export of the standard indicator library, all-or-nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from jixiao.core.excel import CellError, Column, WorkbookError, parse_bool, parse_int, read_table
from jixiao.indicators.actions import do_save_template
from jixiao.indicators.models import OPERATOR_CHOICES, IndicatorTemplate
from jixiao.projects.models import Category

SHEET = "标准指标库"


def _float(value: Any) -> float:
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise ValueError("应为数字")


def _operator(value: Any) -> str:
    text = str(value).strip()
    if text not in {c for c, _ in OPERATOR_CHOICES}:
        raise ValueError("应为 ≥、≤、= 或 定性")
    return text


COLUMNS = [
    Column("code", "指标编码", required=True, max_length=20),
    Column("category", "适用类别编码", max_length=32, width=16, help="留空为通用指标"),
    Column("name", "指标名称", required=True, max_length=100, width=30),
    Column("level1", "一级指标(88号)", required=True, max_length=20),
    Column("level2", "二级指标(88号)", required=True, max_length=20),
    Column("level1_101", "一级指标(101号)", required=True, max_length=20),
    Column("level2_101", "二级指标(101号)", required=True, max_length=20),
    Column("unit", "计量单位", max_length=20),
    Column("operator", "指标方向", required=True, parse=_operator),
    Column("default_target", "参考指标值", max_length=50),
    Column("range_low", "合理区间下限", parse=_float),
    Column("range_high", "合理区间上限", parse=_float),
    Column("core", "核心指标", parse=parse_bool),
    Column("explanation", "指标解释", width=40),
    Column("data_source", "数据来源", max_length=200, width=30),
    Column("valid_from", "起始年度", required=True, parse=parse_int),
    Column("valid_to", "截止年度", parse=parse_int),
]


def export_rows(queryset) -> list[list[Any]]:
    return [
        [t.code, t.category.code if t.category else "", t.name, t.level1, t.level2, t.level1_101, t.level2_101, t.unit,
         t.operator, t.default_target, t.range_low, t.range_high, t.core, t.explanation, t.data_source, t.valid_from,
         t.valid_to]
        for t in queryset.select_related("category")
    ]  # fmt: skip


def import_templates(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Creates or updates templates keyed by (编码, 类别, 起始年度); writes nothing unless every row is valid."""
    table = read_table(data, file_name=file_name, columns=COLUMNS)
    categories = {c.code: c for c in Category.objects.all()}
    errors: list[CellError] = []
    prepared = []
    for row_no, record in table.rows:
        code = record.pop("category") or ""
        if code and code not in categories:
            errors.append(CellError(file_name, table.sheet, row_no, "适用类别编码", code, "不存在的项目类别编码"))
            continue
        record = {k: ("" if v is None and k in ("unit", "default_target", "explanation", "data_source") else v)
                  for k, v in record.items()}  # fmt: skip
        record["core"] = bool(record.get("core"))
        prepared.append((row_no, categories.get(code), record))
    if errors:
        raise WorkbookError(errors)
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        for row_no, category, record in prepared:
            template = IndicatorTemplate.objects.filter(
                code=record["code"], category=category, valid_from=record["valid_from"]
            ).first() or IndicatorTemplate(category=category)
            counts["updated" if template.pk else "created"] += 1
            try:
                do_save_template(template, changes=record, acting_user=acting_user)
            except ValidationError as exc:
                errors.append(CellError(file_name, table.sheet, row_no, "", record["code"], ";".join(exc.messages)))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise WorkbookError(errors)
    return counts
