"""The library between its two homes: the shipped constants (library_data) and the database rows.

`seed_library` writes the constants into the database (data migration, tests); `db_library(year)` builds the
review's `LibraryView` from the rows, so edits made by 预算绩效管理处 take effect in the normative review.
"""

from __future__ import annotations

from typing import Any

from jixiao.indicators import library_data as data


def seed_library(category_model: Any, template_model: Any) -> int:
    """Creates missing categories and templates from the constants; returns the number of template rows added."""
    categories = _ensure_categories(category_model)
    existing = set(template_model.objects.values_list("code", "category_id", "valid_from"))
    rows = []
    for sort, template in enumerate(data.TEMPLATES):
        for code in template.categories:
            category = None if code == data.COMMON else categories.get(code)
            if code != data.COMMON and category is None:
                continue
            valid_from = category.valid_from if category else 2018
            if (template.code, category.pk if category else None, valid_from) in existing:
                continue
            rows.append(template_model(**template_fields(template), category=category, sort=sort,
                                       valid_from=valid_from, valid_to=category.valid_to if category else None))  # fmt: skip
    template_model.objects.bulk_create(rows)
    return len(rows)


def _ensure_categories(category_model: Any) -> dict[str, Any]:
    found = {c.code: c for c in category_model.objects.all()}
    for sort, spec in enumerate(data.CATEGORIES):
        if spec.code in found:
            continue
        found[spec.code] = category_model.objects.create(
            code=spec.code,
            name=spec.name,
            taxonomy=spec.taxonomy,
            parent=found.get(spec.parent) if spec.parent else None,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            common_indicators=spec.common_indicators,
            sort=sort,
        )
    return found


def template_fields(template: data.IndicatorTemplate) -> dict[str, Any]:
    """Returns the model field values of a shipped template (without category and years)."""
    low, high = template.plausible_range or (None, None)
    policy = template.policy_standard
    default = template.default_target
    return {
        "code": template.code,
        "name": template.name,
        "level1": template.level1,
        "level2": template.level2,
        "level1_101": template.level1_101,
        "level2_101": template.level2_101,
        "unit": template.unit,
        "operator": template.operator,
        "default_target": "" if default is None else _plain(default),
        "range_low": low,
        "range_high": high,
        "core": template.core,
        "explanation": template.explanation,
        "data_source": template.data_source,
        "policy_value": policy.value if policy else None,
        "policy_operator": policy.operator if policy else "",
        "policy_unit": policy.unit if policy else "",
        "policy_basis": policy.basis if policy else "",
        "aliases": "、".join(template.aliases),
    }


def _plain(value: float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def db_library(year: int | None = None) -> data.LibraryView:
    """Returns the review's library built from database rows valid in `year` (every row when None)."""
    from jixiao.indicators.models import IndicatorTemplate
    from jixiao.projects.models import Category

    categories = list(Category.objects.select_related("parent").order_by("sort", "code"))
    rows = IndicatorTemplate.objects.select_related("category").order_by("sort", "code", "id")
    grouped: dict[str, list[IndicatorTemplate]] = {}
    for row in rows:
        if year is None or row.valid_in(year):
            grouped.setdefault(row.code, []).append(row)
    return data.LibraryView(
        categories=tuple(_category(c) for c in categories),
        templates=tuple(_template(group) for group in grouped.values()),
    )


def _category(row: Any) -> data.Category:
    parent = row.parent.code if row.parent_id and row.parent else None
    return data.Category(row.code, row.name, row.taxonomy, row.valid_from, row.valid_to, parent, row.common_indicators)


def _template(rows: list[Any]) -> data.IndicatorTemplate:
    first = rows[0]
    codes = tuple(dict.fromkeys(r.category.code if r.category_id else data.COMMON for r in rows))
    plausible = None
    if first.range_low is not None and first.range_high is not None:
        plausible = (first.range_low, first.range_high)
    policy = None
    if first.policy_value is not None and first.policy_operator:
        policy = data.PolicyStandard(first.policy_value, first.policy_operator, first.policy_unit, first.policy_basis)
    return data.IndicatorTemplate(
        code=first.code,
        name=first.name,
        categories=codes,
        level1=first.level1,
        level2=first.level2,
        level1_101=first.level1_101,
        level2_101=first.level2_101,
        unit=first.unit,
        operator=first.operator,
        default_target=_target(first.default_target),
        plausible_range=plausible,
        core=first.core,
        explanation=first.explanation,
        data_source=first.data_source,
        policy_standard=policy,
        aliases=tuple(a for a in first.aliases.split("、") if a),
    )


def _target(text: str) -> float | str | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text
