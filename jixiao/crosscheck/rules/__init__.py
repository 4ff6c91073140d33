"""Cross-check rules R01–R30 (see ``catalog``)."""

from jixiao.crosscheck.rules.catalog import RULES, RULES_BY_CODE, SEVERITY_LABELS, Rule, select_rules, wrap_sql

__all__ = ["RULES", "RULES_BY_CODE", "SEVERITY_LABELS", "Rule", "select_rules", "wrap_sql"]
