"""The standard indicator library (标准体系) in the database: one row per template and category, by year."""

from __future__ import annotations

from django.db import models

OPERATOR_CHOICES = [("≥", "≥ 正向"), ("≤", "≤ 反向"), ("=", "= 等于"), ("定性", "定性")]


class IndicatorTemplate(models.Model):
    """A library indicator (三级指标) offered to one category (or to every category when `category` is empty),
    valid for the budget years valid_from…valid_to. Rows sharing a `code` are one template."""

    code = models.CharField("指标编码", max_length=20, db_index=True)
    category = models.ForeignKey(
        "projects.Category",
        verbose_name="适用类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_templates",
        help_text="留空表示通用指标(适用于全部使用通用指标的类别)",
    )
    name = models.CharField("指标名称", max_length=100)
    level1 = models.CharField("一级指标(88号)", max_length=20)
    level2 = models.CharField("二级指标(88号)", max_length=20)
    level1_101 = models.CharField("一级指标(101号)", max_length=20)
    level2_101 = models.CharField("二级指标(101号)", max_length=20)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    operator = models.CharField("指标方向", max_length=4, choices=OPERATOR_CHOICES)
    default_target = models.CharField("参考指标值", max_length=50, blank=True)
    range_low = models.FloatField("合理区间下限", null=True, blank=True)
    range_high = models.FloatField("合理区间上限", null=True, blank=True)
    core = models.BooleanField("核心指标★★★", default=False)
    explanation = models.TextField("指标解释", blank=True)
    data_source = models.CharField("数据来源", max_length=200, blank=True)
    policy_value = models.FloatField("政策标准值", null=True, blank=True)
    policy_operator = models.CharField("政策标准方向", max_length=4, blank=True)
    policy_unit = models.CharField("政策标准单位", max_length=20, blank=True)
    policy_basis = models.CharField("政策依据", max_length=200, blank=True)
    aliases = models.CharField("别名(顿号分隔)", max_length=500, blank=True)
    valid_from = models.PositiveSmallIntegerField("起始年度")
    valid_to = models.PositiveSmallIntegerField("截止年度", null=True, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "标准指标"
        ordering = ["sort", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "category", "valid_from"], name="indicator_template_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="indicator_template_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    @property
    def plausible_range(self) -> str:
        if self.range_low is None and self.range_high is None:
            return ""
        return f"{_plain(self.range_low)}–{_plain(self.range_high)}"


def _plain(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
