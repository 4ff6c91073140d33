from __future__ import annotations

import datetime as dt

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    detail: list | dict | None = None


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    population: int | None
    is_active: bool


class RegionIn(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None
    population: int | None = None
    is_active: bool = True


class RegionPatch(Schema):
    name: str | None = None
    population: int | None = None
    is_active: bool | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    region_id: int
    region_code: str
    contact_person: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class UnitIn(Schema):
    code: str
    name: str
    short_name: str = ""
    kind: str
    parent_code: str | None = None
    region_code: str
    contact_person: str = ""
    phone: str = ""
    is_active: bool = True


class UnitPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    is_active: bool | None = None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    unit_id: int | None
    is_active: bool
    roles: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return [r.code for r in obj.roles()]


class AuditOut(Schema):
    id: int
    created_at: dt.datetime
    username: str
    ip: str
    action: str
    model: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None
    note: str


class LoginAttemptOut(Schema):
    id: int
    created_at: dt.datetime
    username: str
    ip: str
    success: bool
    result: str
    channel: str
