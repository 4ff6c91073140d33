"""Importing allocations and payments: idempotent by voucher, audited updates, precise errors, nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit.models import AuditLog
from jixiao.core.excel import WorkbookError
from jixiao.funds.importer import import_funds
from jixiao.funds.models import Allocation, Payment
from tests.funds.factories import jiangxia_project, make_project
from tests.funds.workbooks import allocation_row, payment_row, payments_csv, xlsx


@pytest.fixture
def project(demo):
    return make_project("T-IMP-1")


def test_import_creates_allocations_and_payments(demo, project):
    data = xlsx(
        payments=[payment_row("V1", project.code, 1000), payment_row("V2", project.code, "2,500.50")],
        allocations=[allocation_row("鄂财农发〔2023〕1号", project.code, 50000)],
    )

    result = import_funds(data, file_name="资金.xlsx", acting_user=demo["perf_admin"])

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Payment.objects.get(voucher_no="V2").amount == Decimal("2500.50")
    assert Allocation.objects.get(project=project).amount == Decimal("50000.00")


def test_reimport_adds_nothing_and_updates_changed_rows_with_audit(demo, project):
    rows = [payment_row("V1", project.code, 1000), payment_row("V2", project.code, 2000)]
    import_funds(xlsx(payments=rows), file_name="a.xlsx", acting_user=demo["perf_admin"])

    allocations = [allocation_row("鄂财农发〔2023〕9号", project.code, 5000)]
    import_funds(xlsx(allocations=allocations), file_name="b.xlsx", acting_user=demo["perf_admin"])

    again = import_funds(
        xlsx(payments=rows, allocations=allocations), file_name="a.xlsx", acting_user=demo["perf_admin"]
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    rows[1] = payment_row("V2", project.code, 2100)
    changed = import_funds(xlsx(payments=rows), file_name="a.xlsx", acting_user=demo["perf_admin"])

    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Payment.objects.filter(voucher_no__in=["V1", "V2"]).count() == 2
    log = AuditLog.objects.filter(model="funds.payment", action="update").latest("id")
    assert log.before == {"amount": "2000.00"} and log.after == {"amount": "2100.00"}


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_csv_in_utf8_or_gbk(demo, project, encoding):
    row = ["C1", "2023-05-01", project.code, "中央财政专项扶贫资金", "新建村村委会", "300.00", "是", "否"]

    result = import_funds(payments_csv([row], encoding), file_name="支付.csv", acting_user=demo["perf_admin"])

    assert result.created == 1
    assert Payment.objects.get(voucher_no="C1").payee == "新建村村委会"


def test_identical_duplicate_rows_are_imported_once(demo, project):
    rows = [payment_row("D1", project.code, 100), payment_row("D1", project.code, 100)]

    result = import_funds(xlsx(payments=rows), file_name="d.xlsx", acting_user=demo["perf_admin"])

    assert result.created == 1


def _errors(data: bytes, user, file_name: str = "坏.xlsx") -> list:
    before = Payment.objects.count(), Allocation.objects.count()
    with pytest.raises(WorkbookError) as caught:
        import_funds(data, file_name=file_name, acting_user=user)
    assert (Payment.objects.count(), Allocation.objects.count()) == before
    return caught.value.errors


def test_duplicate_voucher_with_another_amount_is_refused(demo, project):
    rows = [
        payment_row("D2", project.code, 100),
        payment_row("OK", project.code, 5),
        payment_row("D2", project.code, 150),
    ]

    errors = _errors(xlsx(payments=rows), demo["perf_admin"])

    assert [(e.sheet, e.row, e.column, e.value) for e in errors] == [("资金支付", 4, "支付凭证号", "D2")]
    assert "与第 2 行重复且金额不同" in errors[0].expected


def test_negative_and_text_amounts_are_each_located(demo, project):
    rows = [
        payment_row("E1", project.code, 100),
        payment_row("E2", project.code, -5),
        payment_row("E3", project.code, "一百元"),
    ]

    errors = _errors(xlsx(payments=rows), demo["perf_admin"])

    found = {(e.row, e.column, str(e.value)): e.expected for e in errors}
    assert found[(3, "支付金额(元)", "-5")] == "金额不能为负数"
    assert found[(4, "支付金额(元)", "一百元")].startswith("应为金额(元)")
    assert len(errors) == 2


def test_unknown_project_is_reported_after_cell_errors_are_fixed(demo, project):
    errors = _errors(xlsx(payments=[payment_row("E1", "NO-SUCH", 100)]), demo["perf_admin"])

    assert [(e.row, e.column, e.value, e.expected) for e in errors] == [
        (2, "项目编码", "NO-SUCH", "项目库中没有该项目编码")
    ]
    assert str(errors[0]).startswith("文件《坏.xlsx》工作表「资金支付」第 2 行「项目编码」列")


def test_project_outside_fund_scope_is_refused(demo):
    other = jiangxia_project("T-IMP-JX")

    errors = _errors(xlsx(payments=[payment_row("S1", other.code, 1)]), demo["xinzhou_fin"])

    assert errors[0].expected == "该项目不在您的资金管理范围内"


def test_csv_without_known_header_is_refused(demo):
    errors = _errors("甲,乙\n1,2\n".encode(), demo["perf_admin"], file_name="x.csv")

    assert "支付凭证号" in errors[0].expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bad=st.one_of(
        st.text(alphabet="元万abc零一二 -", min_size=1, max_size=8).filter(lambda t: t.strip() != ""),
        st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False, allow_infinity=False),
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3).filter(
            lambda d: d != d.quantize(Decimal("0.01"))
        ),
    ),
    row=st.integers(min_value=0, max_value=3),
)
def test_any_broken_amount_is_located_and_nothing_is_saved(demo, project, bad, row):
    rows = [payment_row(f"H{i}", project.code, 100 + i) for i in range(4)]
    rows[row] = payment_row(f"H{row}", project.code, str(bad))

    errors = _errors(xlsx(payments=rows), demo["perf_admin"])

    assert any(e.row == row + 2 and e.column == "支付金额(元)" for e in errors), [str(e) for e in errors]
