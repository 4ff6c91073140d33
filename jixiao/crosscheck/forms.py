from __future__ import annotations

from typing import Any

from django import forms

from jixiao.accounts.permissions import Perm
from jixiao.crosscheck.layout import TABLES
from jixiao.crosscheck.mapping import ColumnMapping
from jixiao.crosscheck.models import ColumnMap, Dataset
from jixiao.crosscheck.rules import RULES
from jixiao.crosscheck.workflow import ClueCategory, VerifyResult
from jixiao.orgs.models import Unit, UnitKind

KIND_CHOICES = [(name, f"{name}({table.title})") for name, table in TABLES.items()]
ENCODING_CHOICES = [("", "自动(UTF-8)"), ("utf-8", "UTF-8"), ("gbk", "GBK / GB18030")]
RULE_CHOICES = [(rule.code, f"{rule.code} {rule.title}") for rule in RULES]


class DatasetForm(forms.Form):
    name = forms.CharField(label="数据集名称", max_length=100, help_text="例如:2024 年全市惠民资金比对")
    note = forms.CharField(label="说明", max_length=500, required=False)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="文件类型", choices=KIND_CHOICES)
    file = forms.FileField(label="文件(CSV、XLSX 或 Parquet)")
    encoding = forms.ChoiceField(label="CSV 编码", choices=ENCODING_CHOICES, required=False)
    saved_mapping = forms.ModelChoiceField(
        label="使用已保存的列映射", queryset=ColumnMap.objects.all(), required=False, empty_label="不使用"
    )
    columns = forms.CharField(
        label="列映射(每行一个:源列名=标准列名)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "身份证号码=payee_id\n姓名=payee_name"}),
        help_text="文件列名与标准格式一致时留空。",
    )
    sheet = forms.CharField(label="Excel 工作表", required=False, max_length=64)
    save_as = forms.CharField(label="把本次列映射保存为", required=False, max_length=64)
    accept_partial = forms.BooleanField(
        label="允许拒收个别行(其余行照常导入)", required=False, help_text="不勾选时,只要有一行不合格,整个文件都不导入。"
    )

    def clean_columns(self) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["columns"].splitlines(), start=1):
            if not line.strip():
                continue
            source, sep, target = line.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise forms.ValidationError(f"第 {number} 行“{line}”格式不对,应为 源列名=标准列名")
            pairs[source.strip()] = target.strip().lower()
        return pairs

    def mapping(self) -> ColumnMapping:
        """Return the mapping typed in, on top of the saved one when chosen."""
        data = self.cleaned_data
        saved: ColumnMap | None = data.get("saved_mapping")
        columns = {**(saved.columns if saved else {}), **data["columns"]}
        encoding = data.get("encoding") or (saved.encoding if saved else "") or None
        sheet = data.get("sheet") or (saved.sheet if saved else "") or None
        return ColumnMapping(columns=columns, encoding=encoding, sheet=sheet)


class RunForm(forms.Form):
    dataset = forms.ModelChoiceField(label="数据集", queryset=Dataset.objects.all(), empty_label=None)
    rules = forms.MultipleChoiceField(
        label="规则(不选即全部)",
        choices=RULE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def rule_spec(self) -> str:
        return ",".join(self.cleaned_data["rules"]) or "all"


class TransitionForm(forms.Form):
    """All the inputs any transition may need; the workflow's guards say which are required."""

    action = forms.CharField(max_length=24)
    category = forms.ChoiceField(label="分类", choices=[("", "—"), *ClueCategory.choices], required=False)
    unit = forms.ModelChoiceField(label="交办单位", queryset=Unit.objects.none(), required=False)
    deadline = forms.DateField(label="核实期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label="核实结果", choices=[("", "—"), *VerifyResult.choices], required=False)
    stop_payment = forms.BooleanField(label="停发", required=False)
    disqualified = forms.BooleanField(label="取消资格", required=False)
    recovered_amount = forms.DecimalField(label="追回金额(元)", max_digits=18, decimal_places=2, required=False)
    recovered_on = forms.DateField(label="追回日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    opinion = forms.CharField(label="意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = assignable_units(user)


def assignable_units(user: Any) -> Any:
    """Units a clue may be assigned to: district finance bureaus and project units the user can see."""
    if user is None:
        return Unit.objects.filter(kind__in=[UnitKind.DISTRICT_FINANCE, UnitKind.PROJECT_UNIT, UnitKind.DEPARTMENT])
    return Unit.objects.visible_to(user, Perm.ORGS_VIEW).filter(
        kind__in=[UnitKind.DISTRICT_FINANCE, UnitKind.PROJECT_UNIT, UnitKind.DEPARTMENT], is_active=True
    )


class IdCheckForm(forms.Form):
    ids = forms.CharField(
        label="身份证号(每行一个,最多 10000 个)", widget=forms.Textarea(attrs={"rows": 8}), max_length=300_000
    )
