"""The navigation menu, declared as data: an entry shows only when the user holds its permission."""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.accounts.permissions import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection("工作台", (NavItem("首页", "core:home"),)),
    NavSection(
        "组织机构",
        (
            NavItem("行政区划", "orgs:region_list", Perm.ORGS_VIEW),
            NavItem("单位", "orgs:unit_list", Perm.ORGS_VIEW),
        ),
    ),
    NavSection(
        "系统管理",
        (
            NavItem("用户", "accounts:user_list", Perm.USERS_VIEW),
            NavItem("角色与权限", "accounts:role_list", Perm.ROLES_MANAGE),
            NavItem("审计日志", "audit:log_list", Perm.AUDIT_VIEW),
            NavItem("登录日志", "accounts:login_log", Perm.LOGINLOG_VIEW),
        ),
    ),
    NavSection("帮助", (NavItem("接口文档", "api-1.0.0:openapi-view"),)),
)


def menu_for(user) -> list[dict]:
    """Return the sections and items this user may use, in order, without empty sections."""
    if not user.is_authenticated:
        return []
    perms = user.perm_codes()
    sections = []
    for section in NAVIGATION:
        items = [item for item in section.items if item.perm is None or item.perm in perms]
        if items:
            sections.append({"label": section.label, "items": items})
    return sections
