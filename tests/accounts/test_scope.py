"""Data scope: union of roles, reads and writes, 三员分立."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jixiao.accounts.actions import do_assign_role, do_revoke_role, do_update_role_permissions
from jixiao.accounts.models import Role
from jixiao.orgs.actions import do_save_unit
from jixiao.orgs.models import Region, Unit
from jixiao.orgs.selectors import get_unit_for_user


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_district_finance_sees_its_district_and_below_only(demo):
    units = codes(Unit.objects.visible_to(demo["xinzhou_fin"]))
    assert units == {"420117-CZJ", "420117-NYJ", "420117-U1", "420117-U2", "420117-U3"}
    regions = Region.objects.visible_to(demo["xinzhou_fin"])
    assert all(r.code.startswith("420117") for r in regions) and regions.count() == 1 + 4 + 16


def test_department_sees_its_unit_tree(demo):
    assert codes(Unit.objects.visible_to(demo["dept_agri"])) == {"SNYNCJ", "SNYNCJ-1", "SNYNCJ-2"}


def test_project_unit_sees_only_itself(demo):
    assert codes(Unit.objects.visible_to(demo["unit_xinzhou"])) == {"420117-U2"}


def test_scope_is_the_union_of_the_roles(demo):
    user = demo["xinzhou_fin"]
    do_assign_role(
        user=user,
        role=Role.objects.get(code="department"),
        unit=Unit.objects.get(code="SNYNCJ"),
        acting_user=demo["secadmin"],
    )
    user.forget_caches()
    visible = codes(Unit.objects.visible_to(user))
    assert {"420117-CZJ", "SNYNCJ", "SNYNCJ-2"} <= visible
    assert "420115-CZJ" not in visible


def test_admin_roles_see_no_business_data(demo):
    for name in ("secadmin", "auditadmin"):
        assert not Unit.objects.visible_to(demo[name]).exists()


def test_read_outside_scope_is_404_and_write_without_permission_is_403(demo):
    jiangxia = Unit.objects.get(code="420115-CZJ")
    with pytest.raises(Http404):
        get_unit_for_user(demo["xinzhou_fin"], jiangxia.pk)
    own = Unit.objects.get(code="420117-CZJ")
    assert get_unit_for_user(demo["xinzhou_fin"], own.pk) == own
    with pytest.raises(PermissionDenied):
        get_unit_for_user(demo["inspector"], own.pk, write=True)


def test_actions_refuse_writes_outside_scope(demo):
    with pytest.raises(PermissionDenied):
        do_save_unit(unit=Unit.objects.get(code="420117-U2"), acting_user=demo["xinzhou_fin"], changes={"phone": "1"})
    unit = do_save_unit(unit=Unit.objects.get(code="420117-U2"), acting_user=demo["sysadmin"], changes={"phone": "1"})
    assert unit.phone == "1"


def test_three_admin_duties_cannot_be_combined(demo):
    with pytest.raises(ValidationError):
        do_assign_role(user=demo["sysadmin"], role=Role.objects.get(code="auditadmin"), acting_user=demo["secadmin"])
    with pytest.raises(ValidationError):
        do_assign_role(user=demo["sysadmin"], role=Role.objects.get(code="perf_admin"), acting_user=demo["secadmin"])
    with pytest.raises(ValidationError):
        do_assign_role(user=demo["perf_admin"], role=Role.objects.get(code="sysadmin"), acting_user=demo["secadmin"])


def test_security_admin_cannot_grant_or_revoke_own_roles(demo):
    with pytest.raises(PermissionDenied):
        do_assign_role(user=demo["secadmin"], role=Role.objects.get(code="perf_admin"), acting_user=demo["secadmin"])
    with pytest.raises(PermissionDenied):
        do_revoke_role(assignment=demo["secadmin"].role_assignments.get(), acting_user=demo["secadmin"])


def test_only_security_admin_assigns_roles(demo):
    with pytest.raises(PermissionDenied):
        do_assign_role(user=demo["inspector"], role=Role.objects.get(code="perf_admin"), acting_user=demo["sysadmin"])


def test_business_roles_cannot_receive_admin_permissions(demo):
    role = Role.objects.get(code="department")
    with pytest.raises(ValidationError):
        do_update_role_permissions(role=role, permissions=["orgs.view", "audit.view"], acting_user=demo["secadmin"])
    with pytest.raises(PermissionDenied):
        do_update_role_permissions(
            role=Role.objects.get(code="auditadmin"), permissions=["audit.view"], acting_user=demo["secadmin"]
        )


def test_assign_role_through_the_page(demo, login):
    client = login("secadmin")
    role = Role.objects.get(code="inspector")
    response = client.post(f"/accounts/users/{demo['third_party'].pk}/roles/", {"role": role.pk})
    assert response.status_code == 302
    assert demo["third_party"].role_assignments.filter(role=role).exists()
