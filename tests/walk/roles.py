"""Role groups of the demo cast, for the role walk's expectations."""

from __future__ import annotations

from tests.conftest import DEMO_USERNAMES

ALL = frozenset(DEMO_USERNAMES)
BUSINESS = frozenset(
    {"perf_admin", "agri_div", "xinzhou_fin", "jiangxia_fin", "dept_agri", "unit_xinzhou", "third_party", "inspector"}
)
ORGS_VIEW = BUSINESS | {"sysadmin"}
USERS_VIEW = frozenset({"perf_admin", "xinzhou_fin", "jiangxia_fin", "sysadmin", "secadmin"})
SYSADMIN = frozenset({"sysadmin"})
SECADMIN = frozenset({"secadmin"})
AUDITADMIN = frozenset({"auditadmin"})
SEE_XINZHOU_REGION = frozenset({"perf_admin", "inspector", "sysadmin", "xinzhou_fin"})
SEE_XINZHOU_UNIT = SEE_XINZHOU_REGION | {"unit_xinzhou"}
SEE_XINZHOU_USER = frozenset({"perf_admin", "xinzhou_fin", "sysadmin", "secadmin"})

PUBLIC = "public"


PUBLIC = "public"
