"""Who sees clues: view holders everything, district finance its district only, everyone else 403."""

from __future__ import annotations

import pytest

from jixiao.audit.models import AuditAction, AuditLog
from jixiao.crosscheck.models import Clue
from tests.crosscheck_web.conftest import JIANGXIA_ID, XINZHOU_ID

OUTSIDERS = ["dept_agri", "unit_xinzhou", "third_party", "agri_div", "sysadmin", "secadmin", "auditadmin"]
PAGES = ["/crosscheck/", "/crosscheck/clues/", "/crosscheck/clues/export/", "/crosscheck/runs/", "/crosscheck/idcheck/"]


def test_visible_to_scopes_by_region(demo, xinzhou_clue, jiangxia_clue):
    assert set(Clue.objects.visible_to(demo["perf_admin"])) == {xinzhou_clue, jiangxia_clue}
    assert set(Clue.objects.visible_to(demo["inspector"])) == {xinzhou_clue, jiangxia_clue}
    assert list(Clue.objects.visible_to(demo["xinzhou_fin"])) == [xinzhou_clue]
    assert list(Clue.objects.visible_to(demo["jiangxia_fin"])) == [jiangxia_clue]
    assert not Clue.objects.visible_to(demo["dept_agri"]).exists()


def test_clue_assigned_to_a_district_unit_is_visible_there(demo, run):
    from jixiao.orgs.models import Unit
    from tests.crosscheck_web.conftest import make_clue

    unmatched = make_clue(run, person_id="110105194912310021", region_code="110105")
    assert not Clue.objects.visible_to(demo["xinzhou_fin"]).filter(pk=unmatched.pk).exists()
    Clue.objects.filter(pk=unmatched.pk).update(assigned_unit=Unit.objects.get(code="420117-U1"))
    assert Clue.objects.visible_to(demo["xinzhou_fin"]).filter(pk=unmatched.pk).exists()


def test_xinzhou_finance_lists_only_xinzhou(login, xinzhou_clue, jiangxia_clue):
    body = login("xinzhou_fin").get("/crosscheck/clues/").content.decode()
    assert XINZHOU_ID[:4] + "**********" + XINZHOU_ID[-4:] in body
    assert JIANGXIA_ID[-4:] not in body
    assert login("xinzhou_fin").get(f"/crosscheck/clues/{jiangxia_clue.pk}/").status_code == 404


def test_xinzhou_finance_api_lists_only_xinzhou(client, api_token, xinzhou_clue, jiangxia_clue):
    rows = client.get("/api/v1/crosscheck/clues", **api_token("xinzhou_fin")).json()
    assert [r["id"] for r in rows] == [xinzhou_clue.pk]
    assert client.get(f"/api/v1/crosscheck/clues/{jiangxia_clue.pk}", **api_token("xinzhou_fin")).status_code == 404


def test_district_finance_cannot_see_runs(login, run):
    assert login("xinzhou_fin").get("/crosscheck/runs/").status_code == 403
    assert login("xinzhou_fin").get(f"/crosscheck/runs/{run.pk}/").status_code == 403


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_403_on_every_page_and_route(username, login, client, api_token, xinzhou_clue):
    browser = login(username)
    for url in [*PAGES, f"/crosscheck/clues/{xinzhou_clue.pk}/"]:
        assert browser.get(url).status_code == 403, url
    headers = api_token(username)
    assert client.get("/api/v1/crosscheck/clues", **headers).status_code == 403
    assert client.get(f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}", **headers).status_code == 403
    response = client.post("/api/v1/crosscheck/idcheck", {"ids": ["1"]}, content_type="application/json", **headers)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_list_ranks_by_amount_and_filters(login, xinzhou_clue, jiangxia_clue):
    admin = login("perf_admin")
    body = admin.get("/crosscheck/clues/").content.decode()
    assert body.index(XINZHOU_ID[-4:]) < body.index(JIANGXIA_ID[-4:])  # 1600 before 800
    filtered = admin.get("/crosscheck/clues/", {"district": "420115", "min_amount": "500"}).content.decode()
    assert JIANGXIA_ID[-4:] in filtered and XINZHOU_ID[-4:] not in filtered
    assert XINZHOU_ID[-4:] not in admin.get("/crosscheck/clues/", {"max_amount": "1000"}).content.decode()
    assert "没有可见的线索" in admin.get("/crosscheck/clues/", {"status": "closed"}).content.decode()


def test_dashboard_groups_by_rule_and_district(login, xinzhou_clue, jiangxia_clue):
    response = login("perf_admin").get("/crosscheck/")
    data = response.context["data"]
    assert data["rules"][0]["n"] == 2 and float(data["rules"][0]["amount"]) == 2400.0
    assert {r["name"] for r in data["districts"]} == {"新洲区", "江夏区"}
    assert "data-chart" in response.content.decode()
    scoped = login("xinzhou_fin").get("/crosscheck/").context["data"]
    assert [r["name"] for r in scoped["districts"]] == ["新洲区"]


def test_full_id_never_in_list_export_or_api(login, client, api_token, xinzhou_clue):
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    admin = login("perf_admin")
    assert XINZHOU_ID not in admin.get("/crosscheck/clues/").content.decode()
    detail = admin.get(f"/crosscheck/clues/{xinzhou_clue.pk}/").content.decode()
    assert XINZHOU_ID not in detail  # nor inside the evidence's payment id
    export = admin.get("/crosscheck/clues/export/")
    rows = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[1][2] == "4201**********1234" and XINZHOU_ID not in str(rows)
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, model="crosscheck.clue").exists()
    detail_json = client.get(f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}", **api_token("inspector")).json()
    assert detail_json["person_id_masked"] == "4201**********1234" and XINZHOU_ID not in str(detail_json)


def test_reveal_logs_every_time(login, xinzhou_clue):
    inspector = login("inspector")
    for _ in range(2):
        response = inspector.post(f"/crosscheck/clues/{xinzhou_clue.pk}/reveal/")
        assert response.status_code == 200 and XINZHOU_ID in response.content.decode()
    reveals = AuditLog.objects.filter(action=AuditAction.REVEAL, object_id=str(xinzhou_clue.pk))
    assert reveals.count() == 2 and set(reveals.values_list("username", flat=True)) == {"inspector"}
    assert "显示完整身份证号" in inspector.get(f"/crosscheck/clues/{xinzhou_clue.pk}/").content.decode()


def test_verifier_may_not_reveal(login, client, api_token, xinzhou_clue):
    assert login("xinzhou_fin").post(f"/crosscheck/clues/{xinzhou_clue.pk}/reveal/").status_code == 403
    assert "显示完整身份证号" not in login("xinzhou_fin").get(f"/crosscheck/clues/{xinzhou_clue.pk}/").content.decode()
    api = client.post(f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}/reveal", **api_token("xinzhou_fin"))
    assert api.status_code == 403
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


def test_api_reveal_is_logged(client, api_token, xinzhou_clue):
    response = client.post(f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}/reveal", **api_token("perf_admin"))
    assert response.json() == {"id": xinzhou_clue.pk, "person_id": XINZHOU_ID}
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, username="perf_admin").count() == 1


def test_every_detail_read_is_logged_page_and_api(login, client, api_token, xinzhou_clue):
    assert login("inspector").get(f"/crosscheck/clues/{xinzhou_clue.pk}/").status_code == 200
    assert client.get(f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}", **api_token("inspector")).status_code == 200
    views = AuditLog.objects.filter(action=AuditAction.VIEW, model="crosscheck.clue", object_id=str(xinzhou_clue.pk))
    assert list(views.values_list("username", flat=True)) == ["inspector", "inspector"]
    assert login("dept_agri").get(f"/crosscheck/clues/{xinzhou_clue.pk}/").status_code == 403
    assert views.count() == 2


def test_list_sorts_by_severity(login, run):
    from tests.crosscheck_web.conftest import make_clue

    make_clue(run, person_id="420117195001011111", region_code="420117", amount="10.00").__class__.objects.filter(
        person_id="420117195001011111"
    ).update(severity="high")
    make_clue(run, person_id="420117195001012222", region_code="420117", amount="99.00")
    page = login("perf_admin").get("/crosscheck/clues/", {"sort": "severity"}).context["page"]
    assert [c.severity for c in page] == ["high", "medium"]


def test_evidence_has_chinese_headers_and_masked_ids(login, xinzhou_clue):
    response = login("inspector").get(f"/crosscheck/clues/{xinzhou_clue.pk}/")
    headers, rows = response.context["evidence"]
    assert headers == ["发放编号", "期间", "金额(元)"]
    assert rows == [["PL-P01-2024-03-4201**********1234", "2024-03", 800.0]]


def test_clue_list_queries_do_not_grow_with_rows(login, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.crosscheck_web.conftest import make_clue

    browser = login("xinzhou_fin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/crosscheck/clues/").status_code == 200
        return len(queries)

    make_clue(run, person_id="420117195001010000", region_code="420117")
    one = count()
    for index in range(1, 30):
        make_clue(run, person_id=f"4201171950010{index:05d}", region_code="420117")
    assert count() == one <= 15
