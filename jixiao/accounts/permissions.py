"""Permission codes and built-in roles, declared as data.

A role grants permission codes and a data scope. A user's scope for a permission is the union of the scopes of
the roles that grant it, so a permission decides *what* a user may do and the scope *on which rows*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Perm(StrEnum):
    ORGS_VIEW = "orgs.view"
    ORGS_MANAGE = "orgs.manage"
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    ROLES_MANAGE = "roles.manage"
    AUDIT_VIEW = "audit.view"
    LOGINLOG_VIEW = "loginlog.view"
    PROJECTS_VIEW = "projects.view"
    PROJECTS_EDIT = "projects.edit"
    PROJECTS_MANAGE = "projects.manage"
    INDICATORS_MANAGE = "indicators.manage"
    GOALS_FILL = "goals.fill"
    GOALS_REVIEW_DEPT = "goals.review_dept"
    GOALS_REVIEW_FINANCE = "goals.review_finance"
    CROSSCHECK_VIEW = "crosscheck.view"
    CROSSCHECK_RUN = "crosscheck.run"
    CROSSCHECK_VERIFY = "crosscheck.verify"
    CROSSCHECK_REVEAL = "crosscheck.reveal"
    SELFEVAL_FILL = "selfeval.fill"
    SELFEVAL_REVIEW_DEPT = "selfeval.review_dept"
    SELFEVAL_REVIEW_FINANCE = "selfeval.review_finance"
    SELFEVAL_MANAGE = "selfeval.manage"
    FUNDS_MANAGE = "funds.manage"
    MONITORING_FILL = "monitoring.fill"
    MONITORING_MANAGE = "monitoring.manage"
    MONITORING_REVIEW_DEPT = "monitoring.review_dept"
    MONITORING_REVIEW_FINANCE = "monitoring.review_finance"


PERM_LABELS: dict[str, str] = {
    Perm.ORGS_VIEW: "查看组织机构(区划、单位)",
    Perm.ORGS_MANAGE: "维护组织机构(区划、单位)",
    Perm.USERS_VIEW: "查看用户",
    Perm.USERS_MANAGE: "维护用户(新建、停用、重置密码)",
    Perm.ROLES_MANAGE: "分配角色、维护角色权限",
    Perm.AUDIT_VIEW: "查看审计日志",
    Perm.LOGINLOG_VIEW: "查看登录日志",
    Perm.PROJECTS_VIEW: "查看项目库",
    Perm.PROJECTS_EDIT: "填报、修改本单位项目",
    Perm.PROJECTS_MANAGE: "项目入库、批复、终止等管理操作",
    Perm.INDICATORS_MANAGE: "维护标准指标库",
    Perm.GOALS_FILL: "填报绩效目标",
    Perm.GOALS_REVIEW_DEPT: "主管部门审核绩效目标",
    Perm.GOALS_REVIEW_FINANCE: "财政审核、批复绩效目标",
    Perm.CROSSCHECK_VIEW: "查看大数据比对线索",
    Perm.CROSSCHECK_RUN: "导入比对数据、运行比对、交办线索",
    Perm.CROSSCHECK_VERIFY: "核实交办的线索",
    Perm.CROSSCHECK_REVEAL: "查看完整身份证号(留痕)",
    Perm.SELFEVAL_FILL: "填报绩效自评",
    Perm.SELFEVAL_REVIEW_DEPT: "主管部门审核绩效自评",
    Perm.SELFEVAL_REVIEW_FINANCE: "财政审核绩效自评",
    Perm.SELFEVAL_MANAGE: "组织自评、财政审核、结果应用",
    Perm.FUNDS_MANAGE: "维护资金下达与支付",
    Perm.MONITORING_FILL: "填报监控表",
    Perm.MONITORING_MANAGE: "组织监控、审核与处置",
    Perm.MONITORING_REVIEW_DEPT: "主管部门审核监控表",
    Perm.MONITORING_REVIEW_FINANCE: "财政审核监控表",
}


class ScopeKind(StrEnum):
    ALL = "all"
    REGION = "region"
    UNIT_TREE = "unit_tree"
    OWN_UNIT = "own_unit"
    OWN_RECORDS = "own_records"
    ASSIGNED = "assigned"


SCOPE_LABELS: dict[str, str] = {
    ScopeKind.ALL: "全部",
    ScopeKind.REGION: "本区划及下级",
    ScopeKind.UNIT_TREE: "本单位及下级单位",
    ScopeKind.OWN_UNIT: "本单位",
    ScopeKind.OWN_RECORDS: "本人填报",
    ScopeKind.ASSIGNED: "分配给本单位的",
}


class AdminKind(StrEnum):
    """三员分立: the three administrator duties, mutually exclusive for one user."""

    SYSTEM = "system"
    SECURITY = "security"
    AUDIT = "audit"


ADMIN_KIND_LABELS: dict[str, str] = {
    AdminKind.SYSTEM: "系统管理员",
    AdminKind.SECURITY: "安全管理员",
    AdminKind.AUDIT: "审计管理员",
}

# Permissions only administrators may hold, and business roles never.
ADMIN_ONLY_PERMS = {Perm.USERS_MANAGE, Perm.ROLES_MANAGE, Perm.AUDIT_VIEW, Perm.LOGINLOG_VIEW}


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    scope: ScopeKind
    perms: frozenset[str]
    description: str
    admin_kind: AdminKind | None = None
    read_only: bool = False
    extra: dict[str, str] = field(default_factory=dict)


BUSINESS_VIEW = frozenset({Perm.ORGS_VIEW, Perm.PROJECTS_VIEW})

BUILTIN_ROLES: list[RoleSpec] = [
    RoleSpec(
        "perf_admin",
        "预算绩效管理处",
        ScopeKind.ALL,
        BUSINESS_VIEW
        | {
            Perm.USERS_VIEW,
            Perm.PROJECTS_EDIT,
            Perm.PROJECTS_MANAGE,
            Perm.INDICATORS_MANAGE,
            Perm.GOALS_REVIEW_FINANCE,
            Perm.CROSSCHECK_VIEW,
            Perm.CROSSCHECK_RUN,
            Perm.CROSSCHECK_REVEAL,
            Perm.FUNDS_MANAGE,
            Perm.MONITORING_MANAGE,
            Perm.SELFEVAL_REVIEW_FINANCE,
            Perm.SELFEVAL_MANAGE,
            Perm.MONITORING_REVIEW_FINANCE,
        },
        "财政局预算绩效管理处:制定规则、审核目标、组织自评、督办催报,可见全部业务数据。",
    ),
    RoleSpec(
        "fund_division",
        "资金管理处室",
        ScopeKind.ASSIGNED,
        BUSINESS_VIEW
        | {
            Perm.PROJECTS_MANAGE,
            Perm.GOALS_REVIEW_FINANCE,
            Perm.FUNDS_MANAGE,
            Perm.MONITORING_MANAGE,
            Perm.SELFEVAL_REVIEW_FINANCE,
            Perm.MONITORING_REVIEW_FINANCE,
        },
        "财政局资金管理处室(农业农村处等):管理本处室资金,初审,可见本处室归口的项目。",
    ),
    RoleSpec(
        "district_finance",
        "区财政局",
        ScopeKind.REGION,
        BUSINESS_VIEW
        | {
            Perm.USERS_VIEW,
            Perm.PROJECTS_EDIT,
            Perm.GOALS_REVIEW_DEPT,
            Perm.CROSSCHECK_VERIFY,
            Perm.FUNDS_MANAGE,
            Perm.SELFEVAL_REVIEW_DEPT,
            Perm.MONITORING_REVIEW_DEPT,
        },
        "区财政局:统筹本区,可见本区及下级区划的单位和项目。",
    ),
    RoleSpec(
        "department",
        "主管部门",
        ScopeKind.UNIT_TREE,
        BUSINESS_VIEW
        | {
            Perm.PROJECTS_EDIT,
            Perm.GOALS_FILL,
            Perm.GOALS_REVIEW_DEPT,
            Perm.MONITORING_FILL,
            Perm.SELFEVAL_FILL,
            Perm.SELFEVAL_REVIEW_DEPT,
            Perm.MONITORING_REVIEW_DEPT,
        },
        "市直主管部门:审核所属单位,可见本部门及下属单位。",
    ),
    RoleSpec(
        "project_unit",
        "项目单位",
        ScopeKind.OWN_UNIT,
        BUSINESS_VIEW | {Perm.PROJECTS_EDIT, Perm.GOALS_FILL, Perm.MONITORING_FILL, Perm.SELFEVAL_FILL},
        "项目单位:谁支出、谁填报、谁负责,可见本单位项目。",
    ),
    RoleSpec(
        "third_party",
        "第三方机构",
        ScopeKind.ASSIGNED,
        BUSINESS_VIEW,
        "第三方评价机构:只可见委托给本机构评价的项目。",
    ),
    RoleSpec(
        "inspector",
        "纪委监委(只读)",
        ScopeKind.ALL,
        BUSINESS_VIEW | {Perm.CROSSCHECK_VIEW, Perm.CROSSCHECK_REVEAL},
        "纪委监委、审计:只读查看线索和台账,每次查看留痕。",
        read_only=True,
    ),
    RoleSpec(
        "sysadmin",
        "系统管理员",
        ScopeKind.ALL,
        frozenset({Perm.ORGS_VIEW, Perm.ORGS_MANAGE, Perm.USERS_VIEW, Perm.USERS_MANAGE}),
        "三员之一:维护用户、组织机构和系统配置,不分配权限,不查看业务数据和审计日志。",
        admin_kind=AdminKind.SYSTEM,
    ),
    RoleSpec(
        "secadmin",
        "安全管理员",
        ScopeKind.ALL,
        frozenset({Perm.USERS_VIEW, Perm.ROLES_MANAGE}),
        "三员之一:分配角色、维护角色权限,不维护用户资料,不查看业务数据和审计日志。",
        admin_kind=AdminKind.SECURITY,
    ),
    RoleSpec(
        "auditadmin",
        "审计管理员",
        ScopeKind.ALL,
        frozenset({Perm.AUDIT_VIEW, Perm.LOGINLOG_VIEW}),
        "三员之一:只查看审计日志和登录日志。",
        admin_kind=AdminKind.AUDIT,
    ),
]
