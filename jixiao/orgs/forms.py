from __future__ import annotations

from django import forms

from jixiao.accounts.permissions import Perm
from jixiao.orgs.models import Region, Unit


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "population", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.visible_to(user, Perm.ORGS_MANAGE).exclude(level="village")


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "region", "contact_person", "phone", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Unit.objects.visible_to(user, Perm.ORGS_MANAGE)
        self.fields["region"].queryset = Region.objects.visible_to(user, Perm.ORGS_VIEW)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件(.xlsx)")
