-- R16 一卡多人或领取人非本人: one account paid for several people's per-person subsidies in a month,
-- or the account holder is not the payee of a per-person program
WITH candidate AS (  -- accounts used by several payees at all (few groups), then checked per month
    SELECT account_no
    FROM pay
    WHERE per = 'person' AND account_no IS NOT NULL
    GROUP BY account_no
    HAVING min(person_id) <> max(person_id)
), shared AS (
    SELECT p.account_no, p.period, count(DISTINCT p.person_id) AS payees
    FROM pay p
    JOIN candidate c ON c.account_no = p.account_no
    WHERE p.per = 'person'
    GROUP BY p.account_no, p.period
    HAVING count(DISTINCT p.person_id) > ${max_payees_per_account}
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'account_no': p.account_no,
        'account_holder_id': p.account_holder_id, 'payees_on_account': s.payees} AS evidence
FROM pay p
LEFT JOIN shared s ON s.account_no = p.account_no AND s.period = p.period
WHERE p.per = 'person'
  AND (s.account_no IS NOT NULL OR (p.account_holder_id IS NOT NULL AND p.account_holder_id <> p.person_id))
