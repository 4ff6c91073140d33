from __future__ import annotations

from django import forms


class FundImportForm(forms.Form):
    file = forms.FileField(label="文件(.xlsx 或 .csv)", help_text="按模板填写;CSV 可为 UTF-8 或 GBK 编码。")
