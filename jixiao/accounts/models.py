from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from jixiao.accounts.permissions import ADMIN_KIND_LABELS, SCOPE_LABELS, AdminKind, Perm, ScopeKind
from jixiao.accounts.scope import scope_for


class Role(models.Model):
    """A named set of permission codes with a data scope (see permissions.BUILTIN_ROLES)."""

    code = models.SlugField("角色编码", max_length=32, unique=True)
    name = models.CharField("角色名称", max_length=64)
    scope = models.CharField(
        "数据范围", max_length=16, choices=[(str(k), v) for k, v in SCOPE_LABELS.items()], default=ScopeKind.OWN_UNIT
    )
    permissions = models.JSONField("权限", default=list, blank=True)
    admin_kind = models.CharField(
        "三员类别",
        max_length=16,
        blank=True,
        choices=[(str(k), v) for k, v in ADMIN_KIND_LABELS.items()],
        help_text="三员分立:同一用户只能担任一种管理员,且不能兼任业务角色。",
    )
    read_only = models.BooleanField("只读", default=False)
    builtin = models.BooleanField("内置", default=False)
    description = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "角色"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def has(self, perm: str) -> bool:
        return perm in self.permissions


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any, perm: str = Perm.USERS_VIEW) -> UserQuerySet:
        """Users whose unit lies in the viewer's scope; the viewer always sees themself."""
        scope = scope_for(user, perm)
        own = models.Q(pk=user.pk) if getattr(user, "pk", None) else models.Q(pk__in=[])
        return self.filter(
            scope.q(region_path="unit__region__path", unit_path="unit__path", unit_id="unit_id", assigned="unit_id")
            | own
        )


class JixiaoUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=32, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("手机", max_length=32, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = JixiaoUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}({self.username})"

    def active_assignments(self) -> list[RoleAssignment]:
        cached = self.__dict__.get("_assignments")
        if cached is None:
            cached = list(
                self.role_assignments.select_related("role", "unit__region", "region").order_by("role_id")  # type: ignore[attr-defined]
            )
            if self.unit_id:
                # Warm the unit (and its region) once; scope computation reads them per assignment.
                _ = self.unit and self.unit.region
            self.__dict__["_assignments"] = cached
        return cached

    def roles(self) -> list[Role]:
        return [a.role for a in self.active_assignments()]

    def perm_codes(self) -> set[str]:
        if not self.is_active:
            return set()
        return {p for role in self.roles() for p in role.permissions}

    def has_perm_code(self, perm: str) -> bool:
        return perm in self.perm_codes()

    def admin_kinds(self) -> set[str]:
        return {r.admin_kind for r in self.roles() if r.admin_kind}

    @property
    def is_admin_officer(self) -> bool:
        return bool(self.admin_kinds())

    def is_read_only(self) -> bool:
        roles = self.roles()
        return bool(roles) and all(r.read_only for r in roles)

    def forget_caches(self) -> None:
        self.__dict__.pop("_assignments", None)
        self.__dict__.pop("_scope_cache", None)


class RoleAssignment(models.Model):
    """A role held by a user, anchored at a unit or region (default: the user's own unit)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, verbose_name="角色", on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name="范围单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="留空则为用户所在单位",
    )
    region = models.ForeignKey(
        "orgs.Region",
        verbose_name="范围区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="留空则为范围单位所在区划",
    )
    created_at = models.DateTimeField("分配时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name="分配人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username} → {self.role.name}"


class LoginResult(models.TextChoices):
    SUCCESS = "success", "成功"
    WRONG_PASSWORD = "wrong_password", "用户名或密码错误"
    LOCKED = "locked", "已锁定"
    INACTIVE = "inactive", "账户已停用"


class LoginAttemptQuerySet(models.QuerySet["LoginAttempt"]):
    def visible_to(self, user: Any) -> LoginAttemptQuerySet:
        """The login log is readable by holders of loginlog.view; everyone sees their own logins."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm_code(Perm.LOGINLOG_VIEW):
            return self.all()
        return self.filter(user=user)


class LoginAttempt(models.Model):
    """The login log: every attempt, successful or not, from the web or the API."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    username = models.CharField("用户名", max_length=150, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_attempts")
    ip = models.CharField("IP 地址", max_length=64, db_index=True)
    success = models.BooleanField("成功", default=False)
    result = models.CharField("结果", max_length=24, choices=LoginResult.choices)
    channel = models.CharField("渠道", max_length=8, choices=[("web", "网页"), ("api", "接口")], default="web")
    user_agent = models.CharField("浏览器", max_length=255, blank=True)

    objects = LoginAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = "登录日志"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_result_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_valid(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()


__all__ = ["AdminKind", "ApiToken", "LoginAttempt", "Role", "RoleAssignment", "User", "hash_token"]
