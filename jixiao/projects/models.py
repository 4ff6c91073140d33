from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for


class Taxonomy(models.TextChoices):
    FUPIN = "扶贫", "扶贫项目(2018–2020)"
    XIANJIE = "衔接", "衔接资金项目(2021 起)"


class Category(models.Model):
    """A project category or sub-category of the dictionary, valid for a span of budget years."""

    code = models.CharField("类别编码", max_length=32, unique=True)
    name = models.CharField("类别名称", max_length=64)
    taxonomy = models.CharField("体系", max_length=8, choices=Taxonomy.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级类别", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.PositiveSmallIntegerField("起始年度")
    valid_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True)
    common_indicators = models.BooleanField("适用通用指标", default=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "项目类别"
        ordering = ["taxonomy", "sort", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id and self.parent else self.name

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


class ProjectStatus(models.TextChoices):
    RESERVE = "reserve", "储备"
    IN_LIBRARY = "in_library", "入库"
    APPROVED = "approved", "已批复"
    IN_PROGRESS = "in_progress", "实施中"
    COMPLETED = "completed", "已完工"
    ACCEPTED = "accepted", "已验收"
    TERMINATED = "terminated", "已终止"


class FundSource(models.TextChoices):
    CENTRAL = "central", "中央财政专项扶贫资金"
    PROVINCE = "province", "省级财政专项扶贫资金"
    CITY = "city", "市级财政专项扶贫资金"
    DISTRICT = "district", "区级财政专项扶贫资金"
    XIANJIE = "xianjie", "衔接推进乡村振兴补助资金"
    INTEGRATED = "integrated", "统筹整合涉农资金"
    OTHER = "other", "其他资金"


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: Any, perm: str = Perm.PROJECTS_VIEW) -> ProjectQuerySet:
        """Projects in the user's scope: region, unit tree (implementing unit or supervising department),
        own unit, own records, or assigned (managing division, third-party evaluator)."""
        scope = scope_for(user, perm)
        return self.filter(
            scope.q(
                region_path="region__path",
                unit_path=("unit__path", "department__path"),
                unit_id="unit_id",
                owner="created_by_id",
                assigned=("division_id", "evaluator_id"),
            )
        )


class Project(models.Model):
    """A project of the project library (扶贫项目库 / 衔接资金项目库)."""

    code = models.CharField("项目编码", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("预算年度", db_index=True)
    category = models.ForeignKey(Category, verbose_name="项目类别", on_delete=models.PROTECT, related_name="projects")
    subcategory = models.ForeignKey(
        Category, verbose_name="项目子类", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "orgs.Region", verbose_name="实施地点(村)", on_delete=models.PROTECT, related_name="projects"
    )
    unit = models.ForeignKey("orgs.Unit", verbose_name="实施单位", on_delete=models.PROTECT, related_name="projects")
    department = models.ForeignKey(
        "orgs.Unit", verbose_name="主管部门", on_delete=models.PROTECT, related_name="supervised_projects"
    )
    division = models.ForeignKey(
        "orgs.Unit",
        verbose_name="财政归口处室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_projects",
    )
    evaluator = models.ForeignKey(
        "orgs.Unit",
        verbose_name="第三方评价机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluated_projects",
    )
    status = models.CharField(
        "状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.RESERVE, db_index=True
    )
    budget_wan = models.DecimalField("项目总投资(万元)", max_digits=14, decimal_places=4, default=Decimal("0"))
    planned_start = models.DateField("计划开工", null=True, blank=True)
    planned_end = models.DateField("计划完工", null=True, blank=True)
    households = models.PositiveIntegerField("受益户数", default=0)
    persons = models.PositiveIntegerField("受益人数", default=0)
    poverty_persons = models.PositiveIntegerField("其中脱贫人口", default=0)
    monitored_persons = models.PositiveIntegerField("其中监测对象", default=0)
    description = models.TextField("建设内容", blank=True)
    budget_requested_at = models.DateTimeField("申请预算时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "项目"
        ordering = ["-year", "code"]
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["unit", "year"]),
            # The list page's default and budget orderings (the listing adds pk as tie-breaker), so a page of
            # 10 000 projects is read from the index instead of sorting them all.
            models.Index(fields=["-year", "id"], name="project_year_desc_id"),
            models.Index(fields=["-budget_wan", "id"], name="project_budget_desc_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(poverty_persons__lte=models.F("persons")), name="poverty_persons_within_persons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectFund(models.Model):
    """One fund line of a project: source and amount (万元)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds")
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    amount_wan = models.DecimalField("金额(万元)", max_digits=14, decimal_places=4)
    document_no = models.CharField("指标文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "资金来源"
        constraints = [models.CheckConstraint(condition=models.Q(amount_wan__gte=0), name="fund_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount_wan} 万元"


class EventKind(models.TextChoices):
    CREATE = "create", "新建"
    IMPORT = "import", "Excel 导入"
    TRANSITION = "transition", "状态变更"
    BUDGET = "budget", "申请预算"


class ProjectEvent(models.Model):
    """One status transition or audited act on a project (the project's history)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    kind = models.CharField("事件", max_length=32, choices=EventKind.choices, default=EventKind.TRANSITION)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "项目事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.from_status}→{self.to_status}"

    @property
    def from_label(self) -> str:
        return ProjectStatus(self.from_status).label if self.from_status in ProjectStatus.values else ""

    @property
    def to_label(self) -> str:
        return ProjectStatus(self.to_status).label if self.to_status in ProjectStatus.values else ""
