"""Self-evaluation campaigns (单位自评), the 自评表 of each project, its review events and results application."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for
from jixiao.selfeval.profiles import ProfileError, ScoringProfile, profile_from_dict
from jixiao.selfeval.scoring import QUALITATIVE, normalize_operator


class ScoringProfileRecord(models.Model):
    """A scoring profile stored as JSON (the four shipped ones are seeded; an administrator may add more)."""

    code = models.CharField("方案代码", max_length=40, unique=True)
    name = models.CharField("方案名称", max_length=100)
    data = models.JSONField("方案内容(JSON)")
    builtin = models.BooleanField("内置", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评分方案"
        ordering = ["-builtin", "code"]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    def clean(self) -> None:
        try:
            profile = profile_from_dict(self.data)
        except ProfileError as exc:
            raise ValidationError({"data": exc.errors})
        if profile.code != self.code:
            raise ValidationError({"code": f"方案代码「{self.code}」与 JSON 中的 code「{profile.code}」不一致"})

    def profile(self) -> ScoringProfile:
        return profile_from_dict(self.data)


def load_profiles() -> dict[str, ScoringProfile]:
    """Return every stored scoring profile by code, as engine objects."""
    return {record.code: record.profile() for record in ScoringProfileRecord.objects.all()}


class CampaignStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    """A self-evaluation campaign: one budget year's projects, filtered by department and district when opened."""

    year = models.PositiveSmallIntegerField("评价年度")
    name = models.CharField("名称", max_length=100)
    department = models.ForeignKey(
        "orgs.Unit", verbose_name="限定主管部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "orgs.Region", verbose_name="限定区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField("截止日期")
    profile = models.ForeignKey(ScoringProfileRecord, verbose_name="评分方案", on_delete=models.PROTECT)
    cut_share = models.DecimalField(
        "等级为“中”时下年预算压减比例(%)", max_digits=5, decimal_places=2, default=Decimal("10")
    )
    status = models.CharField("状态", max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "自评任务"
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cut_share__gte=0, cut_share__lte=100), name="campaign_cut_share_percent"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    DEPT_REVIEW = "dept_review", "待主管部门审核"
    FINANCE_REVIEW = "finance_review", "待财政审核"
    APPROVED = "approved", "审核通过"


class SelfEvaluationQuerySet(models.QuerySet["SelfEvaluation"]):
    def visible_to(self, user: Any, perm: str = Perm.PROJECTS_VIEW) -> SelfEvaluationQuerySet:
        """Self-evaluations of projects in the user's scope for `perm`: reading follows the project library, through
        its scoping entry point. As a semi-join, a district's share of a 100 000-自评表 campaign is found through its
        projects (40 ms on SQLite) instead of joining every 自评表 to its project and region (130–200 ms)."""
        from jixiao.projects.models import Project

        if scope_for(user, perm).everything:
            return self.all()
        return self.filter(project_id__in=Project.objects.visible_to(user, perm).values("pk"))


class SelfEvaluation(models.Model):
    """The 自评表 of one project in one campaign, with the scores the engine gave it."""

    # Every query of 自评表 names the campaign: the composite indexes below lead with it, so status and grade have no
    # index of their own — a bulk re-scoring rewrites every row and each of its indexes. (The campaign's own index
    # stays: it lists a campaign's 自评表 in id order without sorting.)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="evaluations")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="self_evaluations")
    # Denormalised when the campaign opens, so the dashboard groups in SQL without walking region paths.
    department = models.ForeignKey("orgs.Unit", verbose_name="主管部门", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "orgs.Region", verbose_name="区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT)
    # 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金; the engine scores budget execution on this total
    # (the 分值 and 得分 of the official table sit on its row). Actions keep it equal to the sum (`entry.sum_funds`).
    budget_initial = models.DecimalField(
        "年度资金总额·年初预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    budget_annual = models.DecimalField(
        "年度资金总额·全年预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    budget_executed = models.DecimalField(
        "年度资金总额·全年执行数(元)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    fiscal_initial = models.DecimalField(
        "当年财政拨款·年初预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    fiscal_annual = models.DecimalField(
        "当年财政拨款·全年预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    fiscal_executed = models.DecimalField(
        "当年财政拨款·全年执行数(元)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    carryover_initial = models.DecimalField(
        "上年结转资金·年初预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    carryover_annual = models.DecimalField(
        "上年结转资金·全年预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0)
    )
    carryover_executed = models.DecimalField(
        "上年结转资金·全年执行数(元)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    other_initial = models.DecimalField("其他资金·年初预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0))
    other_annual = models.DecimalField("其他资金·全年预算数(元)", max_digits=16, decimal_places=2, default=Decimal(0))
    other_executed = models.DecimalField(
        "其他资金·全年执行数(元)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_explanation = models.TextField("预算执行偏差原因分析及改进措施", blank=True)
    overall_target = models.TextField("年度总体目标(预期目标)", blank=True)
    overall_actual = models.TextField("实际完成情况", blank=True)
    execution_rate = models.DecimalField("执行率(%)", max_digits=8, decimal_places=2, null=True, blank=True)
    execution_score = models.DecimalField("预算执行得分", max_digits=6, decimal_places=2, null=True, blank=True)
    execution_weight = models.DecimalField("预算执行分值", max_digits=6, decimal_places=2, null=True, blank=True)
    execution_formula = models.CharField("预算执行公式", max_length=300, blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    total_formula = models.CharField("总分公式", max_length=1000, blank=True)
    grade = models.CharField("等级", max_length=4, blank=True)
    score_problems = models.JSONField("计分问题", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效自评表"
        ordering = ["campaign", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "project"], name="one_self_evaluation_per_campaign"),
            models.CheckConstraint(
                condition=models.Q(
                    fiscal_initial__gte=0, fiscal_annual__gte=0, carryover_initial__gte=0, carryover_annual__gte=0,
                    other_initial__gte=0, other_annual__gte=0,
                )
                & (models.Q(fiscal_executed__isnull=True) | models.Q(fiscal_executed__gte=0))
                & (models.Q(carryover_executed__isnull=True) | models.Q(carryover_executed__gte=0))
                & (models.Q(other_executed__isnull=True) | models.Q(other_executed__gte=0)),
                name="self_evaluation_fund_amounts_not_negative",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["campaign", "grade"]),
            # Covers the dashboard's one grouped pass (selectors.campaign_dashboard) without reading the wide rows;
            # project lets a scope joined through the project stay on the index too.
            models.Index(
                fields=[
                    "campaign", "department", "district", "status", "grade", "budget_annual", "budget_executed",
                    "project",
                ],
                name="selfeval_campaign_dashboard",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.campaign.name} · {self.project.name}"

    def can_edit(self) -> bool:
        return self.status == EvaluationStatus.DRAFT and self.campaign.status == CampaignStatus.OPEN

    def can_submit(self) -> bool:
        return self.can_edit()

    def can_review_dept(self) -> bool:
        return self.status == EvaluationStatus.DEPT_REVIEW

    def can_review_finance(self) -> bool:
        return self.status == EvaluationStatus.FINANCE_REVIEW


class SelfEvaluationIndicator(models.Model):
    """One indicator row of a 自评表: the goal's target, the actual, and the stored score with its formula."""

    # The unique (evaluation, position) index serves every lookup by evaluation.
    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="indicators", db_index=False)
    position = models.PositiveSmallIntegerField("序号")
    level1 = models.CharField("一级指标", max_length=32)
    level2 = models.CharField("二级指标", max_length=32, blank=True)
    name = models.CharField("三级指标", max_length=100)
    operator = models.CharField("指标性质", max_length=4)
    target = models.CharField("年度指标值", max_length=100, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    actual = models.CharField("实际完成值", max_length=100, blank=True)
    applicable = models.BooleanField("适用", default=True)
    tier = models.CharField("完成档次", max_length=8, blank=True)
    share = models.DecimalField("档内比例(%)", max_digits=5, decimal_places=2, null=True, blank=True)
    explanation = models.TextField("偏差原因分析及改进措施", blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    formula = models.CharField("计分公式", max_length=300, blank=True)
    flags = models.JSONField("标记", default=list, blank=True)
    explanation_required = models.BooleanField("须说明偏差", default=False)

    class Meta:
        verbose_name = "自评指标"
        ordering = ["evaluation", "position"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "position"], name="one_indicator_per_position")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_qualitative(self) -> bool:
        return normalize_operator(self.operator) == QUALITATIVE


class EvaluationEventKind(models.TextChoices):
    SUBMIT = "submit", "提交"
    PASS = "pass", "审核通过"
    RETURN = "return", "退回修改"
    OPINION = "opinion", "审核意见"


class SelfEvaluationEvent(models.Model):
    """One transition or review opinion on a self-evaluation."""

    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=EvaluationEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    from_status = models.CharField("原状态", max_length=16, choices=EvaluationStatus.choices)
    to_status = models.CharField("新状态", max_length=16, choices=EvaluationStatus.choices)
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "自评审核记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"


class Consequence(models.TextChoices):
    PRIORITY = "priority", "优先保障"
    FUNDED = "funded", "正常安排"
    CUT = "cut", "压减预算"
    CANCEL = "cancel", "取消或暂停安排"
    REDUCED = "reduced", "未整改,压减预算"


class ResultApplication(models.Model):
    """The next year's budget consequence of one project's grade (结果应用)."""

    evaluation = models.OneToOneField(SelfEvaluation, on_delete=models.CASCADE, related_name="result")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="result_applications")
    year = models.PositiveSmallIntegerField("评价年度", db_index=True)
    grade = models.CharField("等级", max_length=4)
    consequence = models.CharField("下年预算安排", max_length=16, choices=Consequence.choices)
    rectified = models.BooleanField("已整改", default=True)
    base_budget = models.DecimalField("本年预算(元)", max_digits=16, decimal_places=2)  # 当年财政拨款 全年预算数
    next_budget = models.DecimalField("下年建议预算(元)", max_digits=16, decimal_places=2)
    reason = models.CharField("依据", max_length=300)
    flag_poor = models.BooleanField("差等级标记", default=False, db_index=True)
    applied_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "结果应用"
        ordering = ["project__code"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.grade} {self.get_consequence_display()}"
