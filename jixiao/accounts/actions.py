"""Writes on users and roles. Each action runs in a transaction and appends its audit rows."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.accounts.models import ApiToken, Role, RoleAssignment, User, hash_token
from jixiao.accounts.permissions import ADMIN_ONLY_PERMS, BUILTIN_ROLES, PERM_LABELS, Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_created, record_updated, snapshot
from jixiao.orgs.models import Region, Unit

USER_FIELDS = ("username", "full_name", "unit", "phone", "email", "is_active", "must_change_password")


def _check_unit_in_scope(acting_user: User | None, unit: Unit | None) -> None:
    if (
        acting_user is not None
        and unit is not None
        and not Unit.objects.visible_to(acting_user, Perm.USERS_MANAGE).filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied("所选单位不在您的管理范围内。")


@transaction.atomic
def do_create_user(
    *,
    username: str,
    full_name: str,
    unit: Unit | None,
    password: str,
    phone: str = "",
    email: str = "",
    must_change_password: bool = True,
    acting_user: User | None,
) -> User:
    """Create a user; users created by an administrator must change the password at first login."""
    if acting_user is not None:
        require_perm(acting_user, Perm.USERS_MANAGE)
        _check_unit_in_scope(acting_user, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在。"})
    user = User(
        username=username,
        full_name=full_name,
        unit=unit,
        phone=phone,
        email=email,
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    record_created(acting_user, user)
    return user


@transaction.atomic
def do_update_user(*, user: User, acting_user: User, changes: dict[str, Any]) -> User:
    """Update the named profile fields of a user."""
    require_perm(acting_user, Perm.USERS_MANAGE)
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{', '.join(sorted(unknown))}")
    if "unit" in changes:
        _check_unit_in_scope(acting_user, changes["unit"])
    if user.pk == acting_user.pk and changes.get("is_active") is False:
        raise ValidationError("不能停用自己的账户。")
    before = snapshot(user)
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean()
    user.save()
    user.forget_caches()
    record_updated(acting_user, user, before)
    return user


@transaction.atomic
def do_reset_password(*, user: User, new_password: str, acting_user: User) -> None:
    """Set a new password chosen by an administrator; the user must change it at next login."""
    require_perm(acting_user, Perm.USERS_MANAGE)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(actor=acting_user, action=AuditAction.UPDATE, obj=user, after={"password": "******"}, note="重置密码")


@transaction.atomic
def do_change_own_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "原密码不正确。"})
    if old_password == new_password:
        raise ValidationError({"new_password": "新密码不能与原密码相同。"})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(actor=user, action=AuditAction.UPDATE, obj=user, after={"password": "******"}, note="本人修改密码")


def _check_separation(user: User, role: Role) -> None:
    """三员分立: one administrator duty per user, and none together with business roles."""
    held = [a.role for a in user.active_assignments()]
    if role.admin_kind:
        other = {r.admin_kind for r in held if r.admin_kind and r.admin_kind != role.admin_kind}
        if other or any(not r.admin_kind for r in held):
            raise ValidationError("三员分立:管理员角色不能与其他管理员角色或业务角色兼任。")
    elif any(r.admin_kind for r in held):
        raise ValidationError("三员分立:管理员不能兼任业务角色。")


@transaction.atomic
def do_assign_role(
    *, user: User, role: Role, acting_user: User | None, unit: Unit | None = None, region: Region | None = None
) -> RoleAssignment:
    """Grant a role; the security administrator may not grant roles to themself."""
    if acting_user is not None:
        require_perm(acting_user, Perm.ROLES_MANAGE)
        if acting_user.pk == user.pk:
            raise PermissionDenied("不能给自己分配角色。")
    if RoleAssignment.objects.filter(user=user, role=role).exists():
        raise ValidationError(f"用户已拥有角色“{role.name}”。")
    _check_separation(user, role)
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit, region=region, created_by=acting_user)
    user.forget_caches()
    record(
        actor=acting_user,
        action=AuditAction.CREATE,
        obj=assignment,
        after={
            "user": user.username,
            "role": role.code,
            "unit": unit.code if unit else None,
            "region": region.code if region else None,
        },
    )
    return assignment


@transaction.atomic
def do_revoke_role(*, assignment: RoleAssignment, acting_user: User) -> None:
    require_perm(acting_user, Perm.ROLES_MANAGE)
    if acting_user.pk == assignment.user_id:
        raise PermissionDenied("不能撤销自己的角色。")
    record(
        actor=acting_user,
        action=AuditAction.DELETE,
        obj=assignment,
        before={"user": assignment.user.username, "role": assignment.role.code},
    )
    assignment.delete()
    assignment.user.forget_caches()


@transaction.atomic
def do_update_role_permissions(*, role: Role, permissions: list[str], acting_user: User) -> Role:
    """Change the permissions of a business role; administrator roles are fixed (三员分立)."""
    require_perm(acting_user, Perm.ROLES_MANAGE)
    if role.admin_kind:
        raise PermissionDenied("三员角色的权限固定,不能修改。")
    unknown = [p for p in permissions if p not in PERM_LABELS]
    if unknown:
        raise ValidationError(f"未知权限:{', '.join(unknown)}")
    forbidden = [PERM_LABELS[p] for p in permissions if p in ADMIN_ONLY_PERMS]
    if forbidden:
        raise ValidationError(f"三员分立:业务角色不能拥有管理员权限({'、'.join(forbidden)})。")
    before = snapshot(role)
    role.permissions = sorted(set(permissions))
    role.save(update_fields=["permissions"])
    record_updated(acting_user, role, before)
    return role


def sync_builtin_roles(role_model: Any = Role) -> int:
    """Create or refresh the built-in roles from permissions.BUILTIN_ROLES; return how many changed.

    Migrations pass their historical Role model; later issues add permissions to the built-in roles and ship a
    migration that calls this again.
    """
    changed = 0
    for spec in BUILTIN_ROLES:
        values = {
            "name": spec.name,
            "scope": spec.scope.value,
            "permissions": sorted(str(p) for p in spec.perms),
            "admin_kind": spec.admin_kind.value if spec.admin_kind else "",
            "read_only": spec.read_only,
            "builtin": True,
            "description": spec.description,
        }
        role, created = role_model.objects.get_or_create(code=spec.code, defaults=values)
        if created:
            changed += 1
            continue
        if role.admin_kind or role.scope != values["scope"]:
            dirty = {k: v for k, v in values.items() if getattr(role, k) != v}
        else:
            # Business roles keep permissions a security administrator added; new built-in ones are merged in.
            merged = sorted(set(role.permissions) | set(spec.perms))
            dirty = {k: v for k, v in {**values, "permissions": merged}.items() if getattr(role, k) != v}
        if dirty:
            for k, v in dirty.items():
                setattr(role, k, v)
            role.save()
            changed += 1
    return changed


@transaction.atomic
def do_issue_token(*, user: User) -> tuple[str, dt.datetime]:
    """Return a new bearer token and its expiry; only the hash is stored."""
    raw = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(hours=settings.API_TOKEN_HOURS)
    ApiToken.objects.create(user=user, key_hash=hash_token(raw), expires_at=expires_at)
    return raw, expires_at
