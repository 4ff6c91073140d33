"""Role-walk expectations for the foundation: home, accounts, organisations, audit."""

from __future__ import annotations

from jixiao.accounts.models import RoleAssignment, User
from jixiao.orgs.models import Region, Unit
from tests.walk.roles import (
    ALL,
    AUDITADMIN,
    ORGS_VIEW,
    PUBLIC,
    SECADMIN,
    SEE_XINZHOU_REGION,
    SEE_XINZHOU_UNIT,
    SEE_XINZHOU_USER,
    SYSADMIN,
    USERS_VIEW,
)

# url name → (method, roles allowed). Object routes use the objects from `targets` below.
PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "core:home": ("get", ALL),
    "accounts:login": ("get", PUBLIC),
    "accounts:logout": ("post", PUBLIC),
    "accounts:password_change": ("get", ALL),
    "accounts:user_list": ("get", USERS_VIEW),
    "accounts:user_create": ("get", SYSADMIN),
    "accounts:user_detail": ("get", SEE_XINZHOU_USER),
    "accounts:user_edit": ("get", SYSADMIN),
    "accounts:user_reset_password": ("post", SYSADMIN),
    "accounts:user_assign_role": ("post", SECADMIN),
    "accounts:user_revoke_role": ("post", SECADMIN),
    "accounts:role_list": ("get", SECADMIN),
    "accounts:role_detail": ("get", SECADMIN),
    "accounts:login_log": ("get", AUDITADMIN),
    "accounts:login_log_export": ("get", AUDITADMIN),
    "orgs:region_list": ("get", ORGS_VIEW),
    "orgs:region_create": ("get", SYSADMIN),
    "orgs:region_export": ("get", ORGS_VIEW),
    "orgs:region_import": ("get", SYSADMIN),
    "orgs:region_detail": ("get", SEE_XINZHOU_REGION),
    "orgs:region_edit": ("get", SYSADMIN),
    "orgs:unit_list": ("get", ORGS_VIEW),
    "orgs:unit_create": ("get", SYSADMIN),
    "orgs:unit_export": ("get", ORGS_VIEW),
    "orgs:unit_import": ("get", SYSADMIN),
    "orgs:unit_detail": ("get", SEE_XINZHOU_UNIT),
    "orgs:unit_edit": ("get", SYSADMIN),
    "orgs:unit_toggle": ("post", SYSADMIN),
    "audit:log_list": ("get", AUDITADMIN),
    "audit:log_export": ("get", AUDITADMIN),
}

# (method, path template) → (roles allowed, JSON body)
API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    ("POST", "/api/v1/auth/token"): (PUBLIC, None),
    ("GET", "/api/v1/me"): (ALL, None),
    ("GET", "/api/v1/regions"): (ORGS_VIEW, None),
    ("POST", "/api/v1/regions"): (
        SYSADMIN,
        {"code": "420117100299", "name": "测试村", "level": "village", "parent_code": "420117100"},
    ),
    ("GET", "/api/v1/regions/{region_id}"): (SEE_XINZHOU_REGION, None),
    ("PATCH", "/api/v1/regions/{region_id}"): (SYSADMIN, {"population": 654321}),
    ("GET", "/api/v1/units"): (ORGS_VIEW, None),
    ("POST", "/api/v1/units"): (
        SYSADMIN,
        {"code": "TEST-U", "name": "测试单位", "kind": "project_unit", "region_code": "420117100"},
    ),
    ("GET", "/api/v1/units/{unit_id}"): (SEE_XINZHOU_UNIT, None),
    ("PATCH", "/api/v1/units/{unit_id}"): (SYSADMIN, {"contact_person": "测试"}),
    ("GET", "/api/v1/users"): (USERS_VIEW, None),
    ("GET", "/api/v1/users/{user_id}"): (SEE_XINZHOU_USER, None),
    ("GET", "/api/v1/audit-logs"): (AUDITADMIN, None),
    ("GET", "/api/v1/login-logs"): (AUDITADMIN, None),
}


def targets(demo) -> dict:
    """Objects that fill the routes' parameters, by kind (the url name's or path parameter's prefix)."""
    assignment = RoleAssignment.objects.get(user__username="unit_xinzhou")
    return {
        "region": Region.objects.get(code="420117"),
        "unit": Unit.objects.get(code="420117-U2"),
        "user": User.objects.get(username="unit_xinzhou"),
        "assignment": assignment,
        "role": assignment.role,
    }
