from __future__ import annotations

from django import forms

from jixiao.indicators.models import IndicatorTemplate


class TemplateForm(forms.ModelForm):
    class Meta:
        model = IndicatorTemplate
        fields = ["code", "category", "name", "level1", "level2", "level1_101", "level2_101", "unit", "operator",
                  "default_target", "range_low", "range_high", "core", "explanation", "data_source", "policy_value",
                  "policy_operator", "policy_unit", "policy_basis", "aliases", "valid_from", "valid_to", "sort"]  # fmt: skip
