"""Chinese column labels for the evidence rows the rules attach to clues (keys not listed show as they are)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "payment_id": "发放编号",
    "period": "期间",
    "amount": "金额(元)",
    "paid_on": "发放日期",
    "household_id": "户编号",
    "region_code": "区划代码",
    "payee_id": "领取人身份证号",
    "id_raw": "原始身份证号",
    "problem": "问题",
    "account_no": "账号",
    "account_holder_id": "账户持有人",
    "payees_on_account": "同账户领取人数",
    "death_date": "死亡日期",
    "death_records": "死亡记录数",
    "source": "来源",
    "employer": "工作单位",
    "servant_from": "供养起始",
    "vehicles": "车辆数",
    "plate": "号牌",
    "owner_id": "车主/产权人",
    "company_name": "企业名称",
    "role": "身份",
    "member_id": "家庭成员",
    "members": "家庭成员数",
    "relation": "关系",
    "cadre_id": "干部身份证号",
    "cadre_role": "干部职务",
    "joined_on": "迁入日期",
    "monthly_standard": "月标准(元)",
    "max_amount": "上限(元)",
    "min_age": "最低年龄",
    "max_age": "最高年龄",
    "age": "年龄",
    "grade": "残疾等级",
    "kind": "类别",
    "tekun_payment_id": "特困发放编号",
    "tekun_amount": "特困金额(元)",
    "employee_pension_payment_id": "职工养老金发放编号",
    "employee_pension_amount": "职工养老金(元)",
    "repair_payments": "危改次数",
    "relocation_payment_id": "搬迁发放编号",
    "regions": "发放地",
    "first_region": "首个发放地",
    "hukou_region": "户籍地",
    "prison_from": "服刑起",
    "prison_to": "服刑止",
    "from": "起",
    "to": "止",
    "other_household_id": "另一户编号",
    "other_from": "另一户起",
    "other_to": "另一户止",
    "properties": "房产数",
    "address": "地址",
    "income": "收入(元)",
    "earner_id": "收入人",
    "pension": "养老金(元)",
    "contract_area": "承包面积(亩)",
    "declared_area": "申报面积(亩)",
    "rate_per_mu": "每亩标准(元)",
    "own_cost": "自付费用(元)",
    "aid": "救助金额(元)",
    "cases": "病例数",
    "payments": "发放笔数",
    "records": "记录数",
    "missing": "应享未享",
    "found": "发现",
    "nth": "次序",
    "detail": "说明",
}

ORDER = {key: index for index, key in enumerate(LABELS)}


def table(evidence: Any) -> tuple[list[str], list[list[Any]]]:
    """Return (Chinese headers, rows) for evidence given as a list of dicts; None shows as empty."""
    rows = [item for item in evidence if isinstance(item, dict)] if isinstance(evidence, list) else []
    found: dict[str, None] = {}
    for item in rows:
        found.update(dict.fromkeys(item))
    # PostgreSQL's jsonb does not keep key order: order by the label list, unknown keys last.
    keys = sorted(found, key=lambda key: ORDER.get(key, len(ORDER)))
    headers = [LABELS.get(key, key) for key in keys]
    return headers, [["" if item.get(key) is None else item.get(key) for key in keys] for item in rows]
