"""Synthetic city for tests and the benchmark: Wuhan-like districts, households, registries, 12 months
of payments, with planted violations of every rule and a ground-truth file.

The base population is generated in DuckDB SQL (``range()`` and ``hash()``), clean by construction
(each rule's conditions are kept false for it); ``synth_plant`` adds a small hand-written set of
people whose records break exactly the rules listed in ``truth.parquet``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.layout import TABLES
from jixiao.crosscheck.progress import Progress, silent
from jixiao.crosscheck.synth_plant import Planter, plant_all

YEAR = 2024
URBAN = ("420102", "420103", "420104", "420105", "420106", "420107", "420111")
SUBURBAN = ("420112", "420113", "420114", "420115", "420116", "420117")
DISTRICTS = URBAN + SUBURBAN
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉鹏飞春梅海燕波宁琴云凤莉晶林浩宇欣怡子涵雨轩俊博"
)

PROGRAMS = [
    # program, name, kind, category, per, means_tested, poverty_targeted
    ("P01", "城市最低生活保障", "dibao", "社会救助", "household", True, False),
    ("P02", "农村最低生活保障", "dibao", "社会救助", "household", True, False),
    ("P03", "特困人员救助供养", "tekun", "社会救助", "person", True, False),
    ("P04", "高龄津贴", "gaoling", "社会福利", "person", False, False),
    ("P05", "困难残疾人生活补贴", "disability_living", "残疾人福利", "person", True, False),
    ("P06", "重度残疾人护理补贴", "disability_care", "残疾人福利", "person", False, False),
    ("P07", "城乡居民基本养老保险", "resident_pension", "养老保险", "person", False, False),
    ("P08", "机关事业单位及职工养老金", "employee_pension", "养老保险", "person", False, False),
    ("P09", "公益性岗位补贴", "welfare_job", "就业帮扶", "person", False, True),
    ("P10", "雨露计划", "education_aid", "教育帮扶", "person", False, True),
    ("P11", "农村危房改造", "housing_repair", "住房保障", "household", False, True),
    ("P12", "易地扶贫搬迁", "relocation", "住房保障", "household", False, True),
    ("P13", "医疗救助", "medical_aid", "社会救助", "person", True, False),
    ("P14", "耕地地力保护补贴", "farmland", "农业补贴", "person", False, False),
    ("P15", "计划生育奖励扶助", "other", "其他", "person", False, False),
]

STANDARDS = [
    # program, region_prefix, valid_from, valid_to, param, value
    ("P01", "4201", f"{YEAR - 1}-01-01", f"{YEAR - 1}-12-31", "monthly_standard", 760),
    ("P01", "4201", f"{YEAR}-01-01", f"{YEAR}-12-31", "monthly_standard", 800),
    ("P01", "420102", f"{YEAR}-01-01", f"{YEAR}-12-31", "monthly_standard", 850),
    ("P02", "4201", f"{YEAR}-01-01", f"{YEAR}-12-31", "monthly_standard", 650),
    ("P03", "4201", f"{YEAR}-01-01", None, "max_amount", 1500),
    ("P04", "4201", f"{YEAR}-01-01", None, "min_age", 80),
    ("P04", "4201", f"{YEAR}-01-01", None, "max_amount", 300),
    ("P05", "4201", f"{YEAR}-01-01", None, "max_amount", 120),
    ("P06", "4201", f"{YEAR}-01-01", None, "max_amount", 120),
    ("P07", "4201", f"{YEAR}-01-01", None, "min_age", 60),
    ("P07", "4201", f"{YEAR}-01-01", None, "max_amount", 3000),
    ("P07", "", None, None, "death_grace_months", 1),
    ("P08", "4201", f"{YEAR}-01-01", None, "max_amount", 20000),
    ("P09", "4201", f"{YEAR}-01-01", None, "min_age", 16),
    ("P09", "4201", f"{YEAR}-01-01", None, "max_age", 60),
    ("P09", "4201", f"{YEAR}-01-01", None, "max_amount", 1000),
    ("P10", "4201", f"{YEAR}-01-01", None, "max_amount", 2500),
    ("P11", "4201", f"{YEAR}-01-01", None, "max_amount", 40000),
    ("P12", "4201", f"{YEAR}-01-01", None, "max_amount", 60000),
    ("P13", "4201", f"{YEAR}-01-01", None, "max_amount", 10000),
    ("P14", "4201", f"{YEAR}-01-01", None, "rate_per_mu", 120),
    ("P14", "4201", f"{YEAR}-01-01", None, "max_amount", 5000),
    ("P15", "4201", f"{YEAR}-01-01", None, "max_amount", 200),
]


@dataclass
class SynthResult:
    out_dir: Path
    rows: dict[str, int]
    planted: int
    seconds: float


def _lit_list(items: tuple[str, ...] | str) -> str:
    return "[" + ", ".join(f"'{x}'" for x in items) + "]"


def _district_sum_sql() -> str:
    """SQL: the weighted digit sum (ISO 7064) of the 6 region digits, per district."""
    whens = " ".join(
        f"WHEN '{d}' THEN {sum(int(c) * w for c, w in zip(d, idnumber.WEIGHTS[:6], strict=True))}" for d in DISTRICTS
    )
    return f"(CASE district {whens} END)"


def _date_seq_sum_sql() -> str:
    """SQL: the weighted digit sum of the birth date and sequence, by integer arithmetic (no substrings)."""
    digits = [
        "year(birth) // 1000",
        "year(birth) // 100 % 10",
        "year(birth) // 10 % 10",
        "year(birth) % 10",
        "month(birth) // 10",
        "month(birth) % 10",
        "day(birth) // 10",
        "day(birth) % 10",
        "seq // 100",
        "seq // 10 % 10",
        "seq % 10",
    ]
    return "(" + " + ".join(f"({d}) * {w}" for d, w in zip(digits, idnumber.WEIGHTS[6:], strict=True)) + ")"


def _base_sql(people: int, seed: int) -> list[str]:
    """Statements creating the clean base: person, pay_base and the registries (tables s_<name>)."""
    ref = f"DATE '{YEAR}-12-31'"
    birth_int = "(year(birth) * 10000 + month(birth) * 100 + day(birth))"
    age_at = f"CAST(floor(((year(m.period_end) * 10000 + month(m.period_end) * 100 + day(m.period_end)) - {birth_int}) / 10000) AS INTEGER)"
    return [
        f"CREATE OR REPLACE MACRO h(a, b) AS CAST(hash(a, b, {seed}) % 2147483647 AS BIGINT)",
        f"""CREATE OR REPLACE TABLE p0 AS
            SELECT i,
                   i // 10 * 4 + CASE WHEN i % 10 = 0 THEN 0 WHEN i % 10 < 3 THEN 1 WHEN i % 10 < 6 THEN 2 ELSE 3 END AS hh,
                   CASE WHEN i % 10 = 0 THEN 0 WHEN i % 10 < 3 THEN i % 10 - 1 WHEN i % 10 < 6 THEN i % 10 - 3 ELSE i % 10 - 6 END AS pos
            FROM range({people}) t(i)""",
        f"""CREATE OR REPLACE TABLE p1 AS
            SELECT i, hh, pos, count(*) OVER (PARTITION BY hh) AS size,
                   {_lit_list(DISTRICTS)}[1 + h(hh, 1) % {len(DISTRICTS)}] AS district,
                   h(hh, 2) % 1000 AS u,
                   25 + CAST(floor(70 * pow((h(hh, 3) % 1000000) / 1e6, 2)) AS INTEGER) AS head_age,
                   CAST(h(hh, 4) % 2 AS INTEGER) AS head_sex
            FROM p0""",
        """CREATE OR REPLACE TABLE p2 AS
            SELECT *,
                   CASE WHEN size = 1 AND u < 200 THEN 'T' WHEN u >= 200 AND u < 280 THEN 'A'
                        WHEN u >= 280 AND u < 360 THEN 'B' ELSE 'C' END AS klass,
                   CASE WHEN pos = 0 THEN head_age WHEN pos = 1 THEN greatest(20, head_age + CAST(h(i, 5) % 7 AS INTEGER) - 3)
                        ELSE greatest(1, head_age - 22 - CAST(h(i, 6) % 15 AS INTEGER)) END AS age,
                   CASE WHEN pos = 0 THEN head_sex WHEN pos = 1 THEN 1 - head_sex ELSE CAST(h(i, 7) % 2 AS INTEGER) END AS sex
            FROM p1""",
        f"""CREATE OR REPLACE TABLE p3 AS
            SELECT *, CAST({ref} - to_years(age) - to_days(CAST(h(i, 8) % 365 AS INTEGER)) AS DATE) AS birth,
                   klass = 'C' AND age >= 70 AND h(i, 9) % 40 = 0 AS dead
            FROM p2""",
        """CREATE OR REPLACE TABLE p4 AS
            SELECT *, CAST((row_number() OVER (PARTITION BY district, birth ORDER BY i) - 1) * 2 + sex AS INTEGER) AS seq
            FROM p3""",
        f"""CREATE OR REPLACE TABLE person AS
            SELECT *, district || strftime(birth, '%Y%m%d') || lpad(CAST(seq AS VARCHAR), 3, '0')
                      || substr('{idnumber.CHECK_CHARS}', CAST(({_district_sum_sql()} + {_date_seq_sum_sql()}) % 11 AS INTEGER) + 1, 1)
                      AS person_id,
                   CASE WHEN dead THEN CAST(DATE '{YEAR - 2}-01-01' + CAST(h(i, 10) % 700 AS INTEGER) AS DATE) END AS death_date,
                   {_lit_list(SURNAMES)}[1 + (CASE WHEN pos = 1 THEN h(i, 11) ELSE h(hh, 11) END) % {len(SURNAMES)}]
                   || {_lit_list(GIVEN)}[1 + h(i, 12) % {len(GIVEN)}]
                   || CASE WHEN h(i, 13) % 3 = 0 THEN '' ELSE {_lit_list(GIVEN)}[1 + h(i, 14) % {len(GIVEN)}] END AS name,
                   '62170' || lpad(CAST(i AS VARCHAR), 11, '0') AS account_no,
                   'H' || district || lpad(CAST(hh AS VARCHAR), 8, '0') AS household_id,
                   CASE WHEN district IN {tuple(URBAN)} THEN 'P01' ELSE 'P02' END AS dibao_program,
                   CASE WHEN district = '420102' THEN 850 WHEN district IN {tuple(URBAN)} THEN 800 ELSE 650 END AS dibao_standard,
                   h(i, 15) % 100 < 6 AND klass <> 'T' AND NOT dead AS disabled,
                   1 + CAST(h(i, 16) % 4 AS INTEGER) AS grade
            FROM p4""",
        f"""CREATE OR REPLACE TABLE months AS
            SELECT m, printf('%d-%02d', {YEAR}, m) AS period, last_day(make_date({YEAR}, m, 1)) AS period_end
            FROM range(1, 13) t(m)""",
        f"""CREATE OR REPLACE TABLE pay_base AS
            WITH alive AS (SELECT * FROM person WHERE NOT dead),
            aged AS (SELECT p.i, p.klass, m.m, m.period, {age_at.replace("birth", "p.birth")} AS age_at
                     FROM alive p, months m WHERE p.age >= 59)
            SELECT p.i, p.dibao_program AS program, m.period, p.dibao_standard * p.size AS amount
            FROM alive p, months m WHERE p.klass = 'A' AND p.pos = 0
            UNION ALL SELECT p.i, 'P03', m.period, 1300 FROM alive p, months m WHERE p.klass = 'T'
            UNION ALL SELECT i, 'P04', period, CASE WHEN age_at >= 100 THEN 300 WHEN age_at >= 90 THEN 200 ELSE 100 END
                FROM aged WHERE age_at >= 80
            UNION ALL SELECT a.i, 'P07', a.period, 150 + h(a.i, 20) % 100 FROM aged a
                WHERE a.age_at >= 60 AND (a.klass <> 'C' OR h(a.i, 21) % 10 < 7)
            UNION ALL SELECT a.i, 'P08', a.period, 3000 + h(a.i, 20) % 3000 FROM aged a
                WHERE a.age_at >= 60 AND a.klass = 'C' AND h(a.i, 21) % 10 >= 7
            UNION ALL SELECT p.i, 'P05', m.period, 100 FROM alive p, months m WHERE p.disabled AND p.klass = 'A'
            UNION ALL SELECT p.i, 'P06', m.period, 100 FROM alive p, months m WHERE p.disabled AND p.grade <= 2
            UNION ALL SELECT p.i, 'P09', m.period, 800 FROM alive p, months m
                WHERE p.klass = 'B' AND p.age BETWEEN 20 AND 55 AND h(p.i, 22) % 3 = 0
            UNION ALL SELECT p.i, 'P10', m.period, 1250 FROM alive p, months m
                WHERE p.klass = 'B' AND p.age BETWEEN 6 AND 22 AND m.m IN (3, 9)
            UNION ALL SELECT p.i, 'P11', m.period, 20000 + h(p.hh, 24) % 10000 FROM alive p, months m
                WHERE p.klass = 'B' AND p.pos = 0 AND h(p.hh, 23) % 20 = 0 AND m.m = 6
            UNION ALL SELECT p.i, 'P12', m.period, 30000 FROM alive p, months m
                WHERE p.klass = 'B' AND p.pos = 0 AND h(p.hh, 23) % 20 = 1 AND m.m = 8
            UNION ALL SELECT p.i, 'P13', m.period, 200 + h(p.i, 26) % 600 FROM alive p, months m
                WHERE p.klass = 'A' AND h(p.i, 25) % 10 = 0 AND h(p.i, m.m) % 4 = 0
            UNION ALL SELECT p.i, 'P14', m.period, (3 + h(p.hh, 28) % 12) * 120 FROM alive p, months m
                WHERE p.pos = 0 AND p.klass IN ('B', 'C') AND p.district IN {tuple(SUBURBAN)}
                  AND h(p.hh, 27) % 2 = 0 AND m.m = 4""",
    ]


def _filler_sql(payments: int) -> str:
    """Statement adding the kind-other program to enough people to reach the payment target."""
    return f"""
        INSERT INTO pay_base
        SELECT f.i, 'P15', m.period, 80
        FROM (SELECT i FROM person WHERE klass = 'C' AND NOT dead ORDER BY h(i, 29)
              LIMIT greatest(0, CAST(ceil(({payments} - (SELECT count(*) FROM pay_base)) / 12) AS BIGINT))) f, months m
    """


def _registry_sql() -> list[str]:
    """Statements creating the layout tables (s_<name>) from the base population."""
    roster_from = "greatest(birth, DATE '2014-10-01')"
    return [
        """CREATE OR REPLACE VIEW s_payments AS
           SELECT b.program || '-' || b.period || '-' || CAST(b.i AS VARCHAR) AS payment_id,
                  p.person_id AS payee_id, p.person_id AS payee_id_raw, p.name AS payee_name, b.program,
                  p.district AS region_code, b.period, CAST(b.amount AS DECIMAL(18, 2)) AS amount,
                  p.account_no, p.person_id AS account_holder_id, p.person_id AS account_holder_id_raw,
                  p.household_id, CAST(b.period || '-15' AS DATE) AS paid_on
           FROM pay_base b JOIN person p ON p.i = b.i""",
        """CREATE OR REPLACE TABLE s_households AS
           SELECT household_id, person_id, person_id AS person_id_raw,
                  CASE pos WHEN 0 THEN '户主' WHEN 1 THEN '配偶' ELSE '子女' END AS relation,
                  greatest(birth, DATE '2010-01-01') AS valid_from, death_date AS valid_to
           FROM person""",
        """CREATE OR REPLACE TABLE s_deaths AS
           SELECT person_id, person_id AS person_id_raw, name, death_date, '公安户籍' AS source FROM person WHERE dead
           UNION ALL
           SELECT person_id, person_id, name, CAST(death_date + 3 AS DATE), '民政殡葬' FROM person WHERE dead AND h(i, 30) % 2 = 0""",
        """CREATE OR REPLACE TABLE s_hukou AS
           SELECT person_id, person_id AS person_id_raw, district AS region_code, birth AS valid_from,
                  CAST(NULL AS DATE) AS valid_to
           FROM person""",
        """CREATE OR REPLACE TABLE s_disabilities AS
           SELECT person_id, person_id AS person_id_raw, grade,
                  ['肢体', '视力', '听力', '智力', '精神'][1 + h(i, 31) % 5] AS kind,
                  greatest(birth, DATE '2015-01-01') AS valid_from, CAST(NULL AS DATE) AS valid_to
           FROM person WHERE disabled""",
        f"""CREATE OR REPLACE TABLE s_poverty_roster AS
           SELECT person_id, person_id AS person_id_raw, household_id, '脱贫户' AS status,
                  {roster_from} AS valid_from, CAST(NULL AS DATE) AS valid_to
           FROM person WHERE klass = 'B'""",
        """CREATE OR REPLACE TABLE s_public_servants AS
           SELECT person_id, person_id AS person_id_raw, name,
                  ['区教育局', '区卫健局', '街道办事处', '区财政局', '区民政局'][1 + h(i, 32) % 5] AS employer,
                  DATE '2010-01-01' AS valid_from, CAST(NULL AS DATE) AS valid_to
           FROM person WHERE klass = 'C' AND NOT dead AND age BETWEEN 22 AND 59 AND h(i, 33) % 20 = 0""",
        """CREATE OR REPLACE TABLE s_vehicles AS
           SELECT person_id AS owner_id, person_id AS owner_id_raw,
                  '鄂A' || upper(substr(md5(CAST(i AS VARCHAR)), 1, 5)) AS plate,
                  CASE WHEN klass = 'A' THEN '残疾人专用车' ELSE '小型轿车' END AS vehicle_type,
                  DATE '2018-05-01' AS registered_on
           FROM person
           WHERE NOT dead AND ((klass = 'C' AND age BETWEEN 20 AND 75 AND h(i, 34) % 12 = 0)
                               OR (klass = 'A' AND h(i, 34) % 30 = 0))""",
        """CREATE OR REPLACE TABLE s_companies AS
           SELECT person_id, person_id AS person_id_raw,
                  ['legal_rep', 'shareholder', 'sole_trader'][1 + h(i, 35) % 3] AS role,
                  '武汉' || name || '商贸有限公司' AS company_name,
                  CASE WHEN klass = 'A' THEN '注销' ELSE '存续' END AS status,
                  CAST(100000 AS DECIMAL(18, 2)) AS registered_capital
           FROM person
           WHERE (klass = 'C' AND h(i, 36) % 25 = 1) OR (klass = 'A' AND h(i, 36) % 40 = 3)""",
        """CREATE OR REPLACE TABLE s_properties AS
           SELECT p.person_id AS owner_id, p.person_id AS owner_id_raw,
                  'F' || CAST(p.i AS VARCHAR) || '-' || CAST(k.n AS VARCHAR) AS property_id,
                  CAST(60 + h(p.i, 37) % 80 AS DOUBLE) AS area, '武汉市' || p.district || '某小区' AS address,
                  DATE '2015-03-01' AS registered_on
           FROM person p, range(3) k(n)
           WHERE p.pos = 0 AND ((p.klass = 'C' AND k.n < 1 + h(p.i, 38) % 3) OR (p.klass = 'A' AND h(p.i, 38) % 2 = 0 AND k.n = 0))""",
        """CREATE OR REPLACE TABLE s_incomes AS
           SELECT p.person_id, p.person_id AS person_id_raw,
                  CASE WHEN h(p.i, 39) % 2 = 0 THEN 'wage_tax' ELSE 'housing_fund' END AS source,
                  m.period, CAST(300 + h(p.i, 40) % 700 AS DECIMAL(18, 2)) AS amount
           FROM person p, months m
           WHERE p.klass = 'C' AND NOT p.dead AND p.age BETWEEN 22 AND 59 AND h(p.i, 41) % 10 = 0
           UNION ALL
           SELECT payee_id, payee_id, 'pension', period, amount
           FROM s_payments s JOIN person p ON p.person_id = s.payee_id
           WHERE s.program = 'P07' AND p.klass = 'A'""",
        """CREATE OR REPLACE TABLE s_cadres AS
           SELECT person_id, person_id AS person_id_raw, ['村委会主任', '村党支部书记', '社区居委会委员'][1 + h(i, 42) % 3] AS role,
                  district || '001' AS village_code, DATE '2018-01-01' AS valid_from, CAST(NULL AS DATE) AS valid_to,
                  row_number() OVER (ORDER BY h(i, 43)) AS k
           FROM person WHERE klass = 'C' AND NOT dead AND age BETWEEN 30 AND 60 AND h(i, 44) % 300 = 5""",
        """CREATE OR REPLACE TABLE s_cadre_relatives AS
           SELECT c.person_id AS cadre_id, c.person_id AS cadre_id_raw, r.person_id AS relative_id,
                  r.person_id AS relative_id_raw, '兄弟姐妹' AS relation, true AS filed
           FROM s_cadres c
           JOIN (SELECT person_id, row_number() OVER (ORDER BY h(i, 45)) AS k
                 FROM person WHERE klass = 'A' AND age >= 18) r ON r.k = c.k""",
        """CREATE OR REPLACE TABLE s_prisoners AS
           SELECT person_id, person_id AS person_id_raw, DATE '2019-01-01' AS valid_from, DATE '2022-06-30' AS valid_to
           FROM person WHERE klass = 'C' AND NOT dead AND h(i, 46) % 500 = 7""",
        """CREATE OR REPLACE TABLE s_farmland AS
           SELECT s.payee_id AS person_id, s.payee_id AS person_id_raw, s.region_code,
                  CAST(s.amount / 120 AS DOUBLE) AS contract_area, CAST(s.amount / 120 AS DOUBLE) AS declared_area
           FROM s_payments s WHERE s.program = 'P14'""",
        """CREATE OR REPLACE TABLE s_medical_costs AS
           SELECT payee_id AS person_id, payee_id AS person_id_raw, 'MC-' || payment_id AS case_id, period,
                  CAST(amount * 3 AS DECIMAL(18, 2)) AS total_cost, amount AS insurance_paid
           FROM s_payments WHERE program = 'P13'""",
        """CREATE OR REPLACE TABLE s_proxies AS
           SELECT CAST(NULL AS VARCHAR) AS payee_id, CAST(NULL AS VARCHAR) AS payee_id_raw,
                  CAST(NULL AS VARCHAR) AS proxy_id, CAST(NULL AS VARCHAR) AS proxy_id_raw,
                  CAST(NULL AS VARCHAR) AS program, CAST(NULL AS BOOLEAN) AS filed,
                  CAST(NULL AS DATE) AS valid_from, CAST(NULL AS DATE) AS valid_to
           WHERE false""",
    ]


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    programs = pa.table(list(zip(*PROGRAMS, strict=True)), names=[c.name for c in TABLES["programs"].columns])
    con.register("programs_src", programs)
    con.execute("CREATE OR REPLACE TABLE s_programs AS SELECT * FROM programs_src")
    standards = pa.table(
        {
            "program": [s[0] for s in STANDARDS],
            "region_prefix": [s[1] for s in STANDARDS],
            "valid_from": pa.array([s[2] for s in STANDARDS], pa.string()),
            "valid_to": pa.array([s[3] for s in STANDARDS], pa.string()),
            "param": [s[4] for s in STANDARDS],
            "value": pa.array([float(s[5]) for s in STANDARDS], pa.float64()),
        }
    )
    con.register("standards_src", standards)
    con.execute(
        "CREATE OR REPLACE TABLE s_standards AS SELECT program, region_prefix, CAST(valid_from AS DATE) AS valid_from,"
        " CAST(valid_to AS DATE) AS valid_to, param, value FROM standards_src"
    )


def _write(con: duckdb.DuckDBPyConnection, out: Path, fmt: str) -> dict[str, int]:
    rows: dict[str, int] = {}
    for name, table in TABLES.items():
        if fmt == "csv":
            # the interchange CSV carries the raw ID as read from the source system
            cols = ", ".join(f"{c.name}_raw AS {c.name}" if c.kind == "id" else c.name for c in table.columns)
            target, options = out / f"{name}.csv", "(HEADER, DELIMITER ',')"
        else:
            cols = ", ".join(n for n, _ in table.stored_columns())
            target, options = out / f"{name}.parquet", "(FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 1000000)"
        source = f"(SELECT * FROM s_{name} UNION ALL BY NAME SELECT * FROM p_{name})"
        con.execute(f"COPY (SELECT {cols} FROM {source}) TO '{target}' {options}")
        rows[name] = con.sql(f"SELECT count(*) FROM {source}").fetchone()[0]  # type: ignore[index]
    return rows


def synthesize(
    out_dir: str | Path,
    *,
    people: int = 3000,
    payments: int | None = None,
    seed: int = 1,
    fmt: str = "parquet",
    memory_limit: str = "4GB",
    progress: Progress | None = None,
) -> SynthResult:
    """Write a synthetic city (interchange layout) plus ``truth.parquet`` into ``out_dir``.

    ``payments`` is the target number of payment rows (default 10 per person); the base
    programs come first and a kind-``other`` program tops up to the target.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError("格式只能是 parquet 或 csv")
    started = time.perf_counter()
    progress = progress or silent
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{out / '.tmp'}'")
    planter = Planter(YEAR)
    plant_all(planter)
    target = (payments if payments is not None else people * 10) - len(planter.rows["payments"])
    steps = [*_base_sql(people, seed), _filler_sql(target), *_registry_sql()]
    try:
        for n, sql in enumerate(steps):
            progress(n, len(steps) + 3, "生成基础人口与发放数据")
            con.execute(sql)
        _reference_tables(con)
        progress(len(steps), len(steps) + 3, "埋设违规样本")
        planter.insert_into(con)
        progress(len(steps) + 1, len(steps) + 3, "写出文件")
        rows = _write(con, out, fmt)
        con.register("truth_src", planter.truth_table())
        con.execute(
            f"COPY (SELECT * FROM truth_src ORDER BY rule, person_id) TO '{out / 'truth.parquet'}' (FORMAT PARQUET)"
        )
    finally:
        con.close()
    progress(len(steps) + 3, len(steps) + 3, "生成完成")
    return SynthResult(out, rows, len(planter.truth), time.perf_counter() - started)
