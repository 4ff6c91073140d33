"""The clue workflow (DOMAIN §9) declared as data: statuses, transitions, who may fire them and their guards.

新线索 → 分类 → 交办 → 核实中 → 核实结果 → 处置 → 复核 → 销号, with side states 逾期, 退回重办, 暂存待查, 移交纪委.
Triage, assignment, review and closing belong to CROSSCHECK_RUN holders (预算绩效管理处); accepting, verifying
and handling belong to CROSSCHECK_VERIFY holders (区财政局) within their scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from jixiao.accounts.permissions import Perm


class ClueStatus(models.TextChoices):
    NEW = "new", "新线索"
    CLASSIFIED = "classified", "已分类"
    ASSIGNED = "assigned", "已交办"
    VERIFYING = "verifying", "核实中"
    VERIFIED = "verified", "已核实"
    HANDLED = "handled", "已处置"
    REVIEWED = "reviewed", "已复核"
    CLOSED = "closed", "已销号"
    OVERDUE = "overdue", "逾期"
    REDO = "redo", "退回重办"
    PARKED = "parked", "暂存待查"
    REFERRED = "referred", "移交纪委"

    @classmethod
    def open_assigned(cls) -> tuple[str, ...]:
        """Statuses in which the assigned unit still owes a verification (deadline applies)."""
        return (cls.ASSIGNED, cls.VERIFYING, cls.REDO)


class ClueCategory(models.TextChoices):
    DATA_ERROR = "data_error", "数据错误"
    RECTIFY = "rectify", "需整改"
    TRANSFER = "transfer", "移交"


class VerifyResult(models.TextChoices):
    CONFIRMED = "confirmed", "属实"
    UNFOUNDED = "unfounded", "查否"
    PARTIAL = "partial", "部分属实"


Guard = Callable[[Any, dict[str, Any]], str | None]
"""``guard(clue, data)`` returns a Chinese refusal or None when the transition may proceed."""


def _needs_category(clue: Any, data: dict[str, Any]) -> str | None:
    return None if data.get("category") in ClueCategory.values else "请选择分类:数据错误、需整改或移交"


def _needs_assignment(clue: Any, data: dict[str, Any]) -> str | None:
    if clue.status == ClueStatus.CLASSIFIED and clue.category == ClueCategory.DATA_ERROR:
        return "分类为“数据错误”的线索不需交办,可直接销号"
    if data.get("unit") is None:
        return "请选择交办单位"
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date):
        return "请填写核实期限(日期)"
    if deadline < dt.date.today():
        return "核实期限不能早于今天"
    return None


def _needs_result(clue: Any, data: dict[str, Any]) -> str | None:
    if data.get("result") not in VerifyResult.values:
        return "请选择核实结果:属实、查否或部分属实"
    return None if data.get("opinion") else "请填写核实意见"


def _needs_measure(clue: Any, data: dict[str, Any]) -> str | None:
    if clue.verify_result not in (VerifyResult.CONFIRMED, VerifyResult.PARTIAL):
        return "核实结果为“查否”的线索不需处置,请直接复核"
    amount = data.get("recovered_amount")
    if amount is not None and amount < 0:
        return "追回金额不能为负数"
    if amount and not data.get("recovered_on"):
        return "填写追回金额时请同时填写追回日期"
    if not (data.get("stop_payment") or data.get("disqualified") or amount):
        return "请至少选择一项处置措施:停发、取消资格或追回金额"
    return None


def _reviewable(clue: Any, data: dict[str, Any]) -> str | None:
    if clue.status == ClueStatus.VERIFIED and clue.verify_result != VerifyResult.UNFOUNDED:
        return "核实属实的线索须先处置再复核"
    return None


def _closable(clue: Any, data: dict[str, Any]) -> str | None:
    if clue.status == ClueStatus.CLASSIFIED and clue.category != ClueCategory.DATA_ERROR:
        return "只有分类为“数据错误”的线索可不经核实直接销号"
    return None


def _past_deadline(clue: Any, data: dict[str, Any]) -> str | None:
    if clue.deadline is None or clue.deadline >= dt.date.today():
        return "尚未超过核实期限,不能标记逾期"
    return None


def _needs_opinion(clue: Any, data: dict[str, Any]) -> str | None:
    return None if data.get("opinion") else "请填写意见"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: back to the status before parking
    perm: str
    guard: Guard | None = None
    fields: tuple[str, ...] = ()  # form fields shown with the button

    def refusal(self, clue: Any, data: dict[str, Any]) -> str | None:
        """Return why this transition can't fire on the clue now, or None."""
        if clue.status not in self.sources:
            return f"线索当前状态为“{clue.get_status_display()}”,不能执行“{self.label}”"
        return self.guard(clue, data) if self.guard else None


S = ClueStatus
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("classify", "分类", (S.NEW,), S.CLASSIFIED, Perm.CROSSCHECK_RUN, _needs_category, ("category",)),
        Transition(
            "assign",
            "交办",
            (S.CLASSIFIED, S.OVERDUE, S.REDO),
            S.ASSIGNED,
            Perm.CROSSCHECK_RUN,
            _needs_assignment,
            ("unit", "deadline"),
        ),
        Transition("accept", "接收核实", (S.ASSIGNED, S.OVERDUE, S.REDO), S.VERIFYING, Perm.CROSSCHECK_VERIFY),
        Transition(
            "verify",
            "报送核实结果",
            (S.VERIFYING, S.OVERDUE),
            S.VERIFIED,
            Perm.CROSSCHECK_VERIFY,
            _needs_result,
            ("result",),
        ),
        Transition(
            "handle",
            "处置",
            (S.VERIFIED,),
            S.HANDLED,
            Perm.CROSSCHECK_VERIFY,
            _needs_measure,
            ("stop_payment", "disqualified", "recovered_amount", "recovered_on"),
        ),
        Transition("review", "复核通过", (S.VERIFIED, S.HANDLED), S.REVIEWED, Perm.CROSSCHECK_RUN, _reviewable),
        Transition("close", "销号", (S.REVIEWED, S.CLASSIFIED), S.CLOSED, Perm.CROSSCHECK_RUN, _closable),
        Transition("overdue", "标记逾期", (S.ASSIGNED, S.VERIFYING), S.OVERDUE, Perm.CROSSCHECK_RUN, _past_deadline),
        Transition(
            "redo", "退回重办", (S.VERIFIED, S.HANDLED, S.REVIEWED), S.REDO, Perm.CROSSCHECK_RUN, _needs_opinion
        ),
        Transition("park", "暂存待查", (S.NEW, S.CLASSIFIED), S.PARKED, Perm.CROSSCHECK_RUN),
        Transition("unpark", "恢复处理", (S.PARKED,), None, Perm.CROSSCHECK_RUN),
        Transition(
            "refer",
            "移交纪委",
            (S.CLASSIFIED, S.VERIFIED, S.HANDLED, S.REVIEWED),
            S.REFERRED,
            Perm.CROSSCHECK_RUN,
            _needs_opinion,
        ),
    ]
}


def available(clue: Any, perms: set[str]) -> list[Transition]:
    """Return the transitions whose source matches the clue's status and whose permission the user holds."""
    return [t for t in TRANSITIONS.values() if clue.status in t.sources and t.perm in perms]
