"""Import allocations and payments from an xlsx workbook or a CSV file (UTF-8 or GBK), all-or-nothing.

Layout (docs/funds.md): sheet 指标下达 and/or sheet 资金支付, modelled on the 扶贫资金动态监控平台 export. A CSV
holds one of the two tables; which one is told by its header row. Payments are keyed by voucher number, so a
re-import adds nothing twice and updates (and audits) changed rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction
from python_calamine import CalamineWorkbook

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.core.excel import (
    CellError,
    Column,
    WorkbookError,
    cell_text,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    read_table,
)
from jixiao.funds.actions import do_save_allocation, do_save_payment
from jixiao.funds.models import FundLevel
from jixiao.projects.models import FundSource, Project

ALLOCATION_SHEET = "指标下达"
PAYMENT_SHEET = "资金支付"
MAX_AMOUNT = Decimal("99999999999999.99")


def parse_amount(value: Any) -> Decimal:
    """Return an amount in 元 with at most two decimals, not negative."""
    try:
        number = parse_decimal(value)
    except ValueError:
        raise ValueError("应为金额(元),如 12500.00")
    if number < 0:
        raise ValueError("金额不能为负数")
    if number > MAX_AMOUNT or number != number.quantize(Decimal("0.01")):
        raise ValueError("应为最多两位小数的金额(元)")
    return number.quantize(Decimal("0.01"))


ALLOCATION_COLUMNS = [
    Column("document_no", "指标文件文号", required=True, max_length=100, width=24, help="如 鄂财农发〔2021〕12号"),
    Column("fund_name", "资金名称", required=True, max_length=100, width=24),
    Column("source", "资金来源", required=True, parse=parse_choice(FundSource.choices), width=22),
    Column("level", "资金级次", required=True, parse=parse_choice(FundLevel.choices), width=10, help="中央/省/市/区"),
    Column("project", "项目编码", required=True, max_length=40, width=20),
    Column("project_name", "项目名称", max_length=200, width=30, help="仅供核对,不导入"),
    Column("amount", "下达金额(元)", required=True, parse=parse_amount, width=16),
    Column("allocated_on", "下达日期", required=True, parse=parse_date, width=12),
    Column("received_on", "收到上级指标日期", parse=parse_date, width=14),
]

PAYMENT_COLUMNS = [
    Column("voucher_no", "支付凭证号", required=True, max_length=64, width=20),
    Column("paid_on", "支付日期", required=True, parse=parse_date, width=12),
    Column("project", "项目编码", required=True, max_length=40, width=20),
    Column("project_name", "项目名称", max_length=200, width=30, help="仅供核对,不导入"),
    Column("source", "资金来源", required=True, parse=parse_choice(FundSource.choices), width=22),
    Column("payee", "收款人", required=True, max_length=200, width=24),
    Column("amount", "支付金额(元)", required=True, parse=parse_amount, width=16),
    Column("is_final_recipient", "是否支付到最终收款人", required=True, parse=parse_bool, width=12),
    Column("is_retention", "是否质保金", parse=parse_bool, width=10),
    Column("summary", "摘要", max_length=200, width=30),
]


class ScopeError(WorkbookError):
    """Every problem is a project outside the user's fund scope (the API answers 403)."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)

    def count(self, outcome: str, label: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if outcome == "updated":
            self.changes.append(label)


def decode_csv(data: bytes, *, file_name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookError([CellError(file_name, expected="CSV 文件编码应为 UTF-8 或 GBK")])


def csv_to_workbook(data: bytes, *, file_name: str) -> tuple[bytes, str]:
    """Return the CSV as a one-sheet xlsx (every cell text) named after the table its header names."""
    rows = list(csv.reader(io.StringIO(decode_csv(data, file_name=file_name))))
    header = [cell.strip() for cell in rows[0]] if rows else []
    if "支付凭证号" in header:
        sheet = PAYMENT_SHEET
    elif "指标文件文号" in header:
        sheet = ALLOCATION_SHEET
    else:
        raise WorkbookError(
            [CellError(file_name, row=1, expected="表头应含“支付凭证号”(支付表)或“指标文件文号”(下达表)")]
        )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    worksheet = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            worksheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue(), sheet


def _sheets(data: bytes, file_name: str) -> tuple[bytes, list[str]]:
    if file_name.lower().endswith(".csv"):
        workbook, sheet = csv_to_workbook(data, file_name=file_name)
        return workbook, [sheet]
    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    found = [name for name in (ALLOCATION_SHEET, PAYMENT_SHEET) if name in names]
    if not found:
        raise WorkbookError([CellError(file_name, expected=f"缺少工作表「{ALLOCATION_SHEET}」或「{PAYMENT_SHEET}」")])
    return data, found


def _projects(rows, *, file_name: str, sheet: str, acting_user: Any) -> tuple[dict[str, Project], list[CellError]]:
    codes = {values["project"] for _, values in rows if values.get("project")}
    known = {p.code: p for p in Project.objects.filter(code__in=codes)}
    manageable = set(known)
    if acting_user is not None:
        manageable = set(
            Project.objects.visible_to(acting_user, Perm.FUNDS_MANAGE)
            .filter(code__in=codes)
            .values_list("code", flat=True)
        )
    errors = []
    for row_no, values in rows:
        code = values.get("project")
        if code not in known:
            errors.append(CellError(file_name, sheet, row_no, "项目编码", code, "项目库中没有该项目编码"))
        elif code not in manageable:
            errors.append(CellError(file_name, sheet, row_no, "项目编码", code, "该项目不在您的资金管理范围内"))
    return known, errors


def _duplicates(rows, *, file_name: str, sheet: str, key: str, header: str) -> list[CellError]:
    """Report a key repeated with different contents; identical repeats are harmless."""
    seen: dict[Any, tuple[int, dict[str, Any]]] = {}
    errors = []
    for row_no, values in rows:
        ident = values[key] if key == "voucher_no" else (values["document_no"], values["project"])
        if ident in seen and seen[ident][1] != values:
            first, other = seen[ident]
            diff = next((k for k in values if values[k] != other.get(k)), "")
            what = "金额不同" if diff == "amount" else "内容不同"
            errors.append(
                CellError(
                    file_name, sheet, row_no, header, values[key], f"与第 {first} 行重复且{what},请核对后只保留一行"
                )
            )
        seen.setdefault(ident, (row_no, values))
    return errors


def _unique_rows(rows, key: str):
    seen = set()
    for row_no, values in rows:
        ident = values[key] if key == "voucher_no" else (values["document_no"], values["project"])
        if ident not in seen:
            seen.add(ident)
            yield row_no, values


def _validated(data: bytes, file_name: str, acting_user: Any):
    workbook, sheets = _sheets(data, file_name)
    tables, errors, scope_only = [], [], True
    for sheet in sheets:
        columns = PAYMENT_COLUMNS if sheet == PAYMENT_SHEET else ALLOCATION_COLUMNS
        table = read_table(workbook, file_name=file_name, columns=columns, sheet_name=sheet)
        key, header = ("voucher_no", "支付凭证号") if sheet == PAYMENT_SHEET else ("document_no", "指标文件文号")
        duplicate_errors = _duplicates(table.rows, file_name=file_name, sheet=sheet, key=key, header=header)
        projects, project_errors = _projects(table.rows, file_name=file_name, sheet=sheet, acting_user=acting_user)
        scope_only = scope_only and not duplicate_errors and all("管理范围" in e.expected for e in project_errors)
        errors += duplicate_errors + project_errors
        tables.append((sheet, key, table.rows, projects))
    if errors:
        raise (ScopeError if scope_only else WorkbookError)(errors)
    return tables


@transaction.atomic
def import_funds(data: bytes, *, file_name: str, acting_user: Any) -> ImportResult:
    """Validate the whole file, then create or update allocations and payments; write nothing on any error."""
    require_perm(acting_user, Perm.FUNDS_MANAGE)
    result = ImportResult()
    for sheet, key, rows, projects in _validated(data, file_name, acting_user):
        for _, values in _unique_rows(rows, key):
            values = {k: v for k, v in values.items() if k != "project_name"}
            project = projects[values.pop("project")]
            if sheet == PAYMENT_SHEET:
                values["is_retention"] = bool(values.get("is_retention"))
                values["summary"] = values.get("summary") or ""
                voucher = values.pop("voucher_no")
                _, outcome = do_save_payment(
                    voucher_no=voucher, values={**values, "project": project}, acting_user=acting_user
                )
                result.count(outcome, f"支付凭证 {voucher}")
            else:
                _, outcome = do_save_allocation(project=project, values=values, acting_user=acting_user)
                result.count(outcome, f"指标文件 {values['document_no']}({project.code})")
    return result


def template_rows() -> list[tuple[str, list[Column], list[list[Any]]]]:
    """The import template: both sheets with headers and one example row each."""
    return [
        (
            ALLOCATION_SHEET,
            ALLOCATION_COLUMNS,
            [
                [
                    "鄂财农发〔2021〕12号",
                    "中央财政衔接推进乡村振兴补助资金",
                    "中央财政专项扶贫资金",
                    "中央",
                    "项目编码",
                    "",
                    500000,
                    "2021-03-15",
                    "2021-03-01",
                ]
            ],
        ),
        (
            PAYMENT_SHEET,
            PAYMENT_COLUMNS,
            [
                [
                    "ZF2021000001",
                    "2021-04-20",
                    "项目编码",
                    "",
                    "中央财政专项扶贫资金",
                    "某某建设有限公司",
                    120000,
                    "是",
                    "否",
                    "工程进度款",
                ]
            ],
        ),
    ]


__all__ = ["ImportResult", "ScopeError", "cell_text", "import_funds"]
