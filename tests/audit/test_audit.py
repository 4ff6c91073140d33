"""Audit trail: who, when, IP, before/after, masking, append-only, export."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from jixiao.audit.models import AppendOnlyError, AuditLog
from jixiao.audit.recorder import mask_id_number, mask_value
from jixiao.orgs.models import Unit


def test_editing_a_unit_records_who_when_ip_and_before_after(demo, login):
    client = login("sysadmin")
    unit = Unit.objects.get(code="420117-U2")
    data = {
        "code": unit.code,
        "name": "新洲区仓埠街道农业服务站",
        "short_name": "",
        "kind": unit.kind,
        "parent": unit.parent_id,
        "region": unit.region_id,
        "contact_person": "钱七",
        "phone": "13800001234",
        "is_active": "on",
    }
    response = client.post(f"/orgs/units/{unit.pk}/edit/", data, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 302
    log = AuditLog.objects.filter(model="orgs.unit", object_id=str(unit.pk)).latest("id")
    assert log.action == "update" and log.username == "sysadmin" and log.ip == "10.8.8.8"
    assert log.before["name"] == "新洲区仓埠街道农业服务中心"
    assert log.after["name"] == "新洲区仓埠街道农业服务站"
    assert log.after["phone"] == "138****1234"
    assert set(log.after) == {"name", "contact_person", "phone"}


def test_masking_hides_id_numbers_and_secrets():
    assert mask_id_number("42011719800101001X") == "4201**********001X"
    assert mask_value("password", "argon2$abc") == "******"
    assert mask_value("payee_id", "42011719800101001X") == "4201**********001X"


def test_audit_rows_cannot_be_changed_or_deleted(demo):
    log = AuditLog.objects.first()
    assert log is not None
    log.note = "tampered"
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.update(note="x")


def test_audit_log_is_readable_by_the_audit_admin_only(demo, login):
    assert login("auditadmin").get("/audit/").status_code == 200
    for name in ("sysadmin", "secadmin", "perf_admin", "inspector"):
        assert login(name).get("/audit/").status_code == 403


def test_audit_log_filters_and_exports_to_excel(demo, login):
    client = login("auditadmin")
    page = client.get("/audit/", {"model": "orgs.unit", "action": "create"})
    assert page.status_code == 200 and f"共 {Unit.objects.count()} 条" in page.content.decode()
    response = client.get("/audit/export/", {"model": "orgs.unit", "action": "create"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["时间", "操作人", "IP 地址", "操作"]
    assert len(rows) - 1 == AuditLog.objects.filter(model="orgs.unit", action="create").count() == Unit.objects.count()
    assert {r[3] for r in rows[1:]} == {"新增"}
