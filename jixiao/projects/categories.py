"""The category dictionary, seeded from the indicator library's categories (both taxonomies, versioned by year)."""

from __future__ import annotations

from typing import Any


def sync_categories(category_model: Any = None) -> int:
    """Create or update every library category; return how many there are. Migrations pass the historical model."""
    from jixiao.indicators.library_data import CATEGORIES

    if category_model is None:
        from jixiao.projects.models import Category as category_model
    by_code: dict[str, Any] = {}
    for sort, spec in enumerate(CATEGORIES):
        category, _ = category_model.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "taxonomy": spec.taxonomy,
                "parent": by_code.get(spec.parent) if spec.parent else None,
                "valid_from": spec.valid_from,
                "valid_to": spec.valid_to,
                "common_indicators": spec.common_indicators,
                "sort": sort,
            },
        )
        by_code[spec.code] = category
    return len(by_code)
