"""Data scope: which rows a user may read or write.

Every scoped model exposes `Model.objects.visible_to(user, perm=...)`, built on `Scope.q()`. A user's scope for
a permission is the union of the scopes of the role assignments that grant that permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from jixiao.accounts.permissions import ScopeKind

if TYPE_CHECKING:
    from jixiao.accounts.models import User


Lookups = str | tuple[str, ...] | None


def _many(lookups: Lookups) -> tuple[str, ...]:
    if lookups is None:
        return ()
    return (lookups,) if isinstance(lookups, str) else lookups


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_paths: frozenset[str] = frozenset()
    unit_paths: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    assigned_unit_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.region_paths
            or self.unit_paths
            or self.unit_ids
            or self.user_ids
            or self.assigned_unit_ids
        )

    def q(
        self,
        *,
        region_path: Lookups = None,
        unit_path: Lookups = None,
        unit_id: Lookups = None,
        owner: Lookups = None,
        assigned: Lookups = None,
    ) -> Q:
        """Return the filter for a model whose rows reach regions, units, owners and assignees by these lookups.

        Each argument is a lookup or a tuple of lookups (any of them grants the row): a project reaches units
        through both its implementing unit and its supervising department. A scope component whose lookup the
        model lacks grants nothing on that model.
        """
        if self.everything:
            # Not Q(): an empty Q vanishes when OR-ed with another condition.
            return ~Q(pk__in=[])
        parts: list[Q] = []
        for lookup in _many(region_path):
            parts += [Q(**{f"{lookup}__startswith": p}) for p in sorted(self.region_paths)]
        for lookup in _many(unit_path):
            parts += [Q(**{f"{lookup}__startswith": p}) for p in sorted(self.unit_paths)]
        if self.unit_ids:
            parts += [Q(**{f"{lookup}__in": sorted(self.unit_ids)}) for lookup in _many(unit_id)]
        if self.user_ids:
            parts += [Q(**{f"{lookup}__in": sorted(self.user_ids)}) for lookup in _many(owner)]
        if self.assigned_unit_ids:
            parts += [Q(**{f"{lookup}__in": sorted(self.assigned_unit_ids)}) for lookup in _many(assigned)]
        if not parts:
            return Q(pk__in=[])
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def describe(self) -> list[str]:
        """Return the scope in Chinese, one line per component."""
        from jixiao.orgs.models import Region, Unit

        if self.everything:
            return ["全部数据"]
        lines = [f"区划:{r.name}及下级" for r in Region.objects.filter(path__in=self.region_paths)]
        lines += [f"单位:{u.name}及下级" for u in Unit.objects.filter(path__in=self.unit_paths)]
        lines += [f"本单位:{u.name}" for u in Unit.objects.filter(pk__in=self.unit_ids)]
        lines += [f"分配给:{u.name}" for u in Unit.objects.filter(pk__in=self.assigned_unit_ids)]
        if self.user_ids:
            lines.append("本人填报的记录")
        return lines or ["无业务数据权限"]


def scope_for(user: Any, perm: str | None = None) -> Scope:
    """Return the union of the scopes of the user's roles that grant `perm` (any role when perm is None)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cache: dict[str | None, Scope] = user.__dict__.setdefault("_scope_cache", {})
    if perm in cache:
        return cache[perm]
    everything = False
    region_paths: set[str] = set()
    unit_paths: set[str] = set()
    unit_ids: set[int] = set()
    user_ids: set[int] = set()
    assigned: set[int] = set()
    for assignment in user.active_assignments():
        role = assignment.role
        if perm is not None and perm not in role.permissions:
            continue
        unit = assignment.unit or user.unit
        region = assignment.region or (unit.region if unit else None)
        kind = role.scope
        if kind == ScopeKind.ALL:
            everything = True
        elif kind == ScopeKind.REGION and region is not None:
            region_paths.add(region.path)
        elif kind == ScopeKind.UNIT_TREE and unit is not None:
            unit_paths.add(unit.path)
        elif kind == ScopeKind.OWN_UNIT and unit is not None:
            unit_ids.add(unit.pk)
        elif kind == ScopeKind.OWN_RECORDS:
            user_ids.add(user.pk)
        elif kind == ScopeKind.ASSIGNED and unit is not None:
            assigned.add(unit.pk)
    scope = Scope(
        everything=everything,
        region_paths=frozenset(region_paths),
        unit_paths=frozenset(unit_paths),
        unit_ids=frozenset(unit_ids),
        user_ids=frozenset(user_ids),
        assigned_unit_ids=frozenset(assigned),
    )
    cache[perm] = scope
    return scope


def get_scoped_for_user(
    queryset_for: Any, user: User, pk: Any, *, read_perm: str, write_perm: str, write: bool = False
) -> Any:
    """Fetch one row through the model's scoping entry point: 404 outside read scope, 403 outside write scope."""
    try:
        obj = queryset_for(user, read_perm).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权查看。")
    if write and not (user.has_perm_code(write_perm) and queryset_for(user, write_perm).filter(pk=obj.pk).exists()):
        raise PermissionDenied("您只有查看权限,不能修改该数据。")
    return obj


def require_perm(user: Any, perm: str) -> None:
    """Raise PermissionDenied unless the user holds `perm` through some role.

    `None` is the operator at the console (`jixiao load_demo`, imports run as commands): it is not checked.
    Views always pass `request.user`, which is never None.
    """
    if user is None:
        return
    if not user.is_authenticated or not user.has_perm_code(perm):
        raise PermissionDenied("您没有执行该操作的权限。")


def restrict(queryset: QuerySet, user: Any, perm: str, **lookups: str) -> QuerySet:
    return queryset.filter(scope_for(user, perm).q(**lookups))
