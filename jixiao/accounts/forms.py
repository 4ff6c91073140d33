from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from jixiao.accounts.models import Role, User
from jixiao.accounts.permissions import PERM_LABELS, Perm
from jixiao.orgs.models import Region, Unit


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", max_length=128, widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", max_length=128, widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="新密码",
        max_length=128,
        widget=forms.PasswordInput,
        help_text="；".join(password_validators_help_texts()),
    )
    new_password2 = forms.CharField(label="确认新密码", max_length=128, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -"},
    )
    full_name = forms.CharField(label="姓名", max_length=32)
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none())
    phone = forms.CharField(label="手机", max_length=32, required=False)
    email = forms.EmailField(label="邮箱", required=False)
    password = forms.CharField(
        label="初始密码", max_length=128, widget=forms.PasswordInput, help_text="用户首次登录时须修改密码。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, Perm.USERS_MANAGE)


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "unit", "phone", "email", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, Perm.USERS_MANAGE)


class ResetPasswordForm(forms.Form):
    new_password = forms.CharField(
        label="新密码", max_length=128, widget=forms.PasswordInput, help_text="用户下次登录时须修改密码。"
    )


class AssignRoleForm(forms.Form):
    role = forms.ModelChoiceField(label="角色", queryset=Role.objects.all())
    unit = forms.ModelChoiceField(
        label="范围单位", queryset=Unit.objects.all(), required=False, help_text="留空则为用户所在单位"
    )
    region = forms.ModelChoiceField(
        label="范围区划",
        queryset=Region.objects.exclude(level="village"),
        required=False,
        help_text="留空则为范围单位所在区划",
    )


class RolePermissionsForm(forms.Form):
    permissions = forms.MultipleChoiceField(
        label="权限", choices=list(PERM_LABELS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
