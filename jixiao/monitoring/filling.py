"""Cleaning what a unit enters on a 监控表 (amounts and indicator lines): Chinese messages that name the row.

Pure functions: they raise ValidationError or return messages and never write, so an action validates the whole
input before it saves anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from jixiao.monitoring.models import Cause, Likelihood, MonitoringLine, MonitoringReport

FILL_FIELDS = ("progress", "likelihood", "cause", "measures")
NEW_LINE_FIELDS = ("level1", "level2", "name", "operator", "target", "unit")
AMOUNT_FIELDS = ("annual_budget", "executed", "expected_annual")
AMOUNT_LABELS = {"annual_budget": "年初预算数", "executed": "1–N月执行数", "expected_annual": "全年预计执行数"}
# Model limits (max_digits=16, decimal_places=2) and CharField lengths, checked here so the database never refuses.
MAX_AMOUNT = Decimal("99999999999999.99")
TEXT_LIMITS = {
    "level1": ("一级指标", 20),
    "level2": ("二级指标", 20),
    "name": ("三级指标", 100),
    "operator": ("指标方向", 4),
    "target": ("指标值", 100),
    "unit": ("计量单位", 20),
    "progress": ("执行情况", 200),
    "measures": ("完善措施", 500),
}
AT_RISK = (Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE)


def clean_amount(name: str, raw: Decimal | int | str) -> Decimal:
    """Returns the amount when it fits the 监控表 (finite, ≥ 0, two decimals, within 16 digits)."""
    label = AMOUNT_LABELS[name]
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({name: f"{label}“{raw}”应为数字。"})
    if not value.is_finite():
        raise ValidationError({name: f"{label}“{value}”应为数字。"})
    if value < 0:
        raise ValidationError({name: f"{label}不能为负数(填写的是 {value})。"})
    if value > MAX_AMOUNT:
        raise ValidationError({name: f"{label} {value} 超出范围(单位为元,最多 14 位整数)。"})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({name: f"{label} {value} 最多保留两位小数(单位为元)。"})
    return value.quantize(Decimal("0.01"))


def _choice(value: str, choices: Any, label: str, where: str) -> str:
    """Returns the code for a choice given as code or Chinese label; "" stays blank."""
    if not value:
        return ""
    if value in choices.values:
        return value
    by_label = {str(lab): code for code, lab in choices.choices}
    if value in by_label:
        return by_label[value]
    raise ValidationError(
        f"{where}:{label}应为 {'/'.join(str(lab) for lab in choices.labels)} 之一(填写的是“{value}”)。"
    )


def _text(values: Mapping[str, Any], name: str, where: str) -> str:
    text = str(values.get(name) or "").strip()
    label, limit = TEXT_LIMITS[name]
    if len(text) > limit:
        raise ValidationError(f"{where}:{label}不能超过 {limit} 个字(现有 {len(text)} 个)。")
    return text


def _line_id(raw: Any, where: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}:指标行编号“{raw}”应为整数。")


def apply_lines(report: MonitoringReport, lines: Sequence[Mapping[str, Any]]) -> list[MonitoringLine]:
    """Returns the report's lines (unsaved) with the posted values applied and new lines appended, in order.

    Each posted line either names an existing line by `id` (only the fill fields change) or, without an id, adds
    an indicator the goal lacked (a name is then required).
    """
    existing = {line.pk: line for line in report.lines.all()}
    merged = dict(existing)
    next_sort = max((line.sort for line in existing.values()), default=0)
    for index, values in enumerate(lines, start=1):
        where = f"第 {index} 项指标"
        line_id = values.get("id")
        if line_id not in (None, ""):
            line = existing.get(_line_id(line_id, where))
            if line is None:
                raise ValidationError(f"{where}:指标行 {line_id} 不属于该监控表。")
        else:
            name = _text(values, "name", where)
            if not name:
                raise ValidationError(f"{where}:新增指标须填写三级指标名称。")
            next_sort += 1
            line = MonitoringLine(report=report, sort=next_sort)
            for field in NEW_LINE_FIELDS:
                setattr(line, field, _text(values, field, where))
            merged[-next_sort] = line
        where = f"{where}“{line.name}”"
        for field in ("progress", "measures"):
            if field in values:
                setattr(line, field, _text(values, field, where))
        if "likelihood" in values:
            line.likelihood = _choice(str(values["likelihood"] or "").strip(), Likelihood, "完成目标可能性", where)
        if "cause" in values:
            line.cause = _choice(str(values["cause"] or "").strip(), Cause, "偏差原因", where)
    return sorted(merged.values(), key=lambda line: line.sort)


def line_errors(lines: Sequence[MonitoringLine], *, require_likelihood: bool) -> list[str]:
    """Chinese messages for lines missing a likelihood, or a cause and measures where they are mandatory."""
    errors = []
    for index, line in enumerate(lines, start=1):
        where = f"第 {index} 项指标“{line.name}”"
        if not line.likelihood:
            if require_likelihood:
                errors.append(f"{where}:请选择完成目标可能性(确定能/有可能/不可能)。")
            continue
        if line.likelihood in AT_RISK:
            label = Likelihood(line.likelihood).label
            if not line.cause:
                errors.append(f"{where}完成可能性为“{label}”,必须选择偏差原因({'、'.join(Cause.labels)})。")
            if not line.measures.strip():
                errors.append(f"{where}完成可能性为“{label}”,必须填写完善措施。")
    return errors


def submission_errors(report: MonitoringReport, lines: Sequence[MonitoringLine]) -> list[str]:
    """What keeps a 监控表 from being submitted: no indicator, incomplete lines, inconsistent amounts."""
    errors = []
    if not lines:
        errors.append("监控表没有绩效指标:请在填报页补充至少一项指标及其执行情况后再提交。")
    errors += line_errors(lines, require_likelihood=True)
    if report.executed > report.expected_annual:
        period = report.round.period
        errors.append(
            f"{period}执行数 {report.executed:.2f} 元大于全年预计执行数 {report.expected_annual:.2f} 元,请核实后再提交。"
        )
    return errors
