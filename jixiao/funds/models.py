"""Fund allocations (指标文件 / 资金下达), payments (支付凭证) and payment holds (暂缓拨款), all in 元."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from jixiao.accounts.permissions import Perm
from jixiao.projects.models import FundSource, Project


class FundLevel(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区"


class ByProjectQuerySet(models.QuerySet):
    def visible_to(self, user: Any, perm: str = Perm.PROJECTS_VIEW) -> ByProjectQuerySet:
        """Rows whose project the user may see (or write, with a write permission)."""
        return self.filter(project__in=Project.objects.visible_to(user, perm).values("pk"))


class Allocation(models.Model):
    """One allocation document line: an amount of one fund passed down to one project."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="allocations")
    document_no = models.CharField("指标文件文号", max_length=100)
    fund_name = models.CharField("资金名称", max_length=100)
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    level = models.CharField("资金级次", max_length=16, choices=FundLevel.choices)
    amount = models.DecimalField("下达金额(元)", max_digits=16, decimal_places=2)
    allocated_on = models.DateField("下达日期")
    received_on = models.DateField("收到上级指标日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "资金下达"
        ordering = ["allocated_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document_no", "project"], name="allocation_document_per_project"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.document_no} {self.amount} 元"


class Payment(models.Model):
    """One payment voucher. Only payments to the final recipient that are not retention money count as spent."""

    voucher_no = models.CharField("支付凭证号", max_length=64, unique=True)
    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="payments")
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    paid_on = models.DateField("支付日期")
    amount = models.DecimalField("支付金额(元)", max_digits=16, decimal_places=2)
    payee = models.CharField("收款人", max_length=200)
    is_final_recipient = models.BooleanField("支付到最终收款人", default=True)
    is_retention = models.BooleanField("质保金", default=False)
    summary = models.CharField("摘要", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "资金支付"
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.amount} 元"

    @property
    def counts_as_spent(self) -> bool:
        return self.is_final_recipient and not self.is_retention


class PaymentHold(models.Model):
    """A 暂缓拨款 decision on a project, usually taken on a red monitoring warning; lifted by `released_at`."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="payment_holds")
    reason = models.CharField("原因", max_length=500)
    source_label = models.CharField("来源", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("决定时间", auto_now_add=True)
    released_at = models.DateTimeField("解除时间", null=True, blank=True)

    objects = ByProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "暂缓拨款"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"暂缓拨款:{self.project_id} {self.reason[:20]}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None
