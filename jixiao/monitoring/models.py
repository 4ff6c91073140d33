"""Execution monitoring (“双监控”): rounds, one 监控表 per project and round, its indicator lines and events."""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for


def default_thresholds() -> dict[str, Any]:
    """Warning thresholds of a round (DOMAIN §4 defaults); 序时进度 is cut-off month ÷ 12."""
    return {"yellow_gap": 10, "red_gap": 20, "late_month": 8, "late_rate": 60, "large_budget_wan": 200}


THRESHOLD_LABELS = {
    "yellow_gap": "黄色预警:低于序时进度(百分点)",
    "red_gap": "红色预警:低于序时进度(百分点)",
    "late_month": "大额项目预警起始月份",
    "late_rate": "大额项目最低执行率(%)",
    "large_budget_wan": "大额项目预算下限(万元)",
}


class RoundStatus(models.TextChoices):
    OPEN = "open", "填报中"
    CLOSED = "closed", "已结束"


# What a round looks like to its users: its status, or 已逾期 for an open round past its deadline.
ROUND_STATES = {"open": "填报中", "overdue": "已逾期", "closed": "已结束"}
# A refusal of an act by the round: a stable code and a Chinese message (the actions raise it as a 409).
Refusal = tuple[str, str]


def chinese_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


class MonitoringRound(models.Model):
    """A monitoring round (监控批次): year, cut-off month N, project scope, deadline and warning thresholds."""

    name = models.CharField("批次名称", max_length=100)
    year = models.PositiveSmallIntegerField("预算年度")
    cutoff_month = models.PositiveSmallIntegerField("截止月份", help_text="监控 1–N 月的执行情况")
    deadline = models.DateField("填报截止日期")
    department = models.ForeignKey(
        "orgs.Unit", verbose_name="限定主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "orgs.Region", verbose_name="限定区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thresholds = models.JSONField("预警阈值", default=default_thresholds)
    status = models.CharField("状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "监控批次"
        ordering = ["-year", "-cutoff_month", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cutoff_month__gte=1, cutoff_month__lte=12), name="cutoff_month_1_to_12"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> str:
        return f"1–{self.cutoff_month}月"

    @property
    def cutoff_date(self) -> dt.date:
        return dt.date(self.year, self.cutoff_month, calendar.monthrange(self.year, self.cutoff_month)[1])

    @property
    def time_progress(self) -> Fraction:
        """序时进度 in percent: N ÷ 12 × 100, exact."""
        return Fraction(self.cutoff_month * 100, 12)

    def threshold_items(self) -> list[tuple[str, Any]]:
        """The thresholds with their Chinese labels, for display."""
        values = {**default_thresholds(), **(self.thresholds or {})}
        return [(THRESHOLD_LABELS[key], values[key]) for key in THRESHOLD_LABELS]

    def setting(self, key: str) -> Any:
        return {**default_thresholds(), **(self.thresholds or {})}[key]

    @property
    def is_closed(self) -> bool:
        return self.status == RoundStatus.CLOSED

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline (the deadline day itself still counts as in time)."""
        return self.status == RoundStatus.OPEN and timezone.localdate() > self.deadline

    @property
    def state(self) -> str:
        """Returns "closed", "overdue" or "open"."""
        return "closed" if self.is_closed else "overdue" if self.is_overdue else "open"

    @property
    def state_label(self) -> str:
        return ROUND_STATES[self.state]

    def can_close(self) -> bool:
        return self.status == RoundStatus.OPEN

    def closed_refusal(self) -> Refusal | None:
        """Why nothing may be filled or submitted in the round any more, if it is closed."""
        if not self.is_closed:
            return None
        when = f"已于{chinese_date(timezone.localdate(self.closed_at))}结束" if self.closed_at else "已结束"
        return (
            "round_closed",
            f"监控批次“{self.name}”{when},不能再填报或提交监控表。如需补报,请联系组织监控的处室延期并重新开放该批次。",
        )

    def deadline_refusal(self) -> Refusal | None:
        """Why a 监控表 may not be submitted any more, if the round is past its deadline."""
        if not self.is_overdue:
            return None
        return (
            "past_deadline",
            f"监控批次“{self.name}”的填报截止日期为{chinese_date(self.deadline)},已过截止日期,不能再提交监控表。"
            "如需补报,请联系组织监控的处室延长截止日期。",
        )


class RoundEvent(models.Model):
    """One decision on a round: close it (结束), extend its deadline (延期) or reopen a closed one with a new deadline."""

    round = models.ForeignKey(MonitoringRound, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField("事件", max_length=16)
    from_status = models.CharField("原状态", max_length=8, choices=RoundStatus.choices)
    to_status = models.CharField("新状态", max_length=8, choices=RoundStatus.choices)
    old_deadline = models.DateField("原截止日期")
    new_deadline = models.DateField("新截止日期")
    opinion = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "监控批次事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.from_status}→{self.to_status}"

    @property
    def kind_label(self) -> str:
        return ROUND_EVENT_LABELS.get(self.kind, self.kind)


ROUND_EVENT_LABELS = {"close": "结束批次", "extend": "延长截止日期", "reopen": "重新开放并延期"}


class ReportStatus(models.TextChoices):
    """填报 → 主管部门审核 → 财政审核 → 审核通过; either review step may return (退回) the 监控表 to the unit."""

    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "待主管部门审核"
    FINANCE_REVIEW = "finance_review", "待财政审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "审核通过"


class ReviewStep(models.TextChoices):
    DEPT = "dept", "主管部门审核"
    FINANCE = "finance", "财政审核"


# A submitted 监控表 the department has not yet acted on may still be changed: saving withdraws it (撤回).
EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.SUBMITTED)
SUBMITTABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
REVIEW_STEPS = {ReportStatus.SUBMITTED: ReviewStep.DEPT, ReportStatus.FINANCE_REVIEW: ReviewStep.FINANCE}


class Likelihood(models.TextChoices):
    SURE = "sure", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "不可能"


class Cause(models.TextChoices):
    PLANNING = "planning", "规划和目标设计"
    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFF = "staff", "人员保障"
    HARDWARE = "hardware", "硬件条件保障"
    MANAGEMENT = "management", "项目管理"
    OTHER = "other", "其他"


class WarningLevel(models.TextChoices):
    NONE = "", "无"
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色预警"


class ReportQuerySet(models.QuerySet["MonitoringReport"]):
    def visible_to(self, user: Any, perm: str = Perm.PROJECTS_VIEW) -> ReportQuerySet:
        """Reports whose project the user may see under `perm` (same lookups as Project.visible_to)."""
        scope = scope_for(user, perm)
        return self.filter(
            scope.q(
                region_path="project__region__path",
                unit_path=("project__unit__path", "project__department__path"),
                unit_id="project__unit_id",
                owner="project__created_by_id",
                assigned=("project__division_id", "project__evaluator_id"),
            )
        )


class MonitoringReport(models.Model):
    """The 监控表 of one project in one round: the funds block, the indicator lines and the warning."""

    round = models.ForeignKey(
        MonitoringRound, verbose_name="监控批次", on_delete=models.CASCADE, related_name="reports"
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="monitoring_reports"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    annual_budget = models.DecimalField("年初预算数(元)", max_digits=16, decimal_places=2, default=0)
    executed = models.DecimalField("1–N月执行数(元)", max_digits=16, decimal_places=2, default=0)
    expected_annual = models.DecimalField("全年预计执行数(元)", max_digits=16, decimal_places=2, default=0)
    warning_level = models.CharField("预警等级", max_length=8, choices=WarningLevel.choices, blank=True, default="")
    warnings = models.JSONField("预警规则结果", default=list, blank=True)
    payment_held = models.BooleanField("暂缓拨款", default=False)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "监控表"
        ordering = ["round", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="one_report_per_project_and_round"),
            models.CheckConstraint(
                condition=models.Q(annual_budget__gte=0, executed__gte=0, expected_annual__gte=0),
                name="monitoring_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.project}"

    @property
    def rate_fraction(self) -> Fraction | None:
        """执行率 in percent (1–N月执行数 ÷ 年初预算数 × 100), exact, or None without a budget."""
        if not self.annual_budget:
            return None
        return Fraction(self.executed) * 100 / Fraction(self.annual_budget)

    @property
    def rate(self) -> float | None:
        value = self.rate_fraction
        return None if value is None else round(float(value), 2)

    def can_edit(self) -> bool:
        return self.status in EDITABLE

    def can_submit(self) -> bool:
        return self.status in SUBMITTABLE

    def review_step(self) -> str | None:
        """Returns "dept" or "finance" when the 监控表 awaits that review, else None."""
        return REVIEW_STEPS.get(ReportStatus(self.status))

    def can_review(self) -> bool:
        return self.review_step() is not None

    def can_dispose(self) -> bool:
        """暂缓拨款 and the goal-and-budget adjustment are taken on a red warning only."""
        return self.warning_level == WarningLevel.RED

    def fill_refusal(self) -> Refusal | None:
        """Why the round forbids saving this 监控表 now: the round is closed, or it is past the deadline and saving
        would withdraw a submitted 监控表 that could not be submitted again."""
        refusal = self.round.closed_refusal()
        if refusal is None and self.status == ReportStatus.SUBMITTED and self.round.is_overdue:
            refusal = (
                "past_deadline",
                f"监控批次“{self.round.name}”的填报截止日期为{chinese_date(self.round.deadline)},已过截止日期,"
                "已提交的监控表不能再撤回修改。",
            )
        return refusal

    def submit_refusal(self) -> Refusal | None:
        """Why the round forbids submitting this 监控表 now: the round is closed, or it is past the deadline and
        the 监控表 was never sent for review (a 监控表 returned by a reviewer may always be submitted again)."""
        refusal = self.round.closed_refusal()
        if refusal is None and self.status == ReportStatus.DRAFT:
            refusal = self.round.deadline_refusal()
        return refusal


class MonitoringLine(models.Model):
    """One indicator row of a 监控表: the goal's target, execution to date and the likelihood of reaching it."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="lines")
    sort = models.PositiveIntegerField("序号", default=0)
    level1 = models.CharField("一级指标", max_length=20, blank=True)
    level2 = models.CharField("二级指标", max_length=20, blank=True)
    name = models.CharField("三级指标", max_length=100)
    operator = models.CharField("指标方向", max_length=4, blank=True)
    target = models.CharField("指标值", max_length=100, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=7, decimal_places=2, null=True, blank=True)
    progress = models.CharField("执行情况", max_length=200, blank=True)
    likelihood = models.CharField("完成目标可能性", max_length=12, choices=Likelihood.choices, blank=True)
    cause = models.CharField("偏差原因", max_length=12, choices=Cause.choices, blank=True)
    measures = models.CharField("完善措施", max_length=500, blank=True)

    class Meta:
        verbose_name = "监控指标"
        ordering = ["report", "sort", "id"]

    def __str__(self) -> str:
        return self.name


class MonitoringEvent(models.Model):
    """One transition or decision on a 监控表: submit, return, approve, 暂缓拨款, adjustment request."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField("事件", max_length=16)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    step = models.CharField("审核环节", max_length=8, choices=ReviewStep.choices, blank=True)
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "监控事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.from_status}→{self.to_status}"

    @property
    def kind_label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)

    @property
    def from_label(self) -> str:
        return status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(self.to_status)


def status_label(value: str) -> str:
    """The Chinese label of a report status code ("" for none)."""
    return str(dict(ReportStatus.choices).get(value, value))


EVENT_LABELS = {
    "open": "下发",
    "save": "保存",
    "submit": "提交",
    "withdraw": "撤回",
    "return": "退回",
    "approve": "审核通过",
    "hold": "暂缓拨款",
    "release": "解除暂缓拨款",
    "adjust": "申请调整目标和预算",
}
