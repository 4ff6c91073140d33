"""Import one filled 自评表 in the official layout (the workbook `spreadsheets.evaluation_workbook` exports).

What a unit may write is read back: the amounts of 当年财政拨款 / 上年结转资金 / 其他资金, the budget explanation,
年度总体目标 and 实际完成情况, and per indicator row the 实际完成值 (不适用 for not applicable, the tier or its
wording for 定性), the 得分 of a 定性 row (a share inside its tier) and the 偏差原因分析及改进措施. Targets, points and
names stay as the goal set them: a row whose 三级指标 differs is refused. All-or-nothing: the cells are read, then
saved by the same action as the form, whose refusals come back located by sheet, row, column and value.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from python_calamine import CalamineWorkbook

from jixiao.accounts.permissions import Perm
from jixiao.core.excel import (
    CellError,
    WorkbookError,
    cell_text,
    column_letter,
    open_book,
    parse_decimal,
    read_upload,
    sheet_rows,
)
from jixiao.selfeval.actions import do_save_self_evaluation
from jixiao.selfeval.entry import FUND_AMOUNTS, FUND_SOURCES, EntryRefused, read_amount
from jixiao.selfeval.models import Campaign, SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.profiles import ScoringProfile, TierBand
from jixiao.selfeval.scoring import QUALITATIVE, normalize_operator
from jixiao.selfeval.spreadsheets import (
    BUDGET_EXPLANATION_HEADER,
    FIRST_INDICATOR_ROW,
    FUND_FIRST_ROW,
    FUND_ROWS,
    INDICATOR_HEADERS,
    NOT_APPLICABLE,
    qualitative_tier,
)

TITLE = "项目支出绩效自评表"
OVERALL_ROW = 10  # 0-based: 预期目标 in column B, 实际完成情况 in column F
AMOUNT_COLUMNS = {"initial": 2, "annual": 3, "executed": 4}
BUDGET_EXPLANATION_CELL = (FUND_FIRST_ROW, 8)
# Indicator grid columns (0-based) and their headers.
NAME_COL, TARGET_COL, ACTUAL_COL, SCORE_COL, EXPLANATION_COL = 2, 3, 4, 6, 7
ROW_COLUMNS = {"actual": ACTUAL_COL, "applicable": ACTUAL_COL, "tier": ACTUAL_COL, "share": SCORE_COL,
               "explanation": EXPLANATION_COL}  # fmt: skip


class _Sheet:
    """The cells of one sheet with the errors found while reading them."""

    def __init__(self, file_name: str, name: str, rows: list[list[Any]]):
        self.file_name, self.name, self.rows = file_name, name, rows
        self.errors: list[CellError] = []

    def value(self, row: int, col: int) -> Any:
        cells = self.rows[row] if row < len(self.rows) else []
        return cells[col] if col < len(cells) else None

    def text(self, row: int, col: int) -> str:
        return cell_text(self.value(row, col))

    def error(self, row: int, col: int, value: Any, expected: str, header: str = "") -> None:
        column = f"{column_letter(col)}({header})" if header else column_letter(col)
        self.errors.append(CellError(self.file_name, self.name, row + 1, column, value, expected))


def import_evaluation_table(
    data: bytes, *, file_name: str, evaluation: SelfEvaluation, acting_user: Any, book: CalamineWorkbook | None = None
) -> int:
    """Read the filled 自评表 and save it with the form's action; return how many indicator rows were read. `book`:
    the workbook of `data` when the caller has opened it already (one sheet per project, read one at a time)."""
    sheet = _open(data, file_name, evaluation, book)
    rows = list(evaluation.indicators.order_by("position"))
    changes = _funds(sheet) | _overall(sheet)
    actuals = _indicators(sheet, rows, evaluation.campaign.profile.profile())
    if sheet.errors:
        raise WorkbookError(sheet.errors)
    try:
        do_save_self_evaluation(evaluation=evaluation, acting_user=acting_user, changes=changes, actuals=actuals)
    except EntryRefused as exc:
        raise WorkbookError([_located(sheet, p.position, p.field, p.value, p.message) for p in exc.problems])
    except ValidationError as exc:
        raise WorkbookError([CellError(file_name, sheet.name, expected=m) for m in exc.messages])
    return len(actuals)


def _open(data: bytes, file_name: str, evaluation: SelfEvaluation, book: CalamineWorkbook | None) -> _Sheet:
    """Return the sheet of this 自评表: the only one, or the one named by the project code as exported."""
    book = book if book is not None else open_book(data)
    names = book.sheet_names
    code = evaluation.project.code.replace("/", "-")[:31]
    name = names[0] if len(names) == 1 else code if code in names else None
    if name is None:
        expected = f"工作簿有 {len(names)} 个工作表,找不到以项目编码「{code}」命名的自评表"
        raise WorkbookError([CellError(file_name, expected=expected)])
    sheet = _Sheet(file_name, name, sheet_rows(book, name))
    if sheet.text(0, 0) != TITLE:
        sheet.error(0, 0, sheet.text(0, 0), f"应为“{TITLE}”:请上传从本系统导出的自评表并保持格式不变")
        raise WorkbookError(sheet.errors)
    if sheet.text(2, 1) != evaluation.project.name:
        sheet.error(2, 1, sheet.text(2, 1), f"应为本自评表的项目「{evaluation.project.name}」", "项目名称")
    if [sheet.text(FIRST_INDICATOR_ROW - 1, c) for c in range(len(INDICATOR_HEADERS))] != INDICATOR_HEADERS:
        sheet.error(FIRST_INDICATOR_ROW - 1, 0, None, "指标表标题行应为:" + "、".join(INDICATOR_HEADERS))
    if sheet.errors:
        raise WorkbookError(sheet.errors)
    return sheet


def _funds(sheet: _Sheet) -> dict[str, Any]:
    """Read the amounts of each source (the total row is computed, not read) and the budget explanation."""
    changes: dict[str, Any] = {}
    for offset, (source, _) in enumerate(FUND_SOURCES, start=1):
        row = FUND_FIRST_ROW + offset
        if sheet.text(row, 1) != FUND_ROWS[offset]:
            sheet.error(row, 1, sheet.text(row, 1), f"应为“{FUND_ROWS[offset]}”(请勿调整资金行)")
            continue
        for amount, header in FUND_AMOUNTS:
            col, field = AMOUNT_COLUMNS[amount], f"{source}_{amount}"
            value, problem = read_amount(field, sheet.text(row, col))
            if problem is not None:
                sheet.error(row, col, problem.value, problem.message, header)
            changes[field] = value if value is not None or amount == "executed" else Decimal(0)
    changes["budget_explanation"] = sheet.text(*BUDGET_EXPLANATION_CELL)
    return changes


def _overall(sheet: _Sheet) -> dict[str, str]:
    return {"overall_target": sheet.text(OVERALL_ROW, 1), "overall_actual": sheet.text(OVERALL_ROW, 5)}


def _indicators(
    sheet: _Sheet, rows: list[SelfEvaluationIndicator], profile: ScoringProfile
) -> dict[int, dict[str, Any]]:
    """Read each indicator row's entries by 序号 (the grid's order); the rows must be the 自评表's own."""
    actuals: dict[int, dict[str, Any]] = {}
    end = next(
        (r for r in range(FIRST_INDICATOR_ROW, len(sheet.rows)) if sheet.text(r, 0) == "总分" or _blank(sheet, r)),
        len(sheet.rows),
    )
    found = end - FIRST_INDICATOR_ROW
    if found != len(rows):
        sheet.error(end, 0, sheet.text(end, 0), f"指标行应为 {len(rows)} 行(本表有 {found} 行):请勿增删指标行")
        return actuals
    for offset, item in enumerate(rows):
        r = FIRST_INDICATOR_ROW + offset
        if sheet.text(r, NAME_COL) != item.name:
            sheet.error(r, NAME_COL, sheet.text(r, NAME_COL), f"应为「{item.name}」(请勿修改或调换指标行)", "三级指标")
            continue
        values = _entered(sheet, r, item, profile)
        if values is not None:
            actuals[item.position] = values
    return actuals


def _blank(sheet: _Sheet, r: int) -> bool:
    return not any(cell_text(v) for v in sheet.rows[r])


def _entered(sheet: _Sheet, r: int, item: SelfEvaluationIndicator, profile: ScoringProfile) -> dict[str, Any] | None:
    text = sheet.text(r, ACTUAL_COL)
    values: dict[str, Any] = {"explanation": sheet.text(r, EXPLANATION_COL), "applicable": text != NOT_APPLICABLE}
    if text == NOT_APPLICABLE:
        return values
    if normalize_operator(item.operator) != QUALITATIVE:
        unit = item.unit.strip()
        values["actual"] = text[: -len(unit)].strip() if unit and text.endswith(unit) else text
        return values
    tier = qualitative_tier(text, item.target) if text else ""
    if tier is None:
        expected = "定性指标应填 达成、部分达成 或 未达成(或 达成预期指标、基本达到、未完成 等表述)"
        sheet.error(r, ACTUAL_COL, text, expected, "实际完成值")
        return None
    values.update(actual=text, tier=tier, share=_share(sheet, r, item, profile.tier(tier)) if tier else None)
    return values


def _share(sheet: _Sheet, r: int, item: SelfEvaluationIndicator, band: TierBand) -> Decimal | None:
    """Return the share of W a stated 定性 得分 gives (None: blank, or the tier's default score as exported)."""
    text = sheet.text(r, SCORE_COL)
    if not text or not item.weight:
        return None
    try:
        score = parse_decimal(text)
    except ValueError:
        sheet.error(r, SCORE_COL, text, "定性指标的得分应为数字,或留空按档次默认比例计分", "得分")
        return None
    if abs(item.weight * band.default / 100 - score) < Decimal("0.005"):
        return None
    return (score * 100 / item.weight).quantize(Decimal("0.01"))


def _located(sheet: _Sheet, position: int, field: str, value: Any, message: str) -> CellError:
    """Return a refusal of the action as the cell it came from."""
    if position == 0:
        source = field.split("_")[0]
        offsets = {s: i for i, (s, _) in enumerate(FUND_SOURCES, start=1)}
        if source in offsets:
            amount = field.split("_", 1)[1] if "_" in field else "executed"
            col = AMOUNT_COLUMNS.get(amount, AMOUNT_COLUMNS["executed"])
            return _cell(sheet, FUND_FIRST_ROW + offsets[source], col, value, message, dict(FUND_AMOUNTS).get(amount))
        if field == "budget_explanation":
            return _cell(sheet, *BUDGET_EXPLANATION_CELL, value, message, BUDGET_EXPLANATION_HEADER)
        return _cell(sheet, FUND_FIRST_ROW, AMOUNT_COLUMNS["executed"], value, message, "全年执行数")
    col = ROW_COLUMNS.get(field, ACTUAL_COL)
    return _cell(sheet, FIRST_INDICATOR_ROW + position - 1, col, value, message, INDICATOR_HEADERS[col])


def _cell(sheet: _Sheet, row: int, col: int, value: Any, message: str, header: str | None = None) -> CellError:
    column = f"{column_letter(col)}({header})" if header else column_letter(col)
    return CellError(sheet.file_name, sheet.name, row + 1, column, value, message)


MAX_MEMBERS = 2000  # 自评表 in one zip


def import_campaign_tables(data: bytes, *, file_name: str, campaign: Campaign, acting_user: Any) -> int:
    """Import many filled 自评表 of a campaign at once; return how many.

    Either form the campaign exports: a zip of 自评表 workbooks (named 项目编码_项目名称.xlsx, as `campaign_zip` writes
    them) or one workbook with a sheet per project (named by the project code, as `campaign_workbook` writes it).
    Each table is read and saved like a single upload (`import_evaluation_table`); all-or-nothing over the whole
    file: the problems of every table are listed together, each naming its file or sheet, and nothing is saved.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        read_upload(data, file_name=file_name)  # refuses it, naming the limit
    tables = _zip_members(data, file_name) if is_plain_zip(data) else _workbook_sheets(data, file_name)
    fillable = {
        ev.project.code.replace("/", "-")[:31]: ev
        for ev in SelfEvaluation.objects.visible_to(acting_user, Perm.SELFEVAL_FILL)
        .filter(campaign=campaign)
        .select_related("project", "campaign__profile")
    }
    errors: list[CellError] = []
    with transaction.atomic():
        for name, code, content, book in tables:
            evaluation = fillable.get(code)
            if evaluation is None:
                errors.append(CellError(name, expected=f"本任务中没有您可填报的项目「{code}」的自评表"))
                continue
            try:
                with transaction.atomic():  # a table refused halfway leaves nothing of itself
                    import_evaluation_table(content, file_name=name, evaluation=evaluation, acting_user=acting_user,
                                            book=book)  # fmt: skip
            except WorkbookError as exc:
                errors += exc.errors
        if not tables:
            errors.append(CellError(file_name, expected="文件中没有自评表"))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise WorkbookError(errors[:500])
    return len(tables)


def holds_tables(data: bytes) -> bool:
    """True when an upload holds 自评表 in the official layout (a zip of them, or a workbook whose first sheet is
    one), not the flat actuals template."""
    if is_plain_zip(data):
        return True
    try:
        book = open_book(data)
        rows = sheet_rows(book, book.sheet_names[0])
    except Exception:  # not a workbook at all: the template import names the problem
        return False
    return bool(rows and rows[0] and cell_text(rows[0][0]) == TITLE)


def is_plain_zip(data: bytes) -> bool:
    """A zip that is not itself a workbook (an .xlsx is a zip too)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" not in archive.namelist()
    except zipfile.BadZipFile:
        return False


_Table = tuple[str, str, bytes, CalamineWorkbook | None]  # name shown in errors, project code, workbook, its book


def _zip_members(data: bytes, file_name: str) -> list[_Table]:
    """(file name shown in errors, project code, workbook bytes) of every .xlsx in the zip."""
    limit = settings.UPLOAD_MAX_BYTES
    found: list[_Table] = []
    errors: list[CellError] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
        if len(members) > MAX_MEMBERS:
            raise WorkbookError(
                [CellError(file_name, expected=f"压缩包内有 {len(members)} 个文件,超过上限 {MAX_MEMBERS}")]
            )
        if sum(m.file_size for m in members) > limit * 4:
            raise WorkbookError([CellError(file_name, expected=f"压缩包解压后超过 {limit * 4 // 1048576} MB")])
        for member in members:
            base = _member_name(member)
            shown = f"{file_name}/{base}"
            if not base.lower().endswith(".xlsx"):
                errors.append(CellError(shown, expected="压缩包内只能放从本系统导出的自评表(.xlsx)"))
                continue
            content = archive.read(member)
            try:
                read_upload(content, file_name=shown)
            except WorkbookError as exc:
                errors += exc.errors
                continue
            found.append((shown, base.rsplit(".", 1)[0].split("_", 1)[0], content, None))
    if errors:
        raise WorkbookError(errors[:500])
    return found


def _member_name(member: zipfile.ZipInfo) -> str:
    """The member's file name without folders; zips made on Chinese Windows name members in GBK, not UTF-8."""
    name = member.filename
    if not member.flag_bits & 0x800:  # no UTF-8 flag: the bytes were read as cp437
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name.rsplit("/", 1)[-1]


def _workbook_sheets(data: bytes, file_name: str) -> list[_Table]:
    """(file name, project code = sheet name, the workbook) per sheet of a workbook holding several 自评表."""
    data = read_upload(data, file_name=file_name)
    book = open_book(data)  # opened once: each 自评表 then reads its own sheet
    return [(file_name, name, data, book) for name in book.sheet_names]
