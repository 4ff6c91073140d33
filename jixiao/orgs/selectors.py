"""Scoped reads of regions and units: the only way views and the API fetch one of them."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.orgs.models import Region, Unit


def get_region_for_user(user: Any, pk: Any, *, write: bool = False) -> Region:
    return get_scoped_for_user(
        lambda u, p: Region.objects.visible_to(u, p),
        user,
        pk,
        read_perm=Perm.ORGS_VIEW,
        write_perm=Perm.ORGS_MANAGE,
        write=write,
    )


def get_unit_for_user(user: Any, pk: Any, *, write: bool = False) -> Unit:
    return get_scoped_for_user(
        lambda u, p: Unit.objects.visible_to(u, p).select_related("region", "parent"),
        user,
        pk,
        read_perm=Perm.ORGS_VIEW,
        write_perm=Perm.ORGS_MANAGE,
        write=write,
    )
