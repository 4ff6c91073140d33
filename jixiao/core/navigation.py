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
        "项目库",
        (
            NavItem("项目库", "projects:project_list", Perm.PROJECTS_VIEW),
            NavItem("新增项目", "projects:project_create", Perm.PROJECTS_EDIT),
            NavItem("导入项目", "projects:project_import", Perm.PROJECTS_EDIT),
        ),
    ),
    NavSection(
        "绩效目标",
        (
            NavItem("绩效目标", "goals:goal_list", Perm.PROJECTS_VIEW),
            NavItem("导入目标", "goals:goal_import", Perm.GOALS_FILL),
            NavItem("审核意见书", "goals:letter_list", Perm.GOALS_REVIEW_FINANCE),
            NavItem("指标库", "indicators:template_list", Perm.PROJECTS_VIEW),
        ),
    ),
    NavSection(
        "资金与监控",
        (
            NavItem("资金下达与支付", "funds:overview", Perm.PROJECTS_VIEW),
            NavItem("导入资金", "funds:import", Perm.FUNDS_MANAGE),
            NavItem("运行监控", "monitoring:round_list", Perm.PROJECTS_VIEW),
            NavItem("下发监控任务", "monitoring:round_create", Perm.MONITORING_MANAGE),
        ),
    ),
    NavSection(
        "绩效自评",
        (
            NavItem("自评任务", "selfeval:campaign_list", Perm.PROJECTS_VIEW),
            NavItem("发起自评", "selfeval:campaign_create", Perm.SELFEVAL_MANAGE),
            NavItem("评分方案", "selfeval:profile_list", Perm.PROJECTS_VIEW),
        ),
    ),
    NavSection(
        "组织机构",
        (
            NavItem("行政区划", "orgs:region_list", Perm.ORGS_VIEW),
            NavItem("单位", "orgs:unit_list", Perm.ORGS_VIEW),
        ),
    ),
    NavSection(
        "大数据比对",
        (
            NavItem("比对看板", "crosscheck:dashboard", Perm.CROSSCHECK_VIEW),
            NavItem("问题线索", "crosscheck:clue_list", Perm.CROSSCHECK_VIEW),
            NavItem("核实线索", "crosscheck:clue_list", Perm.CROSSCHECK_VERIFY),
            NavItem("比对运行", "crosscheck:run_list", Perm.CROSSCHECK_VIEW),
            NavItem("比对数据集", "crosscheck:dataset_list", Perm.CROSSCHECK_RUN),
            NavItem("身份证号校验", "crosscheck:idcheck", Perm.CROSSCHECK_VIEW),
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
