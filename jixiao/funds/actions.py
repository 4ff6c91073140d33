"""Writes on fund records: allocations, payments, payment holds. Each checks permission and project scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.recorder import record_created, record_updated, snapshot
from jixiao.funds.models import Allocation, Payment, PaymentHold
from jixiao.projects.models import Project

ALLOCATION_FIELDS = ("document_no", "fund_name", "source", "level", "amount", "allocated_on", "received_on")
PAYMENT_FIELDS = ("project", "source", "paid_on", "amount", "payee", "is_final_recipient", "is_retention", "summary")


def ensure_fund_scope(acting_user: Any, project: Project) -> None:
    """Raise PermissionDenied unless the user may maintain this project's funds."""
    require_perm(acting_user, Perm.FUNDS_MANAGE)
    if acting_user is None:
        return
    if not Project.objects.visible_to(acting_user, Perm.FUNDS_MANAGE).filter(pk=project.pk).exists():
        raise PermissionDenied("该项目不在您的资金管理范围内。")


def _apply(obj: Any, fields: tuple[str, ...], values: dict[str, Any]) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    for name, value in values.items():
        setattr(obj, name, value)


@transaction.atomic
def do_save_allocation(*, project: Project, values: dict[str, Any], acting_user: Any) -> tuple[Allocation, str]:
    """Create or update the allocation of `project` with this document number; return it and
    'created', 'updated' or 'unchanged'."""
    ensure_fund_scope(acting_user, project)
    allocation = Allocation.objects.filter(project=project, document_no=values["document_no"]).first()
    if allocation is None:
        allocation = Allocation(project=project, created_by=acting_user)
        _apply(allocation, ALLOCATION_FIELDS, values)
        allocation.full_clean()
        allocation.save()
        record_created(acting_user, allocation)
        return allocation, "created"
    before = snapshot(allocation)
    _apply(allocation, ALLOCATION_FIELDS, values)
    allocation.full_clean()
    allocation.save()
    return allocation, "updated" if record_updated(acting_user, allocation, before) else "unchanged"


@transaction.atomic
def do_save_payment(*, voucher_no: str, values: dict[str, Any], acting_user: Any) -> tuple[Payment, str]:
    """Create or update the payment with this voucher number (idempotent); return it and
    'created', 'updated' or 'unchanged'. A changed row writes an audit row with before and after."""
    project: Project = values["project"]
    ensure_fund_scope(acting_user, project)
    payment = Payment.objects.select_for_update().filter(voucher_no=voucher_no).first()
    if payment is None:
        payment = Payment(voucher_no=voucher_no, created_by=acting_user)
        _apply(payment, PAYMENT_FIELDS, values)
        payment.full_clean()
        payment.save()
        record_created(acting_user, payment)
        return payment, "created"
    ensure_fund_scope(acting_user, payment.project)
    before = snapshot(payment)
    _apply(payment, PAYMENT_FIELDS, values)
    payment.full_clean(validate_unique=False)
    payment.save()
    return payment, "updated" if record_updated(acting_user, payment, before, note="导入更新") else "unchanged"


@transaction.atomic
def do_hold_payments(*, project: Project, reason: str, source_label: str, acting_user: Any) -> PaymentHold:
    """Record a 暂缓拨款 decision on the project (monitoring managers and fund managers may take it)."""
    if acting_user is not None and not (
        acting_user.has_perm_code(Perm.MONITORING_MANAGE) or acting_user.has_perm_code(Perm.FUNDS_MANAGE)
    ):
        raise PermissionDenied("您没有决定暂缓拨款的权限。")
    hold = PaymentHold.objects.create(
        project=project, reason=reason[:500], source_label=source_label[:100], created_by=acting_user
    )
    record_created(acting_user, hold)
    return hold


def ensure_hold_scope(acting_user: Any, project: Project) -> None:
    """Raise PermissionDenied unless the user may lift the project's payment holds: funds.manage or
    monitoring.manage (who decides holds on red monitoring warnings) with the project inside that scope."""
    if acting_user is None:
        return
    for perm in (Perm.FUNDS_MANAGE, Perm.MONITORING_MANAGE):
        if (
            acting_user.has_perm_code(perm)
            and Project.objects.visible_to(acting_user, perm).filter(pk=project.pk).exists()
        ):
            return
    raise PermissionDenied("该项目不在您可以解除暂缓拨款的范围内。")


@transaction.atomic
def do_release_hold(*, hold: PaymentHold, opinion: str = "", acting_user: Any) -> PaymentHold:
    """Lift a payment hold (fund or monitoring managers of the project). Once the project has no hold in force, its
    监控表 lose their 暂缓拨款 mark with a release event carrying `opinion`."""
    ensure_hold_scope(acting_user, hold.project)
    if not hold.is_active:
        raise ValidationError("该暂缓拨款已解除。")
    before = snapshot(hold)
    hold.released_at = timezone.now()
    hold.save(update_fields=["released_at"])
    record_updated(acting_user, hold, before, note=opinion[:500])
    # Imported here: monitoring builds on funds, and the release must reach the 监控表 whichever page lifts it.
    from jixiao.monitoring.actions import clear_payment_held

    clear_payment_held(hold.project, opinion=opinion or "在资金页面解除暂缓拨款", acting_user=acting_user)
    return hold
