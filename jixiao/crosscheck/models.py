"""Cross-check in the web application: datasets of uploaded files, runs, clues and their workflow events."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for
from jixiao.crosscheck.workflow import ClueCategory, ClueStatus, VerifyResult


def crosscheck_dir() -> Path:
    """Return the folder holding datasets and run outputs (read at call time: tests move DATA_DIR)."""
    return Path(settings.DATA_DIR) / "crosscheck"


class ColumnMap(models.Model):
    """A saved column mapping (source header → layout column), reused for every monthly file of a kind."""

    name = models.CharField("名称", max_length=64, unique=True)
    kind = models.CharField("文件类型", max_length=32)
    columns = models.JSONField("列对应", default=dict)
    encoding = models.CharField("编码", max_length=16, blank=True)
    sheet = models.CharField("工作表", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "列映射"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """A set of interchange files (payments and registries) that runs read."""

    name = models.CharField("数据集名称", max_length=100, unique=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对数据集"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def data_dir(self) -> Path:
        return crosscheck_dir() / "datasets" / str(self.pk)

    def kinds(self) -> set[str]:
        return set(self.files.values_list("kind", flat=True))


class DatasetFile(models.Model):
    """One uploaded file, imported into ``<dataset>/<kind>/<id>.parquet``, with its import report."""

    dataset = models.ForeignKey(Dataset, verbose_name="数据集", on_delete=models.CASCADE, related_name="files")
    kind = models.CharField("文件类型", max_length=32)
    original_name = models.CharField("原文件名", max_length=255)
    encoding = models.CharField("编码", max_length=16, blank=True)
    mapping = models.JSONField("列映射", default=dict, blank=True)
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    rows_written = models.PositiveIntegerField("导入行数", default=0)
    rows_rejected = models.PositiveIntegerField("拒收行数", default=0)
    rows_flagged = models.PositiveIntegerField("标记行数", default=0)
    report = models.JSONField("导入报告", default=dict, blank=True)
    path = models.CharField("存储路径", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "比对数据文件"
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.original_name}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Run(models.Model):
    """One execution of the rules over a dataset; clues are loaded from its ``clues.parquet``."""

    dataset = models.ForeignKey(Dataset, verbose_name="数据集", on_delete=models.PROTECT, related_name="runs")
    engine = models.CharField("引擎", max_length=16, default="duckdb")
    rules = models.CharField("规则", max_length=400, default="all")
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    message = models.CharField("当前步骤", max_length=500, blank=True)
    summary = models.JSONField("运行摘要", default=dict, blank=True)
    clues_loaded = models.PositiveIntegerField("载入线索数", default=0)
    clues_known = models.PositiveIntegerField("已有线索数(未重复载入)", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "比对运行"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 次比对({self.dataset})"

    @property
    def out_dir(self) -> Path:
        return crosscheck_dir() / "runs" / str(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def rule_rows(self) -> list[dict[str, Any]]:
        """Return the summary per rule as rows (code first) for pages and exports."""
        rules = (self.summary or {}).get("rules", {})
        return [{"code": code, **data} for code, data in sorted(rules.items())]


class ClueQuerySet(models.QuerySet["Clue"]):
    def visible_to(self, user: Any, perm: str | None = None) -> ClueQuerySet:
        """Clues in the user's scope for ``perm``; ``None`` means any cross-check read permission.

        View holders (绩效处, 纪委监委) see by their role's scope (everything for the built-in roles);
        verifiers (区财政局) see clues of their region and below, plus clues assigned to a unit of their region.
        """
        perms = [perm] if perm else [Perm.CROSSCHECK_VIEW, Perm.CROSSCHECK_VERIFY]
        condition = Q(pk__in=[])
        for code in perms:
            condition |= scope_for(user, code).q(
                region_path=("region__path", "assigned_unit__region__path"), assigned="assigned_unit_id"
            )
        return self.filter(condition)


class Clue(models.Model):
    """A suspect (问题线索) found by a rule for one person and program, and its verification workflow."""

    run = models.ForeignKey(Run, verbose_name="比对运行", on_delete=models.CASCADE, related_name="clues")
    rule = models.CharField("规则", max_length=8, db_index=True)
    rule_title = models.CharField("规则名称", max_length=100)
    person_id = models.CharField("身份证号", max_length=32, db_index=True)
    person_id_raw = models.CharField("原始身份证号", max_length=64, blank=True)
    person_name = models.CharField("姓名", max_length=64, blank=True)
    program = models.CharField("项目编码", max_length=32, blank=True, db_index=True)
    program_name = models.CharField("项目名称", max_length=100, blank=True)
    program_kind = models.CharField("项目类别", max_length=32, blank=True)
    region_code = models.CharField("区划代码", max_length=12, blank=True)
    region = models.ForeignKey(
        "orgs.Region", verbose_name="区划", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period = models.CharField("起始期间", max_length=7, blank=True)
    periods = models.TextField("涉及期间", blank=True)
    amount_at_risk = models.DecimalField("涉及金额(元)", max_digits=18, decimal_places=2, default=Decimal("0"))
    severity = models.CharField("严重程度", max_length=8, default="medium")
    evidence = models.JSONField("证据", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=ClueStatus.choices, default=ClueStatus.NEW)
    category = models.CharField("分类", max_length=16, choices=ClueCategory.choices, blank=True)
    assigned_unit = models.ForeignKey(
        "orgs.Unit", verbose_name="交办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField("核实期限", null=True, blank=True)
    verify_result = models.CharField("核实结果", max_length=16, choices=VerifyResult.choices, blank=True)
    stop_payment = models.BooleanField("已停发", default=False)
    disqualified = models.BooleanField("已取消资格", default=False)
    recovered_amount = models.DecimalField("追回金额(元)", max_digits=18, decimal_places=2, null=True, blank=True)
    recovered_on = models.DateField("追回日期", null=True, blank=True)
    parked_from = models.CharField("暂存前状态", max_length=16, blank=True)
    opinion = models.CharField("最近意见", max_length=1000, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ClueQuerySet.as_manager()

    class Meta:
        verbose_name = "问题线索"
        ordering = ["-amount_at_risk", "id"]
        indexes = [
            models.Index(fields=["run", "rule"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["-amount_at_risk"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered_amount__isnull=True) | Q(recovered_amount__gte=0),
                name="clue_recovered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.masked_id} {self.program}"

    @property
    def masked_id(self) -> str:
        from jixiao.audit.recorder import mask_id_number

        return mask_id_number(self.person_id)

    @property
    def severity_label(self) -> str:
        return {"high": "高", "medium": "中", "low": "低"}.get(self.severity, self.severity)

    @property
    def program_kind_label(self) -> str:
        from jixiao.crosscheck.layout import PROGRAM_KINDS

        return PROGRAM_KINDS.get(self.program_kind, self.program_kind)

    @property
    def is_overdue(self) -> bool:
        import datetime as dt

        return bool(self.deadline and self.deadline < dt.date.today() and self.status in ClueStatus.open_assigned())


class ClueEvent(models.Model):
    """One workflow transition or audited act on a clue."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField("操作", max_length=24)
    from_status = models.CharField("原状态", max_length=16, choices=ClueStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=ClueStatus.choices, blank=True)
    opinion = models.CharField("意见", max_length=1000, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "线索处理记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.clue_id} {self.from_status}→{self.to_status}"

    def details(self) -> str:
        """Return what the step recorded, in Chinese (category, assignment, result, measures)."""
        data = self.data or {}
        parts: list[str] = []
        if data.get("category"):
            parts.append("分类:" + ClueCategory(data["category"]).label)
        if data.get("unit"):
            parts.append(f"交办:{data['unit']},期限 {data.get('deadline', '')}")
        if data.get("result"):
            parts.append("核实结果:" + VerifyResult(data["result"]).label)
        measures = [label for key, label in (("stop_payment", "停发"), ("disqualified", "取消资格")) if data.get(key)]
        if data.get("recovered_amount"):
            measures.append(f"追回 {data['recovered_amount']} 元({data.get('recovered_on') or ''})")
        if measures:
            parts.append("处置:" + "、".join(measures))
        return ";".join(parts)
