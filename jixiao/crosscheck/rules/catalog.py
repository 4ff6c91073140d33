"""Cross-check rules R01–R30 declared as data: metadata here, the SQL in ``sql/<code>.sql``.

A rule's SQL (DuckDB dialect, kept portable to Spark) selects *hit rows* with the columns
person_id, person_name, program, region_code, period, amount_at_risk, evidence (a struct);
``wrap_sql`` folds hits into one clue per (person, program). Inside the SQL:

* ``${name}``            — a rule parameter (numeric literal; defaults below, overridable);
* ``@active(x, p)``      — registry row ``x`` valid during the month of payment ``p``;
* ``@age(id, date)``, ``@birth_date(id)``, ``@id_problem(id)`` — ID helpers of ``idnumber``.

Rules read the layout tables and the prelude views (``rules/prelude.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.rules.prelude import active

SQL_DIR = Path(__file__).parent / "sql"
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}

CLUE_COLUMNS = (
    "rule",
    "person_id",
    "person_name",
    "program",
    "region_code",
    "period",
    "periods",
    "amount_at_risk",
    "severity",
    "evidence",
)

_CORE = ("payments", "programs")


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    needs: tuple[str, ...]  # files that must be present, else the rule is skipped
    severity: str = "medium"
    params: dict[str, float] = field(default_factory=dict)
    uses: tuple[str, ...] = ()  # files read when present (empty otherwise)

    @property
    def files(self) -> tuple[str, ...]:
        return self.needs + self.uses

    def source(self) -> str:
        return _read_sql(self.code)

    def sql(self, overrides: dict[str, float] | None = None) -> str:
        """Return the hit-row query with parameters and helpers expanded."""
        values = self.params | {k: v for k, v in (overrides or {}).items() if k in self.params}
        return expand(self.source(), values)


@cache
def _read_sql(code: str) -> str:
    return (SQL_DIR / f"{code}.sql").read_text(encoding="utf-8")


_HELPERS: dict[str, Callable[..., str]] = {
    "active": lambda x, p: active(x, p),
    "age": idnumber.sql_age,
    "birth_date": idnumber.sql_birth_date,
    "id_problem": idnumber.sql_id_problem,
}


def expand(sql: str, params: dict[str, float]) -> str:
    """Substitute ``${param}`` and ``@helper(args)`` in rule SQL."""

    def param(match: re.Match[str]) -> str:
        return repr(params[match.group(1)])

    def helper(match: re.Match[str]) -> str:
        args = [a.strip() for a in match.group(2).split(",")]
        return "(" + _HELPERS[match.group(1)](*args) + ")"

    sql = re.sub(r"--[^\n]*", "", sql)
    sql = re.sub(r"\$\{(\w+)\}", param, sql)
    return re.sub(r"@(\w+)\(([^()]*)\)", helper, sql)


def wrap_sql(rule: Rule, overrides: dict[str, float] | None = None) -> str:
    """Return the query producing this rule's clues, one per (person, program)."""
    return f"""
        SELECT '{rule.code}' AS rule, person_id, min(person_name) AS person_name, program,
               min(region_code) AS region_code, min(period) AS period,
               array_to_string(list_sort(list_distinct(list(period))), ',') AS periods,
               CAST(sum(amount_at_risk) AS DECIMAL(18, 2)) AS amount_at_risk,
               '{rule.severity}' AS severity,
               to_json(list_sort(list(evidence))) AS evidence
        FROM ({rule.sql(overrides)}) hits
        GROUP BY person_id, program
    """


RULES: tuple[Rule, ...] = (
    Rule("R01", "死亡后仍发放", ("payments", "programs", "deaths"), "high", {"grace_months": 0}, ("standards",)),
    Rule("R02", "财政供养人员领取救助或帮扶资金", (*_CORE, "public_servants"), "high"),
    Rule("R03", "低保/特困家庭有机动车", (*_CORE, "vehicles"), "medium", uses=("households",)),
    Rule("R04", "低保/特困/建档立卡家庭成员经商办企业", (*_CORE, "companies"), "medium", uses=("households",)),
    Rule(
        "R05",
        "低保/特困家庭房产超标",
        (*_CORE, "properties"),
        "medium",
        {"max_properties": 1},
        ("households", "standards"),
    ),
    Rule("R06", "低保/特困家庭成员有隐性就业收入", (*_CORE, "incomes"), "medium", uses=("households",)),
    Rule("R07", "低保家庭养老金收入超过低保标准", (*_CORE, "incomes", "standards"), "medium", uses=("households",)),
    Rule("R08", "干部近亲属享受救助未备案", (*_CORE, "cadres", "cadre_relatives"), "high"),
    Rule("R09", "同月同时享受低保和特困", _CORE, "high"),
    Rule("R10", "特困人员同时领取残疾人两项补贴", _CORE, "medium"),
    Rule("R11", "残疾人两项补贴发放对象不符", (*_CORE, "disabilities"), "medium", uses=("households",)),
    Rule("R12", "年龄不符合项目条件", _CORE, "medium", {"gaoling_min_age": 80}, ("standards",)),
    Rule("R13", "同月重复领取两种养老金", _CORE, "high"),
    Rule("R14", "同一人同月在两地享受同一项目", ("payments",), "high"),
    Rule("R15", "同一人同项目同月重复发放", ("payments",), "high"),
    Rule("R16", "一卡多人或领取人非本人", _CORE, "medium", {"max_payees_per_account": 1}),
    Rule("R17", "他人代领未备案", ("payments", "proxies"), "medium"),
    Rule("R18", "发放金额超标准或为零/负数", (*_CORE, "standards"), "medium", uses=("households",)),
    Rule("R19", "身份证号无效", ("payments",), "medium"),
    Rule("R20", "发放地与户籍地不一致", (*_CORE, "hukou"), "low", uses=("standards",)),
    Rule("R21", "干部亲属新近迁入受益家庭", (*_CORE, "households", "cadre_relatives"), "high", {"recent_months": 3}),
    Rule("R22", "服刑期间领取", ("payments", "prisoners"), "high"),
    Rule("R23", "危房改造重复享受或与易地搬迁重叠", _CORE, "high", {"max_repair_payments": 1}),
    Rule("R24", "帮扶资金发给非建档立卡人员", (*_CORE, "poverty_roster"), "medium"),
    Rule(
        "R25",
        "建档立卡户有财政供养人员、车辆或企业",
        ("poverty_roster",),
        "medium",
        uses=("public_servants", "vehicles", "companies"),
    ),
    Rule("R26", "耕地地力补贴面积异常", (*_CORE, "farmland"), "medium", {"rate_per_mu": 0}, ("standards",)),
    Rule("R27", "医疗救助金额超过医疗费用", (*_CORE, "medical_costs"), "high"),
    Rule("R28", "超出资格有效期发放", (*_CORE, "disabilities"), "medium"),
    Rule("R29", "同一人同时在两个家庭", ("households",), "low"),
    Rule(
        "R30",
        "应享未享(反向比对)",
        _CORE,
        "low",
        {"gaoling_min_age": 80},
        ("households", "disabilities", "deaths", "standards"),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}


def select_rules(spec: str | None) -> list[Rule]:
    """Return the rules named by ``all`` / ``R01,R02`` (unknown codes raise ValueError in Chinese)."""
    if not spec or spec.strip().lower() == "all":
        return list(RULES)
    codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
    unknown = [c for c in codes if c not in RULES_BY_CODE]
    if unknown:
        raise ValueError(f"未知的规则编号:{', '.join(unknown)}(可用 R01–R30 或 all)")
    return [RULES_BY_CODE[c] for c in codes]
