"""Build import files in the documented layout (xlsx sheets 指标下达 / 资金支付, or CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jixiao.core.excel import write_workbook
from jixiao.funds.importer import ALLOCATION_COLUMNS, ALLOCATION_SHEET, PAYMENT_COLUMNS, PAYMENT_SHEET

PAYMENT_HEADER = [
    "支付凭证号",
    "支付日期",
    "项目编码",
    "资金来源",
    "收款人",
    "支付金额(元)",
    "是否支付到最终收款人",
    "是否质保金",
]


def payment_row(voucher: str, project: str, amount: Any, *, on: str = "2023-04-10", final: str = "是",
                retention: str = "否") -> list[Any]:  # fmt: skip
    return [voucher, on, project, "", "中央财政专项扶贫资金", "某某建设有限公司", amount, final, retention, ""]


def allocation_row(doc: str, project: str, amount: Any, *, on: str = "2023-03-01", received: str = "") -> list[Any]:
    return [doc, "衔接资金", "中央财政专项扶贫资金", "中央", project, "", amount, on, received]


def xlsx(payments: Sequence[list[Any]] = (), allocations: Sequence[list[Any]] = ()) -> bytes:
    sheets: list = []
    if allocations:
        sheets.append((ALLOCATION_SHEET, ALLOCATION_COLUMNS, allocations))
    if payments:
        sheets.append((PAYMENT_SHEET, PAYMENT_COLUMNS, payments))
    return write_workbook(sheets)


def payments_csv(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    lines = [",".join(PAYMENT_HEADER)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)
