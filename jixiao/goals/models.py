"""Performance goals (绩效目标): a goal per project, its indicator table, its review events and letters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for


class GoalStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    DEPT_REVIEW = "dept_review", "主管部门审核"
    FINANCE_REVIEW = "finance_review", "财政审核"
    APPROVED = "approved", "已批复"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "未通过(不得安排预算)"


class Grade(models.TextChoices):
    EXCELLENT = "优", "优"
    GOOD = "良", "良"
    FAIR = "中", "中"
    POOR = "差", "差"


# A submitted goal not yet accepted by the department may still be edited: editing withdraws it (撤回).
EDITABLE = (GoalStatus.DRAFT, GoalStatus.RETURNED, GoalStatus.SUBMITTED)
DEPT_STEP = (GoalStatus.SUBMITTED, GoalStatus.DEPT_REVIEW)


class GoalQuerySet(models.QuerySet["Goal"]):
    def visible_to(self, user: Any, perm: str = Perm.PROJECTS_VIEW) -> GoalQuerySet:
        """Goals whose project the user may see under `perm` (same lookups as Project.visible_to)."""
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


class Goal(models.Model):
    """The annual performance goal (年度绩效目标) of one project with its review state."""

    project = models.OneToOneField(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="goal"
    )
    year = models.PositiveSmallIntegerField("预算年度", db_index=True)
    style = models.CharField(
        "指标体系", max_length=4, choices=[("88", "财预〔2015〕88号"), ("101", "财预〔2021〕101号")]
    )
    profile = models.CharField("评分方案", max_length=32, default="central-2020")
    overall_goal = models.TextField("年度总体目标", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=GoalStatus.choices, default=GoalStatus.DRAFT, db_index=True
    )
    grade = models.CharField("审核结果", max_length=2, choices=Grade.choices, blank=True)
    locked = models.BooleanField("已锁定", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    findings = models.JSONField("审核发现", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    checked_at = models.DateTimeField("最近审核时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("批复时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效目标"
        ordering = ["-year", "project__code"]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.project} 绩效目标"

    def can_edit(self) -> bool:
        return self.status in EDITABLE and not self.locked

    def can_submit(self) -> bool:
        return self.status in (GoalStatus.DRAFT, GoalStatus.RETURNED) and not self.locked and self.error_count == 0

    def can_accept(self) -> bool:
        return self.status == GoalStatus.SUBMITTED

    def review_step(self) -> str | None:
        """Returns "dept" or "finance" when the goal awaits that review, else None."""
        if self.status in DEPT_STEP:
            return "dept"
        if self.status == GoalStatus.FINANCE_REVIEW:
            return "finance"
        return None

    def can_adjust(self) -> bool:
        return self.status == GoalStatus.APPROVED

    def findings_for(self, index: int | None) -> list[dict]:
        return [f for f in self.findings if f.get("indicator") == index]


class GoalIndicator(models.Model):
    """One row of the goal's indicator table (三级指标)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    sort = models.PositiveIntegerField("序号", default=0)
    level1 = models.CharField("一级指标", max_length=20)
    level2 = models.CharField("二级指标", max_length=20)
    name = models.CharField("三级指标", max_length=100)
    operator = models.CharField("指标方向", max_length=4, blank=True)
    target = models.CharField("指标值", max_length=100, blank=True)
    target_number = models.FloatField("指标值(数值)", null=True, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=7, decimal_places=2, null=True, blank=True)
    core = models.BooleanField("核心指标", default=False)
    explanation = models.CharField("指标解释", max_length=500, blank=True)
    data_source = models.CharField("数据来源", max_length=200, blank=True)
    template = models.ForeignKey(
        "indicators.IndicatorTemplate", verbose_name="库指标", null=True, blank=True, on_delete=models.SET_NULL
    )
    review_opinion = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "绩效指标"
        ordering = ["goal", "sort", "id"]

    def __str__(self) -> str:
        return self.name


class GoalEvent(models.Model):
    """One transition or audited act on a goal: who, when, from, to, grade and opinions."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")
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
    step = models.CharField("审核环节", max_length=8, blank=True)
    grade = models.CharField("审核结果", max_length=2, blank=True)
    opinion = models.TextField("意见", blank=True)
    indicator_opinions = models.JSONField("逐项意见", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "绩效目标事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.kind} {self.from_status}→{self.to_status}"


class ReviewLetter(models.Model):
    """A numbered 审核意见书 issued to one department for a batch of goals (武财绩审〔2026〕12号)."""

    year = models.PositiveSmallIntegerField("文号年度")
    seq = models.PositiveIntegerField("序号")
    department = models.ForeignKey("orgs.Unit", verbose_name="主管部门", on_delete=models.PROTECT, related_name="+")
    goals = models.ManyToManyField(Goal, verbose_name="绩效目标", related_name="letters")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出具人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("出具时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核意见书"
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="review_letter_number")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        prefix = getattr(settings, "GOALS_LETTER_PREFIX", "武财绩审")
        return f"{prefix}〔{self.year}〕{self.seq}号"
