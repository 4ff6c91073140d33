"""Planted violations for the synthetic city: a few people per rule, and near-miss controls.

Each scenario builds its people with ``Planter`` and declares the clues it must produce with
``truth(rule, person, program)``; everything else about them is kept clean, so the clues of a
rule on synthetic data are exactly its planted set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.layout import TABLES


@dataclass
class Person:
    id: str
    name: str
    birth: dt.date
    district: str
    account_no: str
    household_id: str
    raw: str | None = None  # the ID as the source system wrote it


@dataclass
class Planter:
    year: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {name: [] for name in TABLES})
    truth: list[dict[str, Any]] = field(default_factory=list)
    _seq: int = 0

    # --- people ---------------------------------------------------------------------------------

    def person(
        self,
        age: int,
        *,
        district: str = "420103",
        male: bool = True,
        household: Person | None = None,
        relation: str = "户主",
        joined: dt.date | None = None,
        raw: str | None = None,
        id_override: str | None = None,
    ) -> Person:
        """Create a person aged ``age`` on 31 Dec, in their own household unless ``household`` is given."""
        self._seq += 1
        n = self._seq
        birth = dt.date(self.year - age, 1 + n % 12, 1 + n % 28)
        seq3 = 900 + (2 * n) % 100 + (1 if male else 0)
        body = f"{district}{birth:%Y%m%d}{seq3:03d}"
        pid = id_override or body + idnumber.check_char(body)
        household_id = household.household_id if household else f"HP{n:06d}"
        person = Person(pid, f"植{'男' if male else '女'}{n}", birth, district, f"6299{n:012d}", household_id, raw)
        if not id_override:
            self.add("hukou", person_id=pid, region_code=district, valid_from=birth)
        self.add(
            "households",
            household_id=household_id,
            person_id=pid,
            relation=relation if household else "户主",
            valid_from=joined or max(birth, dt.date(2010, 1, 1)),
        )
        return person

    def add(self, table: str, **values: Any) -> None:
        for column in TABLES[table].id_columns:
            if column in values and f"{column}_raw" not in values:
                values[f"{column}_raw"] = values[column]
        self.rows[table].append(values)

    def pay(
        self,
        p: Person,
        program: str,
        amount: float,
        months: range | list[int] = range(1, 13),
        *,
        region: str | None = None,
        account_no: str | None = None,
        holder: str | None = "self",
        tag: str = "",
    ) -> None:
        """Add monthly payments of ``program`` to ``p``."""
        for m in months:
            period = f"{self.year}-{m:02d}"
            self.add(
                "payments",
                payment_id=f"PL-{program}-{period}-{p.id}{tag}",
                payee_id=p.id,
                payee_id_raw=p.raw or p.id,
                payee_name=p.name,
                program=program,
                region_code=region or p.district,
                period=period,
                amount=amount,
                account_no=account_no or p.account_no,
                account_holder_id=p.id if holder == "self" else holder,
                household_id=p.household_id,
                paid_on=dt.date(self.year, m, 15),
            )

    def expect(self, rule: str, p: Person, program: str | None, note: str) -> None:
        self.truth.append({"rule": rule, "person_id": p.id, "program": program, "note": note})

    # --- output ---------------------------------------------------------------------------------

    def truth_table(self) -> pa.Table:
        return pa.Table.from_pylist(
            self.truth,
            schema=pa.schema(
                [("rule", pa.string()), ("person_id", pa.string()), ("program", pa.string()), ("note", pa.string())]
            ),
        )

    def insert_into(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the tables ``p_<name>`` holding the planted rows (possibly none) of every table."""
        from jixiao.crosscheck.layout import arrow_schema

        for name, rows in self.rows.items():
            schema = arrow_schema(TABLES[name])
            table = pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)
            con.register("planted", table)
            con.execute(f"CREATE OR REPLACE TABLE p_{name} AS SELECT * FROM planted")
            con.unregister("planted")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def plant_all(pl: Planter) -> None:
    """Plant every scenario (rules R01–R30 plus controls that must stay silent)."""
    y = pl.year
    # R01 death: earliest of two sources counts; P07 has one grace month in the standards
    a = pl.person(85)
    pl.pay(a, "P04", 100)
    pl.add("deaths", person_id=a.id, name=a.name, death_date=d(f"{y}-06-02"), source="公安户籍")
    pl.add("deaths", person_id=a.id, name=a.name, death_date=d(f"{y}-05-10"), source="民政殡葬")
    pl.expect("R01", a, "P04", "died May, 高龄津贴 paid Jun–Dec")
    b = pl.person(70)
    pl.pay(b, "P07", 200)
    pl.add("deaths", person_id=b.id, name=b.name, death_date=d(f"{y}-08-20"), source="公安户籍")
    pl.expect("R01", b, "P07", "died Aug, one grace month, pension Oct–Dec flagged")
    c = pl.person(82)  # control: dies after the year
    pl.pay(c, "P04", 100)
    pl.add("deaths", person_id=c.id, name=c.name, death_date=d(f"{y + 1}-01-03"), source="公安户籍")

    # R02 public servant on 低保; control: service ended before the year
    a = pl.person(45)
    pl.pay(a, "P01", 800)
    pl.add("public_servants", person_id=a.id, name=a.name, employer="区城管局", valid_from=d("2020-01-01"))
    pl.expect("R02", a, "P01", "active public servant paid 低保")
    c = pl.person(45)
    pl.pay(c, "P01", 800)
    pl.add(
        "public_servants",
        person_id=c.id,
        name=c.name,
        employer="区城管局",
        valid_from=d("2015-01-01"),
        valid_to=d("2023-06-30"),
    )

    # R03 vehicle of a household member
    head = pl.person(50)
    spouse = pl.person(48, male=False, household=head, relation="配偶")
    pl.pay(head, "P01", 1600)
    pl.add("vehicles", owner_id=spouse.id, plate="鄂A9X001", vehicle_type="小型轿车", registered_on=d("2022-03-01"))
    pl.expect("R03", head, "P01", "spouse owns a car")

    # R04 company: 低保 legal rep; poverty-roster sole trader on a welfare job (also R25)
    a = pl.person(40)
    pl.pay(a, "P01", 800)
    pl.add("companies", person_id=a.id, role="legal_rep", company_name="武汉植入贸易有限公司", status="存续")
    pl.expect("R04", a, "P01", "低保 payee is legal rep of an active company")
    b = pl.person(38, district="420115")
    pl.add("poverty_roster", person_id=b.id, household_id=b.household_id, status="脱贫户", valid_from=d("2015-01-01"))
    pl.pay(b, "P09", 800)
    pl.add("companies", person_id=b.id, role="sole_trader", company_name="新洲植入小卖部", status="在业")
    pl.expect("R04", b, "P09", "poverty-roster welfare-job holder is a sole trader")
    pl.expect("R25", b, None, "poverty-roster member runs a business")

    # R05 three properties; R06 wage tax; R07 pensions above the standard
    a = pl.person(52)
    pl.pay(a, "P01", 800)
    for k in range(3):
        pl.add(
            "properties",
            owner_id=a.id,
            property_id=f"PF-{a.id}-{k}",
            area=90.0,
            address="武汉市江汉区某路",
            registered_on=d("2016-01-01"),
        )
    pl.expect("R05", a, "P01", "household owns 3 properties, 1 allowed")
    head = pl.person(55)
    son = pl.person(28, household=head, relation="子女")
    pl.pay(head, "P01", 1600)
    for m in (3, 4, 5):
        pl.add("incomes", person_id=son.id, source="wage_tax", period=f"{y}-{m:02d}", amount=4200)
    pl.expect("R06", head, "P01", "son pays wage tax Mar–May")
    head = pl.person(66)
    wife = pl.person(64, male=False, household=head, relation="配偶")
    pl.pay(head, "P01", 1600)
    for m in range(1, 13):
        pl.add("incomes", person_id=head.id, source="pension", period=f"{y}-{m:02d}", amount=1000)
        pl.add("incomes", person_id=wife.id, source="pension", period=f"{y}-{m:02d}", amount=900)
    pl.expect("R07", head, "P01", "household pensions 1900 > 2 × 800")

    # R08 unfiled relative of an active cadre
    cadre = pl.person(50)
    pl.add("cadres", person_id=cadre.id, role="村委会主任", village_code="420103001", valid_from=d("2018-01-01"))
    a = pl.person(30)
    pl.pay(a, "P01", 800)
    pl.add("cadre_relatives", cadre_id=cadre.id, relative_id=a.id, relation="子女", filed=False)
    pl.expect("R08", a, "P01", "cadre's child on 低保, not filed")

    # R09 低保 and 特困 together; R10 特困 with 护理补贴
    a = pl.person(70, district="420115")
    pl.pay(a, "P03", 1300)
    pl.pay(a, "P02", 650, [1, 2, 3])
    pl.expect("R09", a, "P02", "特困 all year and 低保 Jan–Mar")
    a = pl.person(65)
    pl.pay(a, "P03", 1300)
    pl.add("disabilities", person_id=a.id, grade=1, kind="肢体", valid_from=d("2016-01-01"))
    pl.pay(a, "P06", 100)
    pl.expect("R10", a, "P06", "特困 recipient paid 护理补贴")

    # R11 护理补贴 at grade 3; 生活补贴 outside a 低保 household
    a = pl.person(40)
    pl.add("disabilities", person_id=a.id, grade=3, kind="视力", valid_from=d("2016-01-01"))
    pl.pay(a, "P06", 100)
    pl.expect("R11", a, "P06", "care allowance at grade 3")
    a = pl.person(42)
    pl.add("disabilities", person_id=a.id, grade=2, kind="听力", valid_from=d("2016-01-01"))
    pl.pay(a, "P05", 100)
    pl.pay(a, "P06", 100)
    pl.expect("R11", a, "P05", "living allowance, no 低保 household")

    # R12 ages
    a = pl.person(78)
    pl.pay(a, "P04", 100)
    pl.expect("R12", a, "P04", "高龄津贴 at 78")
    a = pl.person(58)
    pl.pay(a, "P07", 200)
    pl.expect("R12", a, "P07", "resident pension at 58")
    a = pl.person(62)
    pl.add("poverty_roster", person_id=a.id, household_id=a.household_id, status="脱贫户", valid_from=d("2015-01-01"))
    pl.pay(a, "P09", 800)
    pl.expect("R12", a, "P09", "welfare job at 62, max 60")

    # R13 two pensions; R14 two regions; R15 paid twice
    a = pl.person(65)
    pl.pay(a, "P07", 200)
    pl.pay(a, "P08", 4000)
    pl.expect("R13", a, "P07", "resident and employee pension")
    a = pl.person(50, district="420102")
    pl.pay(a, "P15", 80)
    pl.pay(a, "P15", 80, region="420103", tag="-b")
    pl.expect("R14", a, "P15", "paid in 420102 and 420103")
    a = pl.person(50)
    pl.pay(a, "P15", 80)
    pl.pay(a, "P15", 80, [4], tag="-dup")
    pl.expect("R15", a, "P15", "April paid twice")

    # R16 shared account; account holder not the payee (with a filed proxy, so not R17)
    one = pl.person(85)
    two = pl.person(88)
    pl.pay(one, "P04", 100)
    pl.pay(two, "P04", 100, account_no=one.account_no, holder=None)
    pl.expect("R16", one, "P04", "account shared with another payee")
    pl.expect("R16", two, "P04", "paid into someone else's account")
    old = pl.person(86)
    child = pl.person(55, male=False)
    pl.pay(old, "P04", 100, account_no=child.account_no, holder=child.id)
    pl.add("proxies", payee_id=old.id, proxy_id=child.id, program="P04", filed=True, valid_from=d("2020-01-01"))
    pl.expect("R16", old, "P04", "per-person subsidy paid to the daughter's account (filed proxy)")

    # R17 proxy without filing (household program: not R16)
    a = pl.person(60)
    neighbour = pl.person(45)
    pl.pay(a, "P01", 800, account_no=neighbour.account_no, holder=neighbour.id)
    pl.expect("R17", a, "P01", "低保 collected by a neighbour, no filing")

    # R18 above max; zero amount; above standard × household size
    a = pl.person(70)
    pl.pay(a, "P03", 2000)
    pl.expect("R18", a, "P03", "特困 2000 > max 1500")
    a = pl.person(83)
    pl.pay(a, "P04", 100, [1] + list(range(3, 13)))
    pl.pay(a, "P04", 0, [2])
    pl.expect("R18", a, "P04", "zero payment in February")
    head = pl.person(50)
    pl.person(47, male=False, household=head, relation="配偶")
    pl.pay(head, "P01", 2400)
    pl.expect("R18", head, "P01", "2400 for a household of 2 at 800")

    # R19 invalid IDs; controls: 15-digit and lower-case x IDs are fine once normalised
    bad = pl.person(40, id_override="420103198001010011")
    pl.pay(bad, "P15", 80)
    pl.expect("R19", bad, "P15", "wrong check character")
    sci = pl.person(40, id_override="4.20117E+17", raw="4.20117E+17")
    pl.pay(sci, "P15", 80)
    pl.expect("R19", sci, "P15", "Excel scientific notation")
    body = "42010319800230001"
    feb30 = pl.person(40, id_override=body + idnumber.check_char(body))
    pl.pay(feb30, "P15", 80)
    pl.expect("R19", feb30, "P15", "birth date 1980-02-30")
    legacy = pl.person(64, id_override=idnumber.upgrade_15("420103600101001"), raw="420103600101001")
    pl.pay(legacy, "P15", 80)
    lower = pl.person(40)
    if lower.id.endswith("X"):
        lower.raw = lower.id[:-1] + "x"
    pl.pay(lower, "P15", 80)

    # R20 household registration elsewhere
    a = pl.person(82, district="420112")
    pl.pay(a, "P04", 100, region="420106")
    pl.expect("R20", a, "P04", "paid in 420106, registered in 420112")

    # R21 cadre relative joined 2 months before the benefit; control joined 7 months before
    cadre = pl.person(52)
    pl.add("cadres", person_id=cadre.id, role="村党支部书记", village_code="420103002", valid_from=d("2016-01-01"))
    head = pl.person(60)
    newcomer = pl.person(35, household=head, relation="其他", joined=d(f"{y - 1}-11-15"))
    pl.add("cadre_relatives", cadre_id=cadre.id, relative_id=newcomer.id, relation="兄弟姐妹", filed=True)
    pl.pay(head, "P01", 1600)
    pl.expect("R21", newcomer, "P01", "cadre's sibling joined Nov, 低保 from Jan")
    head = pl.person(61)
    earlier = pl.person(36, household=head, relation="其他", joined=d(f"{y - 1}-06-01"))
    pl.add("cadre_relatives", cadre_id=cadre.id, relative_id=earlier.id, relation="兄弟姐妹", filed=True)
    pl.pay(head, "P01", 1600)

    # R22 prison term inside the year
    a = pl.person(35)
    pl.pay(a, "P15", 80)
    pl.add("prisoners", person_id=a.id, valid_from=d(f"{y}-03-10"), valid_to=d(f"{y}-09-30"))
    pl.expect("R22", a, "P15", "imprisoned Mar–Sep")

    # R23 housing repair twice; repair plus relocation
    for expect_note, programs in (("危房改造 twice", ("P11", "P11")), ("危房改造 and 易地搬迁", ("P11", "P12"))):
        a = pl.person(58, district="420116")
        pl.add(
            "poverty_roster", person_id=a.id, household_id=a.household_id, status="脱贫户", valid_from=d("2015-01-01")
        )
        pl.pay(a, programs[0], 20000, [5])
        pl.pay(a, programs[1], 25000, [10], tag="-2")
        pl.expect("R23", a, "P11", expect_note)

    # R24 poverty benefit without roster record
    a = pl.person(40)
    pl.pay(a, "P09", 800)
    pl.expect("R24", a, "P09", "welfare job, not on the poverty roster")

    # R25 roster member who is a public servant / owns a car
    a = pl.person(35, district="420114")
    pl.add("poverty_roster", person_id=a.id, household_id=a.household_id, status="脱贫户", valid_from=d("2015-01-01"))
    pl.add("public_servants", person_id=a.id, name=a.name, employer="区教育局", valid_from=d("2019-09-01"))
    pl.expect("R25", a, None, "roster member is a teacher")
    a = pl.person(36, district="420114")
    pl.add("poverty_roster", person_id=a.id, household_id=a.household_id, status="脱贫户", valid_from=d("2015-01-01"))
    pl.add("vehicles", owner_id=a.id, plate="鄂A9X002", vehicle_type="小型越野客车", registered_on=d("2021-07-01"))
    pl.expect("R25", a, None, "roster member owns an SUV")

    # R26 declared above contracted area; amount above contract × rate
    a = pl.person(60, district="420117")
    pl.add("farmland", person_id=a.id, region_code="420117", contract_area=10.0, declared_area=12.0)
    pl.pay(a, "P14", 1440, [4])
    pl.expect("R26", a, "P14", "declared 12 mu, contract 10")
    a = pl.person(61, district="420117")
    pl.add("farmland", person_id=a.id, region_code="420117", contract_area=10.0, declared_area=10.0)
    pl.pay(a, "P14", 2000, [4])
    pl.expect("R26", a, "P14", "2000 > 10 mu × 120")

    # R27 medical aid above own cost; aid without any cost
    a = pl.person(66)
    pl.pay(a, "P13", 1000, [5])
    pl.add("medical_costs", person_id=a.id, case_id="MC-PL-1", period=f"{y}-05", total_cost=800, insurance_paid=500)
    pl.expect("R27", a, "P13", "aid 1000, own cost 300")
    a = pl.person(67)
    pl.pay(a, "P13", 500, [7])
    pl.expect("R27", a, "P13", "aid without a cost record")

    # R28 care allowance after the disability record ended
    a = pl.person(50)
    pl.add("disabilities", person_id=a.id, grade=1, kind="肢体", valid_from=d("2016-01-01"), valid_to=d(f"{y}-03-31"))
    pl.pay(a, "P06", 100)
    pl.expect("R28", a, "P06", "record ended March")

    # R29 two households at once
    a = pl.person(40)
    pl.add("households", household_id="HP-OTHER-1", person_id=a.id, relation="子女", valid_from=d(f"{y - 1}-01-01"))
    pl.expect("R29", a, None, "member of two households since last year")

    # R30 disabled 低保 member without 生活补贴; 84-year-old without 高龄津贴 (control: died)
    head = pl.person(57)
    member = pl.person(30, household=head, relation="子女")
    pl.add("disabilities", person_id=member.id, grade=3, kind="智力", valid_from=d("2016-01-01"))
    pl.pay(head, "P01", 1600)
    pl.expect("R30", member, "P05", "disabled 低保 member, no living allowance")
    a = pl.person(84)
    pl.expect("R30", a, "P04", "84 years old, never paid 高龄津贴")
    c = pl.person(84)
    pl.add("deaths", person_id=c.id, name=c.name, death_date=d(f"{y - 1}-03-03"), source="公安户籍")
