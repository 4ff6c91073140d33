"""The scoring-profile form: the profile dict as form rows (allocations, tiers, grades) and back from a POST.

The fields map one to one to the JSON layout of docs/scoring.md; validation is `profiles.profile_from_dict`'s, so
the form, the API and the JSON all refuse the same things with the same Chinese sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from jixiao.selfeval.profiles import CATCH_ALL, TIERS

EXTRA_ALLOCATIONS = 3
EXTRA_GRADES = 2
MAX_ROWS = 30
SCALARS = ("code", "name", "execution_weight", "indicator_total", "over_achievement", "explanation_rate")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def form_rows(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the template's rows for a profile dict (stored, copied or as posted), with blank rows to add more."""
    allocations = [_allocation_row(a) for a in data.get("allocations") or [] if isinstance(a, Mapping)]
    tiers_by_name = {t.get("tier"): t for t in data.get("tiers") or [] if isinstance(t, Mapping)}
    tiers = [
        {"tier": tier, **{k: _text(tiers_by_name.get(tier, {}).get(k)) for k in ("low", "high", "default")}}
        for tier in TIERS
    ]
    grades = [
        {"grade": _text(g.get("grade")), "min": _text(g.get("min"))}
        for g in data.get("grades") or []
        if isinstance(g, Mapping)
    ]
    blank_allocation = {"name": "", "weight": "", "min": "", "max": "", "level1": ""}
    return {
        **{key: _text(data.get(key)) for key in SCALARS},
        "allocations": allocations + [dict(blank_allocation) for _ in range(EXTRA_ALLOCATIONS)],
        "tiers": tiers,
        "grades": grades + [{"grade": "", "min": ""} for _ in range(EXTRA_GRADES)],
    }


def _allocation_row(allocation: Mapping[str, Any]) -> dict[str, str]:
    """A form row; a fixed allocation (min = max = default) shows no range, so editing the default is enough."""
    weight, low, high = (_text(allocation.get(k)) for k in ("weight", "min", "max"))
    fixed = low in ("", weight) and high in ("", weight)
    return {
        "name": _text(allocation.get("name")),
        "weight": weight,
        "min": "" if fixed else low,
        "max": "" if fixed else high,
        "level1": "、".join(allocation.get("level1") or []),
    }


def _count(post: QueryDict, name: str) -> int:
    try:
        return max(0, min(int(post.get(name, "0")), MAX_ROWS))
    except ValueError:
        return 0


def _level1(text: str) -> list[str] | None:
    names = [n for n in re.split(r"[、,,;;\s]+", text.strip()) if n]
    return names or None


def profile_data(post: QueryDict) -> dict[str, Any]:
    """Return the profile dict a POST describes (blank rows dropped, blank optional numbers left out)."""
    data: dict[str, Any] = {key: post.get(key, "").strip() for key in SCALARS}
    for key in ("over_achievement", "explanation_rate"):
        if not data[key]:
            del data[key]  # optional: the central default applies
    allocations = []
    for i in range(_count(post, "allocation_count")):
        row = {k: post.get(f"allocation_{k}_{i}", "").strip() for k in ("name", "weight", "min", "max", "level1")}
        if not any(row.values()):
            continue
        item: dict[str, Any] = {"name": row["name"], "weight": row["weight"]}
        item.update({k: row[k] for k in ("min", "max") if row[k]})
        level1 = _level1(row["level1"])
        if level1:
            item["level1"] = [CATCH_ALL if n == CATCH_ALL else n for n in level1]
        allocations.append(item)
    data["allocations"] = allocations
    data["tiers"] = [
        {"tier": tier, **{k: post.get(f"tier_{k}_{i}", "").strip() for k in ("low", "high", "default")}}
        for i, tier in enumerate(TIERS)
    ]
    grades = []
    for i in range(_count(post, "grade_count")):
        grade, minimum = post.get(f"grade_name_{i}", "").strip(), post.get(f"grade_min_{i}", "").strip()
        if grade or minimum:
            grades.append({"grade": grade, "min": minimum})
    data["grades"] = grades
    return data
