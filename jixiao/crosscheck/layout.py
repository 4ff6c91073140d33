"""The interchange layout (DOMAIN.md §9) plus the optional files of rules R05–R07, R17, R20, R26, R27.

Each table lists its columns with a kind that says how raw text is parsed and which
Parquet/SQL type it becomes. ID columns get a sibling ``<name>_raw`` with the value as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# kind -> DuckDB type of the stored column
SQL_TYPES = {
    "text": "VARCHAR",
    "id": "VARCHAR",
    "period": "VARCHAR",
    "date": "DATE",
    "amount": "DECIMAL(18,2)",
    "number": "DOUBLE",
    "int": "INTEGER",
    "bool": "BOOLEAN",
    "choice": "VARCHAR",
}

KIND_LABELS = {
    "text": "文本",
    "id": "18 位身份证号",
    "period": "年月(YYYY-MM)",
    "date": "日期(如 2024-01-05、2024/1/5、20240105、2024年1月5日)",
    "amount": "金额(元,如 1234.50 或 1,234.50)",
    "number": "数字",
    "int": "整数",
    "bool": "是/否(true/false、1/0)",
    "choice": "取值之一",
}

PROGRAM_KINDS = {
    "dibao": "低保",
    "tekun": "特困供养",
    "gaoling": "高龄津贴",
    "disability_living": "残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "resident_pension": "城乡居民养老金",
    "employee_pension": "职工或机关养老金",
    "welfare_job": "公益岗位",
    "housing_repair": "危房改造",
    "relocation": "易地搬迁",
    "education_aid": "教育资助/雨露计划",
    "medical_aid": "医疗救助",
    "farmland": "耕地地力补贴",
    "other": "其他",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"
    required: bool = True
    # choice columns: accepted spellings -> stored code
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    optional_file: bool = False  # not part of DOMAIN.md's layout; only some rules need it

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def id_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.kind == "id"]

    def stored_columns(self) -> list[tuple[str, str]]:
        """Return (name, SQL type) of the Parquet file, ``<id>_raw`` columns included."""
        out: list[tuple[str, str]] = []
        for col in self.columns:
            out.append((col.name, col.sql_type))
            if col.kind == "id":
                out.append((f"{col.name}_raw", "VARCHAR"))
        return out


def _c(name: str, kind: str = "text", required: bool = True, **choices: str) -> Column:
    return Column(name, kind, required, dict(choices))


def _choice(name: str, mapping: dict[str, str], required: bool = True) -> Column:
    return Column(name, "choice", required, mapping)


_KIND_CHOICES = {code: code for code in PROGRAM_KINDS} | {label: code for code, label in PROGRAM_KINDS.items()}
_PER_CHOICES = {"person": "person", "household": "household", "按人": "person", "按户": "household"}
_ROLE_CHOICES = {
    "legal_rep": "legal_rep",
    "shareholder": "shareholder",
    "sole_trader": "sole_trader",
    "法定代表人": "legal_rep",
    "股东": "shareholder",
    "个体工商户": "sole_trader",
}
_INCOME_CHOICES = {
    "housing_fund": "housing_fund",
    "wage_tax": "wage_tax",
    "pension": "pension",
    "公积金": "housing_fund",
    "住房公积金": "housing_fund",
    "个税": "wage_tax",
    "工资薪金个税": "wage_tax",
    "养老金": "pension",
}

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "payments",
            "发放名册",
            (
                _c("payment_id"),
                _c("payee_id", "id"),
                _c("payee_name"),
                _c("program"),
                _c("region_code"),
                _c("period", "period"),
                _c("amount", "amount"),
                _c("account_no", required=False),
                _c("account_holder_id", "id", required=False),
                _c("household_id", required=False),
                _c("paid_on", "date", required=False),
            ),
        ),
        Table(
            "programs",
            "政策项目",
            (
                _c("program"),
                _c("name"),
                _choice("kind", _KIND_CHOICES),
                _c("category", required=False),
                _choice("per", _PER_CHOICES),
                _c("means_tested", "bool"),
                _c("poverty_targeted", "bool"),
            ),
        ),
        Table(
            "standards",
            "补助标准",
            (
                _c("program"),
                _c("region_prefix", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
                _c("param"),
                _c("value", "number"),
            ),
        ),
        Table(
            "deaths",
            "死亡人员",
            (_c("person_id", "id"), _c("name", required=False), _c("death_date", "date"), _c("source", required=False)),
        ),
        Table(
            "public_servants",
            "财政供养人员",
            (
                _c("person_id", "id"),
                _c("name", required=False),
                _c("employer", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
        ),
        Table(
            "vehicles",
            "机动车登记",
            (
                _c("owner_id", "id"),
                _c("plate", required=False),
                _c("vehicle_type", required=False),
                _c("registered_on", "date", required=False),
            ),
        ),
        Table(
            "companies",
            "工商登记",
            (
                _c("person_id", "id"),
                _choice("role", _ROLE_CHOICES),
                _c("company_name", required=False),
                _c("status", required=False),
                _c("registered_capital", "amount", required=False),
            ),
        ),
        Table(
            "households",
            "户籍家庭成员",
            (
                _c("household_id"),
                _c("person_id", "id"),
                _c("relation", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
        ),
        Table(
            "disabilities",
            "残疾人登记",
            (
                _c("person_id", "id"),
                _c("grade", "int"),
                _c("kind", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
        ),
        Table(
            "poverty_roster",
            "建档立卡",
            (
                _c("person_id", "id"),
                _c("household_id", required=False),
                _c("status", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
        ),
        Table(
            "cadres",
            "村(社区)干部",
            (
                _c("person_id", "id"),
                _c("role", required=False),
                _c("village_code", required=False),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
        ),
        Table(
            "cadre_relatives",
            "干部近亲属",
            (_c("cadre_id", "id"), _c("relative_id", "id"), _c("relation", required=False), _c("filed", "bool")),
        ),
        Table(
            "prisoners",
            "服刑人员",
            (_c("person_id", "id"), _c("valid_from", "date"), _c("valid_to", "date", required=False)),
        ),
        Table(
            "properties",
            "不动产登记",
            (
                _c("owner_id", "id"),
                _c("property_id"),
                _c("area", "number", required=False),
                _c("address", required=False),
                _c("registered_on", "date", required=False),
            ),
            optional_file=True,
        ),
        Table(
            "incomes",
            "收入(公积金、个税、养老金)",
            (_c("person_id", "id"), _choice("source", _INCOME_CHOICES), _c("period", "period"), _c("amount", "amount")),
            optional_file=True,
        ),
        Table(
            "proxies",
            "代领备案",
            (
                _c("payee_id", "id"),
                _c("proxy_id", "id"),
                _c("program", required=False),
                _c("filed", "bool"),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
            optional_file=True,
        ),
        Table(
            "hukou",
            "户籍登记地",
            (
                _c("person_id", "id"),
                _c("region_code"),
                _c("valid_from", "date", required=False),
                _c("valid_to", "date", required=False),
            ),
            optional_file=True,
        ),
        Table(
            "farmland",
            "耕地承包",
            (
                _c("person_id", "id"),
                _c("region_code", required=False),
                _c("contract_area", "number"),
                _c("declared_area", "number"),
            ),
            optional_file=True,
        ),
        Table(
            "medical_costs",
            "医疗费用",
            (
                _c("person_id", "id"),
                _c("case_id"),
                _c("period", "period"),
                _c("total_cost", "amount"),
                _c("insurance_paid", "amount"),
            ),
            optional_file=True,
        ),
    ]
}

TRUE_WORDS = ("true", "t", "1", "是", "y", "yes")
FALSE_WORDS = ("false", "f", "0", "否", "n", "no")


def arrow_schema(table: Table):  # -> pyarrow.Schema (import kept local: layout stays light)
    """Return the Arrow schema of a table's Parquet file."""
    import pyarrow as pa

    types = {
        "VARCHAR": pa.string(),
        "DATE": pa.date32(),
        "DECIMAL(18,2)": pa.decimal128(18, 2),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int32(),
        "BOOLEAN": pa.bool_(),
    }
    return pa.schema([(name, types[sql_type]) for name, sql_type in table.stored_columns()])


def table_for_file(stem: str) -> str | None:
    """Return the layout table a file name belongs to (``payments_2024-01`` → ``payments``)."""
    name = stem.lower()
    for table in sorted(TABLES, key=len, reverse=True):
        if name == table or name.startswith((table + "_", table + "-", table + ".")):
            return table
    return None
