-- R17 他人代领未备案: the account holder is someone else and no filed proxy record covers the month
SELECT p.person_id, p.person_name, p.program, p.region_code, p.period, p.amount AS amount_at_risk,
       {'payment_id': p.payment_id, 'period': p.period, 'amount': p.amount,
        'account_holder_id': p.account_holder_id, 'account_no': p.account_no} AS evidence
FROM pay p
WHERE p.account_holder_id IS NOT NULL AND p.account_holder_id <> p.person_id
  AND NOT EXISTS (
      SELECT 1 FROM proxies x
      WHERE x.payee_id = p.person_id AND x.proxy_id = p.account_holder_id AND coalesce(x.filed, false)
        AND (x.program IS NULL OR x.program = p.program) AND @active(x, p)
  )
