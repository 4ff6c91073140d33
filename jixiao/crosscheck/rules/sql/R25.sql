-- R25 建档立卡户有财政供养人员、车辆或企业: one clue per roster member found in another registry
WITH found AS (
    SELECT r.person_id, r.household_id, 'public_servant' AS found, s.employer AS detail
    FROM poverty_roster r
    JOIN public_servants s ON s.person_id = r.person_id
        AND (s.valid_from IS NULL OR r.valid_to IS NULL OR s.valid_from <= r.valid_to)
        AND (r.valid_from IS NULL OR s.valid_to IS NULL OR r.valid_from <= s.valid_to)
    UNION ALL
    SELECT r.person_id, r.household_id, 'vehicle' AS found, v.plate AS detail
    FROM poverty_roster r
    JOIN vehicles v ON v.owner_id = r.person_id AND coalesce(v.vehicle_type, '') NOT LIKE '%残疾%'
        AND (r.valid_to IS NULL OR v.registered_on IS NULL OR v.registered_on <= r.valid_to)
    UNION ALL
    SELECT r.person_id, r.household_id, 'company' AS found, c.company_name AS detail
    FROM poverty_roster r
    JOIN companies c ON c.person_id = r.person_id
        AND c.role IN ('legal_rep', 'shareholder', 'sole_trader')
        AND coalesce(c.status, '') NOT IN ('注销', '吊销', '撤销', '迁出', 'cancelled', 'revoked', 'closed')
)
SELECT person_id, CAST(NULL AS VARCHAR) AS person_name, CAST(NULL AS VARCHAR) AS program,
       CAST(NULL AS VARCHAR) AS region_code, CAST(NULL AS VARCHAR) AS period,
       CAST(0 AS DECIMAL(18, 2)) AS amount_at_risk,
       {'household_id': household_id, 'found': found, 'detail': detail} AS evidence
FROM found
