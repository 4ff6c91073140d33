-- R16 一卡多人或领取人非本人: one account paid for several people's per-person subsidies in a month,
-- or the account holder is not the payee of a per-person program
WITH shared AS (
    SELECT account_no, period, count(DISTINCT person_id) AS payees
    FROM pay
    WHERE per = 'person' AND account_no IS NOT NULL
    GROUP BY account_no, period
    HAVING count(DISTINCT person_id) > ${max_payees_per_account}
)
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount, 'account_no': p.account_no,
        'account_holder_id': p.account_holder_id, 'payees_on_account': s.payees} AS evidence
FROM pay p
LEFT JOIN shared s ON s.account_no = p.account_no AND s.period = p.period
WHERE p.per = 'person'
  AND (s.account_no IS NOT NULL OR (p.account_holder_id IS NOT NULL AND p.account_holder_id <> p.person_id))
