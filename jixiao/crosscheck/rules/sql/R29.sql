-- R29 同一人同时在两个家庭: overlapping memberships of two households
SELECT a.person_id, CAST(NULL AS VARCHAR) AS person_name, CAST(NULL AS VARCHAR) AS program,
       CAST(NULL AS VARCHAR) AS region_code, CAST(NULL AS VARCHAR) AS period,
       CAST(0 AS DECIMAL(18, 2)) AS amount_at_risk,
       {'household_id': a.household_id, 'from': a.valid_from, 'to': a.valid_to,
        'other_household_id': b.household_id, 'other_from': b.valid_from, 'other_to': b.valid_to} AS evidence
FROM households a
JOIN households b ON b.person_id = a.person_id AND a.household_id < b.household_id
    AND (a.valid_from IS NULL OR b.valid_to IS NULL OR a.valid_from <= b.valid_to)
    AND (b.valid_from IS NULL OR a.valid_to IS NULL OR b.valid_from <= a.valid_to)
