from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from jixiao.accounts.permissions import Perm
from jixiao.orgs.models import Region, RegionLevel, Unit, UnitKind
from jixiao.projects.actions import PROJECT_FIELDS
from jixiao.projects.models import Category, FundSource, Project, ProjectStatus
from jixiao.projects.spreadsheets import FUND_HEADERS


class ProjectForm(forms.ModelForm):
    """A project with one amount field per fund source; choices limited to what the user may fill."""

    class Meta:
        model = Project
        fields = [f for f in PROJECT_FIELDS if f != "code"]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        editable = Unit.objects.visible_to(user, Perm.PROJECTS_EDIT)
        self._limit("unit", editable.filter(kind__in=[UnitKind.PROJECT_UNIT, UnitKind.DEPARTMENT]))
        self._limit("department", Unit.objects.filter(kind=UnitKind.DEPARTMENT))
        self._limit("division", Unit.objects.filter(kind=UnitKind.FINANCE_DIVISION))
        self._limit("evaluator", Unit.objects.filter(kind=UnitKind.THIRD_PARTY))
        self._limit("region", Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent"))
        self._limit("category", Category.objects.filter(parent__isnull=True))
        self._limit("subcategory", Category.objects.filter(parent__isnull=False).select_related("parent"))
        amounts = {f.source: f.amount_wan for f in self.instance.funds.all()} if self.instance.pk else {}
        for source, header in FUND_HEADERS.items():
            self.fields[f"fund_{source}"] = forms.DecimalField(
                label=header,
                required=False,
                min_value=Decimal("0"),
                max_digits=14,
                decimal_places=4,
                initial=amounts.get(source),
            )

    def _limit(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def changes(self) -> dict[str, Any]:
        names = self.changed_data if self.instance.pk else self.Meta.fields
        return {name: self.cleaned_data[name] for name in names if name in self.Meta.fields}

    def funds(self) -> list[tuple[str, Decimal]]:
        return [(s, self.cleaned_data[f"fund_{s}"]) for s in FundSource.values if self.cleaned_data.get(f"fund_{s}")]


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label="目标状态", choices=ProjectStatus.choices)
    note = forms.CharField(label="说明", required=False, max_length=500)
