"""Scoped reads of the cross-check area: the only way views, exports, dashboards and the API fetch its rows."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user, scope_for
from jixiao.crosscheck.models import Clue, Dataset, Run
from jixiao.crosscheck.workflow import ClueStatus

# 15 or 18 characters of an ID number anywhere inside a value (payment ids embed the payee's ID).
_ID_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{7,10}([0-9]{3}[0-9Xx]|[0-9]{4})(?![0-9Xx])")
SEVERITY_RANK = Case(
    When(severity="high", then=Value(0)),
    When(severity="medium", then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def can_read_runs(user: Any) -> bool:
    """Runs and datasets are city-wide: only holders of the view permission with an all-data scope see them."""
    return scope_for(user, Perm.CROSSCHECK_VIEW).everything


def runs_visible_to(user: Any) -> QuerySet[Run]:
    return Run.objects.all() if can_read_runs(user) else Run.objects.none()


def datasets_visible_to(user: Any) -> QuerySet[Dataset]:
    return Dataset.objects.all() if can_read_runs(user) else Dataset.objects.none()


def get_run_for_user(user: Any, pk: Any, *, write: bool = False) -> Run:
    return get_scoped_for_user(
        lambda u, p: runs_visible_to(u).select_related("dataset", "created_by"),
        user,
        pk,
        read_perm=Perm.CROSSCHECK_VIEW,
        write_perm=Perm.CROSSCHECK_RUN,
        write=write,
    )


def get_dataset_for_user(user: Any, pk: Any, *, write: bool = False) -> Dataset:
    return get_scoped_for_user(
        lambda u, p: datasets_visible_to(u),
        user,
        pk,
        read_perm=Perm.CROSSCHECK_VIEW,
        write_perm=Perm.CROSSCHECK_RUN,
        write=write,
    )


def get_clue_for_user(user: Any, pk: Any) -> Clue:
    """One clue within the user's read scope (view or verify), else 404."""
    return get_scoped_for_user(
        lambda u, p: Clue.objects.visible_to(u).select_related("run", "region", "assigned_unit"),
        user,
        pk,
        read_perm=Perm.CROSSCHECK_VIEW,
        write_perm=Perm.CROSSCHECK_RUN,
    )


def latest_run(user: Any) -> Run | None:
    """The newest finished run whose clues the user can see."""
    run_ids = Clue.objects.visible_to(user).values("run_id")
    return Run.objects.filter(status="done", pk__in=run_ids).order_by("-finished_at", "-pk").first()


def filter_clues(user: Any, params: Any) -> QuerySet[Clue]:
    """Clues the user can see, filtered by the list's parameters and ranked by amount at risk."""
    clues = (
        Clue.objects.visible_to(user).select_related("region", "assigned_unit").annotate(severity_rank=SEVERITY_RANK)
    )
    run = params.get("run")
    if run and str(run).isdigit():
        clues = clues.filter(run_id=int(run))
    for name in ("rule", "program", "status", "severity"):
        value = (params.get(name) or "").strip()
        if value:
            clues = clues.filter(**{name: value.upper() if name == "rule" else value})
    district = (params.get("district") or "").strip()
    if district:
        clues = clues.filter(region_code__startswith=district)
    for name, lookup in (("min_amount", "amount_at_risk__gte"), ("max_amount", "amount_at_risk__lte")):
        amount = _decimal(params.get(name))
        if amount is not None:
            clues = clues.filter(**{lookup: amount})
    return clues


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip()) if value not in (None, "") else None
    except InvalidOperation:
        return None


def mask_text(value: Any) -> Any:
    """Mask every ID number inside a value (strings, lists and dicts, recursively)."""
    if isinstance(value, str):
        return _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), value)
    if isinstance(value, list):
        return [mask_text(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_text(v) for k, v in value.items()}
    return value


def dashboard(clues: QuerySet[Clue]) -> dict[str, list[dict[str, Any]]]:
    """Counts and amounts at risk by rule, program, district and status."""

    def group(*fields: str) -> list[dict[str, Any]]:
        rows = clues.values(*fields).annotate(n=Count("id"), amount=Sum("amount_at_risk")).order_by("-amount", *fields)
        return list(rows)

    by_status = {row["status"]: row for row in group("status")}
    return {
        "rules": group("rule", "rule_title"),
        "programs": group("program", "program_name"),
        "districts": group("region_code"),
        "statuses": [
            {"status": s, "label": label, "n": by_status.get(s, {}).get("n", 0)} for s, label in ClueStatus.choices
        ],
    }
