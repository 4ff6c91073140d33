"""Fund records through the API and pages: scope on reads and writes, the import endpoint, the Excel export."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from jixiao.funds.models import Payment
from tests.funds.factories import allocate, jiangxia_project, make_project, pay
from tests.funds.workbooks import payment_row, xlsx

PAYMENT = {"voucher_no": "API-1", "source": "central", "paid_on": "2023-04-01", "amount": "1200.50", "payee": "某村"}


@pytest.fixture
def xinzhou(demo):
    return make_project("T-API-XZ")


@pytest.fixture
def jiangxia(demo):
    return jiangxia_project("T-API-JX")


def _post(client, url, body, headers):
    return client.post(url, data=body, content_type="application/json", **headers)


def test_district_finance_writes_in_its_district_only(client, api_token, xinzhou, jiangxia):
    headers = api_token("xinzhou_fin")

    created = _post(client, f"/api/v1/projects/{xinzhou.pk}/payments", PAYMENT, headers)
    outside = _post(client, f"/api/v1/projects/{jiangxia.pk}/payments", {**PAYMENT, "voucher_no": "API-2"}, headers)

    assert created.status_code == 201 and created.json()["amount"] == "1200.50"
    assert outside.status_code == 404
    assert list(Payment.objects.filter(voucher_no__startswith="API").values_list("voucher_no", flat=True)) == ["API-1"]


@pytest.mark.parametrize("username, status", [("unit_xinzhou", 403), ("inspector", 403), ("jiangxia_fin", 404)])
def test_writes_refused_without_permission_or_scope(client, api_token, xinzhou, username, status):
    response = _post(client, f"/api/v1/projects/{xinzhou.pk}/payments", PAYMENT, api_token(username))

    assert response.status_code == status
    assert not Payment.objects.filter(voucher_no="API-1").exists()


def test_reads_follow_project_scope(client, api_token, xinzhou):
    pay(xinzhou, "10", dt.date(2023, 4, 1), voucher_no="R-1")
    url = f"/api/v1/projects/{xinzhou.pk}/payments"

    mine = client.get(url, **api_token("unit_xinzhou"))
    other = client.get(url, **api_token("jiangxia_fin"))

    assert [p["voucher_no"] for p in mine.json()] == ["R-1"]
    assert other.status_code == 404


def test_negative_amount_is_refused_in_chinese(client, api_token, xinzhou):
    response = _post(
        client, f"/api/v1/projects/{xinzhou.pk}/payments", {**PAYMENT, "amount": "-1"}, api_token("perf_admin")
    )

    assert response.status_code == 422 and "负数" in response.json()["message"]


def test_import_endpoint_reports_located_errors(client, api_token, xinzhou):
    data = xlsx(payments=[payment_row("IM-1", xinzhou.code, "abc")])
    body = {"file_name": "支付.xlsx", "content_base64": base64.b64encode(data).decode()}

    response = _post(client, "/api/v1/funds/import", body, api_token("perf_admin"))

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["sheet"], error["row"], error["column"], error["value"]) == ("资金支付", 2, "支付金额(元)", "abc")


def test_import_page_saves_and_shows_counts(login, xinzhou):
    upload = io.BytesIO(xlsx(payments=[payment_row("PG-1", xinzhou.code, 88)]))
    upload.name = "支付.xlsx"

    response = login("agri_div").post("/funds/import/", {"file": upload}, follow=True)

    assert "新增 1 条" in response.content.decode()
    assert Payment.objects.get(voucher_no="PG-1").created_by.username == "agri_div"


def test_export_opens_with_the_rollups(login, xinzhou):
    allocate(xinzhou, "1000", dt.date(2023, 3, 1))
    pay(xinzhou, "250", dt.date(2023, 4, 1))

    response = login("xinzhou_fin").get("/funds/export/", {"year": "2023", "q": "T-API-XZ"})

    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["项目资金", "按实施单位", "按主管部门", "按区", "按资金来源", "资金预警"]
    rows = book.get_sheet_by_name("项目资金").to_python()
    assert rows[0][:8] == [
        "项目编码",
        "项目名称",
        "实施单位",
        "年度",
        "下达金额(元)",
        "支付金额(元)",
        "支付到最终收款人(元)",
        "预算执行率(%)",
    ]
    assert rows[1][0] == "T-API-XZ" and rows[1][4:8] == [1000.0, 250.0, 250.0, 25.0]
    assert book.get_sheet_by_name("按区").to_python()[1][:3] == ["新洲区", 1.0, 1000.0]


def test_overview_and_project_page_show_figures(login, xinzhou):
    allocate(xinzhou, "1000", dt.date(2023, 3, 1))
    pay(xinzhou, "250", dt.date(2023, 4, 1))

    page = login("unit_xinzhou").get(f"/funds/projects/{xinzhou.pk}/").content.decode()
    overview = login("unit_xinzhou").get("/funds/", {"q": "T-API-XZ"}).content.decode()

    assert '<div class="h3 m-0" id="rate">25.00%</div>' in page
    assert "1000.00 元" in overview


def test_release_a_hold(login, xinzhou, demo):
    from jixiao.funds.models import PaymentHold

    hold = PaymentHold.objects.create(project=xinzhou, reason="红色预警")

    login("unit_xinzhou").post(f"/funds/holds/{hold.pk}/release/")
    assert PaymentHold.objects.get(pk=hold.pk).is_active  # the unit may not lift it
    response = login("xinzhou_fin").post(f"/funds/holds/{hold.pk}/release/", follow=True)

    assert not PaymentHold.objects.get(pk=hold.pk).is_active
    assert "已解除暂缓拨款" in response.content.decode()


def test_overview_query_count_does_not_grow_with_projects(login, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("xinzhou_fin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/funds/").status_code == 200
        return len(queries)

    before = count()
    for index in range(5):
        project = make_project(f"T-QC-{index}")
        allocate(project, "1000", dt.date(2023, 3, 1), received_on=dt.date(2023, 1, 1))
        pay(project, "10", dt.date(2023, 4, 1))

    assert count() == before
