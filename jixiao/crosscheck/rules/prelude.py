"""Shared views every rule may read, in the DuckDB dialect (portable to Spark through sqlglot).

Order matters: a view may read the ones before it. Tables of the layout are views too
(empty when the file is absent), so these always resolve. Views in ``MATERIALIZED`` are
computed once per run (a table in DuckDB, a cached frame in Spark), and only when a selected
rule needs them (``needed_views``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jixiao.crosscheck.idnumber import sql_birth_date, sql_id_problem

# "active in the payment's month" for a registry row x and a payment p
ACTIVE = "({x}.valid_from IS NULL OR {x}.valid_from <= {p}.period_end) AND ({x}.valid_to IS NULL OR {x}.valid_to >= {p}.period_start)"


def active(x: str, p: str = "p") -> str:
    """SQL condition: registry row ``x`` is valid during payment ``p``'s month."""
    return ACTIVE.format(x=x, p=p)


PRELUDE_VIEWS: dict[str, str] = {
    "prog": """
        SELECT program, name, kind, per,
               coalesce(means_tested, false) AS means_tested,
               coalesce(poverty_targeted, false) AS poverty_targeted
        FROM programs
    """,
    # one row per month paid, with the month's dates (cheap grain for date arithmetic)
    "months": """
        SELECT period, period_start, last_day(period_start) AS period_end,
               year(period_start) * 12 + month(period_start) AS pm
        FROM (SELECT period, CAST(period || '-01' AS DATE) AS period_start
              FROM (SELECT DISTINCT period FROM payments) d) q
    """,
    # payments with the program's kind and flags and the month's dates
    "pay": """
        SELECT p.payment_id, p.payee_id AS person_id,
               p.payee_name AS person_name, p.program, g.kind, g.per,
               coalesce(g.means_tested, false) AS means_tested,
               coalesce(g.poverty_targeted, false) AS poverty_targeted,
               p.region_code, p.period, p.amount, p.account_no, p.account_holder_id,
               p.household_id, p.paid_on, m.period_start, m.period_end, m.pm
        FROM payments p
        JOIN months m ON m.period = p.period
        LEFT JOIN prog g ON g.program = p.program
    """,
    "std": """
        SELECT program, coalesce(region_prefix, '') AS region_prefix, valid_from, valid_to, param, value
        FROM standards
    """,
    # one row per (program, region, month) paid: the grain for resolving standards
    "pay_key": """
        SELECT k.program, g.kind, k.region_code, k.period, m.period_start, m.period_end,
               year(m.period_end) * 10000 + month(m.period_end) * 100 + day(m.period_end) AS period_end_int
        FROM (SELECT DISTINCT program, region_code, period FROM payments) k
        JOIN months m ON m.period = k.period
        LEFT JOIN prog g ON g.program = k.program
    """,
    # the standard in force for each paid (program, region, month): longest prefix, latest start
    "std_at": f"""
        SELECT program, region_code, period, param, value
        FROM (
            SELECT k.program, k.region_code, k.period, s.param, s.value,
                   row_number() OVER (
                       PARTITION BY k.program, k.region_code, k.period, s.param
                       ORDER BY length(s.region_prefix) DESC, s.valid_from DESC NULLS LAST, s.value DESC
                   ) AS rn
            FROM pay_key k
            JOIN std s ON s.program = k.program
                AND substr(k.region_code, 1, length(s.region_prefix)) = s.region_prefix
                AND {active("s", "k")}
        ) r
        WHERE rn = 1
    """,
    # members (payee included) of the payee's household in the month of each 低保/特困 payment
    "pay_member": f"""
        SELECT p.payment_id, p.period, p.person_id AS member_id
        FROM pay p WHERE p.kind IN ('dibao', 'tekun')
        UNION
        SELECT p.payment_id, p.period, m.person_id AS member_id
        FROM pay p
        JOIN households h ON h.person_id = p.person_id AND {active("h")}
        JOIN households m ON m.household_id = h.household_id AND {active("m")}
        WHERE p.kind IN ('dibao', 'tekun')
    """,
    # (payee, program, month) paid more than once: grouped on a hash of the key first (one integer
    # per row is far cheaper to group than three strings), then counted exactly on the few candidates
    "pay_repeats": """
        SELECT p.payee_id AS person_id, p.program, p.period, count(*) AS payments,
               min(p.region_code) AS first_region, count(DISTINCT p.region_code) AS regions
        FROM payments p
        JOIN (SELECT hash(payee_id, program, period) AS dup_key FROM payments
              GROUP BY hash(payee_id, program, period) HAVING count(*) > 1) c
            ON c.dup_key = hash(p.payee_id, p.program, p.period)
        GROUP BY p.payee_id, p.program, p.period
        HAVING count(*) > 1
    """,
    "payees": """
        SELECT DISTINCT person_id FROM pay
    """,
    # the invalid payee IDs only, with the reason (computed once per distinct ID)
    "id_problems": f"""
        SELECT person_id, problem
        FROM (
            SELECT person_id, {sql_id_problem("person_id", "n", "birth")} AS problem
            FROM (
                SELECT person_id, TRY_CAST(substr(person_id, 1, 17) AS BIGINT) AS n,
                       {sql_birth_date("person_id")} AS birth
                FROM payees
            ) c
        ) q
        WHERE problem IS NOT NULL
    """,
}

MATERIALIZED = frozenset({"pay", "pay_key", "std_at", "pay_member", "pay_repeats", "payees", "id_problems"})
# copying all payments pays off only when enough rules scan them; a few rules read the Parquet directly
MIN_READERS = {"pay": 4}


def _references(sql: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", sql) is not None


def materialize(name: str, sources: list[str]) -> bool:
    """Whether a needed prelude view should be computed once rather than inlined, for these rule texts."""
    if name not in MATERIALIZED:
        return False
    readers = sum(1 for sql in sources if name in needed_views([sql]))
    return readers >= MIN_READERS.get(name, 1)


def needed_views(sources: Iterable[str]) -> list[str]:
    """Return the prelude views (in creation order) that the given rule SQL texts read, directly or not."""
    needed: set[str] = set()
    pending = list(sources)
    while pending:
        sql = pending.pop()
        for name, body in PRELUDE_VIEWS.items():
            if name not in needed and _references(sql, name):
                needed.add(name)
                pending.append(body)
    return [name for name in PRELUDE_VIEWS if name in needed]
