from __future__ import annotations

import datetime as dt

from django import forms

from jixiao.monitoring.models import THRESHOLD_LABELS, default_thresholds
from jixiao.orgs.models import Region, Unit


class RoundForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=100, required=False, help_text="留空则自动命名")
    year = forms.IntegerField(label="预算年度", min_value=2015, max_value=2100, initial=dt.date.today().year)
    cutoff_month = forms.IntegerField(label="截止月份(监控 1–N 月)", min_value=1, max_value=12, initial=6)
    deadline = forms.DateField(label="填报截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(
        label="限定主管部门", queryset=Unit.objects.filter(kind="department"), required=False
    )
    district = forms.ModelChoiceField(label="限定区", queryset=Region.objects.filter(level="district"), required=False)
    yellow_gap = forms.IntegerField(label="黄色预警:低于序时进度(百分点)", min_value=0, max_value=100)
    red_gap = forms.IntegerField(label="红色预警:低于序时进度(百分点)", min_value=0, max_value=100)
    late_month = forms.IntegerField(label="大额项目预警起始月份", min_value=1, max_value=12)
    late_rate = forms.IntegerField(label="大额项目最低执行率(%)", min_value=0, max_value=100)
    large_budget_wan = forms.IntegerField(label="大额项目预算下限(万元)", min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in default_thresholds().items():
            self.fields[name].initial = value
            self.fields[name].label = THRESHOLD_LABELS[name]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )

    def thresholds(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in default_thresholds()}


class ExtendForm(forms.Form):
    """延长截止日期 (and reopen a closed round) on the round page."""

    deadline = forms.DateField(
        label="新的填报截止日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    reason = forms.CharField(
        label="延期原因", max_length=500, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
