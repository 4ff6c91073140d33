from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    TRANSITION = "transition", "状态变更"
    IMPORT = "import", "导入"
    REVEAL = "reveal", "查看敏感信息"
    EXPORT = "export", "导出"
    VIEW = "view", "查看"


class AppendOnlyError(Exception):
    pass


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计日志只允许追加,不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise AppendOnlyError("审计日志只允许追加,不能删除。")

    def visible_to(self, user) -> AuditLogQuerySet:
        """Audit rows are readable only by holders of audit.view (审计管理员)."""
        from jixiao.accounts.permissions import Perm

        if user.is_authenticated and user.has_perm_code(Perm.AUDIT_VIEW):
            return self.all()
        return self.none()


class AuditLog(models.Model):
    """One create/update/delete (or other audited act) on business data. Append-only."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=16, choices=AuditAction.choices, db_index=True)
    model = models.CharField("数据类型", max_length=64, db_index=True)
    object_id = models.CharField("对象 ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计日志只允许追加,不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志只允许追加,不能删除。")

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """Return (field, before, after) for fields whose value differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
