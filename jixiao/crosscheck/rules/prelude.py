"""Shared views every rule may read, in the DuckDB dialect (portable to Spark through sqlglot).

Order matters: a view may read the ones before it. Tables of the layout are views too
(empty when the file is absent), so these always resolve.
"""

from __future__ import annotations

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
    "pay": """
        SELECT q.*, last_day(q.period_start) AS period_end
        FROM (
            SELECT p.payment_id, p.payee_id AS person_id, p.payee_id_raw AS person_id_raw,
                   p.payee_name AS person_name, p.program, g.kind, g.per,
                   coalesce(g.means_tested, false) AS means_tested,
                   coalesce(g.poverty_targeted, false) AS poverty_targeted,
                   p.region_code, p.period, p.amount, p.account_no, p.account_holder_id,
                   p.household_id, p.paid_on,
                   CAST(p.period || '-01' AS DATE) AS period_start,
                   CAST(substr(p.period, 1, 4) AS INTEGER) * 12 + CAST(substr(p.period, 6, 2) AS INTEGER) AS pm
            FROM payments p
            LEFT JOIN prog g ON g.program = p.program
        ) q
    """,
    "std": """
        SELECT program, coalesce(region_prefix, '') AS region_prefix, valid_from, valid_to, param, value
        FROM standards
    """,
    # one row per (program, region, month) paid: the cheap grain for resolving standards
    "pay_key": """
        SELECT DISTINCT program, region_code, period, period_start, period_end FROM pay
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
        SELECT p.payment_id, p.person_id AS member_id
        FROM pay p WHERE p.kind IN ('dibao', 'tekun')
        UNION
        SELECT p.payment_id, m.person_id AS member_id
        FROM pay p
        JOIN households h ON h.person_id = p.person_id AND {active("h")}
        JOIN households m ON m.household_id = h.household_id AND {active("m")}
        WHERE p.kind IN ('dibao', 'tekun')
    """,
}
