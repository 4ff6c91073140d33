"""Writing audit rows. Actions call these inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from jixiao.audit.context import current_ip
from jixiao.audit.models import AuditAction, AuditLog

# Field names whose values never reach the audit log in clear.
SECRET_FIELDS = {"password", "token", "key_hash", "secret"}
ID_NUMBER_FIELDS = {"id_number", "person_id", "payee_id", "account_holder_id", "owner_id", "relative_id", "cadre_id"}
PHONE_FIELDS = {"phone", "mobile", "account_no"}
SKIPPED_FIELDS = {"last_login"}


def mask_id_number(value: str) -> str:
    """Return an ID number with its birth date and sequence hidden (4201**********123X)."""
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_value(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if field in SECRET_FIELDS:
        return "******"
    if field in ID_NUMBER_FIELDS:
        return mask_id_number(value)
    if field in PHONE_FIELDS:
        text = str(value)
        return text[:3] + "*" * max(len(text) - 7, 0) + text[-4:] if len(text) > 7 else "*" * len(text)
    return value


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_MASKED = SECRET_FIELDS | ID_NUMBER_FIELDS | PHONE_FIELDS
_FIELDS: dict[type, list[tuple[str, str, bool]]] = {}


def _snapshot_fields(model: type[models.Model]) -> list[tuple[str, str, bool]]:
    """(label, attribute, masked) of the model's audited concrete fields, in declaration order; built once."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = [
            (field.name, field.attname if field.is_relation else field.name, field.name in _MASKED)
            for field in model._meta.concrete_fields
            if field.name not in SKIPPED_FIELDS
        ]
        _FIELDS[model] = fields
    return fields


def snapshot_values(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """Return what `snapshot` gives for an object of `model` whose field values (by attname) are `values`."""
    data: dict[str, Any] = {}
    for label, name, masked in _snapshot_fields(model):
        value = values[name]
        if type(value) not in _SCALARS:
            value = _plain(value)
        data[label] = mask_value(label, value) if masked else value
    return data


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the concrete field values of obj, masked, as JSON-ready data."""
    data: dict[str, Any] = {}
    wanted = set(fields) if fields is not None else None
    for label, name, masked in _snapshot_fields(type(obj)):
        if wanted is not None and label not in wanted:
            continue
        value = _plain(getattr(obj, name))
        data[label] = mask_value(label, value) if masked else value
    return data


def _entry(
    *, actor, action: str, model_label: str, object_id: Any, object_repr: str, before, after, note: str
) -> AuditLog:
    return AuditLog(
        user=actor if actor is not None and getattr(actor, "pk", None) else None,
        username=getattr(actor, "username", "") or "system",
        ip=current_ip() or "",
        action=action,
        model=model_label,
        object_id=str(object_id or ""),
        object_repr=object_repr[:255],
        before=before,
        after=after,
        note=note[:500],
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    model_label: str = "",
    object_id: Any = None,
    object_repr: str = "",
    note: str = "",
) -> AuditLog:
    """Append one audit row; `obj` supplies model label, id and repr unless given."""
    if obj is not None:
        model_label = model_label or obj._meta.label_lower
        object_id = object_id if object_id is not None else obj.pk
        object_repr = object_repr or str(obj)
    entry = _entry(
        actor=actor,
        action=action,
        model_label=model_label,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        note=note,
    )
    entry.save()
    return entry


def record_created(actor, obj: models.Model, note: str = "") -> AuditLog:
    return record(actor=actor, action=AuditAction.CREATE, obj=obj, after=snapshot(obj), note=note)


def record_updated(actor, obj: models.Model, before: dict[str, Any], note: str = "") -> AuditLog | None:
    """Append an update row when something changed; return None when nothing did."""
    after = snapshot(obj)
    if after == before:
        return None
    changed = {k for k in after if after.get(k) != before.get(k)}
    return record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=obj,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
        note=note,
    )


def record_deleted(actor, obj: models.Model, note: str = "") -> AuditLog:
    return record(actor=actor, action=AuditAction.DELETE, obj=obj, before=snapshot(obj), note=note)


def record_many(actor, action: str, objs: Iterable[models.Model], note: str = "") -> int:
    """Append one row per object in a single bulk insert (imports of thousands of rows)."""
    entries = [
        _entry(
            actor=actor,
            action=action,
            model_label=obj._meta.label_lower,
            object_id=obj.pk,
            object_repr=str(obj),
            before=None,
            after=snapshot(obj),
            note=note,
        )
        for obj in objs
    ]
    AuditLog.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


AUDIT_COLUMNS = ("created_at", "user_id", "username", "ip", "action", "model", "object_id", "object_repr", "before",
                 "after", "note")  # fmt: skip


def record_rows(
    actor,
    action: str,
    model: type[models.Model],
    rows: Iterable[tuple[Any, str, dict[str, Any] | str]],
    note: str = "",
) -> int:
    """Append one audit row per (object id, repr, `snapshot_values` dict or its JSON text) with plain inserts
    (`jixiao.core.bulk`): the rows `record_many` writes, for imports that build their objects as tuples, not model
    instances."""
    from django.utils import timezone

    from jixiao.core.bulk import db_datetime, db_json, insert_rows

    head = (
        db_datetime(timezone.now()),
        actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        getattr(actor, "username", "") or "system",
        current_ip() or "",
        action,
        model._meta.label_lower,
    )
    note = note[:500]
    return insert_rows(
        AuditLog,
        AUDIT_COLUMNS,
        (
            (*head, str(pk or ""), text[:255], None, after if after.__class__ is str else db_json(after), note)
            for pk, text, after in rows
        ),
    )
