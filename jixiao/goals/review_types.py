"""Plain inputs and outputs of the goal normative review (规范性审核, DOMAIN.md §3, codes G01–G16).

The field names follow the stateless HTTP API body one to one: {"category", "year", "style", "budget",
"overall_goal", "indicators": [{"level1", "level2", "name", "operator", "target", "unit", "weight", "core"}]}.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class IndicatorDraft:
    """One row of a goal's indicator table (三级指标) as the unit filled it."""

    level1: str = ""
    level2: str = ""
    name: str = ""
    operator: str | None = None
    target: str | float | None = None
    unit: str = ""
    weight: float | None = None
    core: bool = False
    library_code: str | None = None
    # Reviews look drafts up by value (memoised prepared rows): hash the fields once, not on every lookup.
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        fields = (self.level1, self.level2, self.name, self.operator, self.target, self.unit, self.weight, self.core,
                  self.library_code)  # fmt: skip
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndicatorDraft:
        """Builds a draft from an API object; odd types become blanks instead of raising."""
        target = data.get("target")
        return cls(
            level1=_text(data.get("level1")),
            level2=_text(data.get("level2")),
            name=_text(data.get("name")),
            operator=_text(data.get("operator")) or None,
            target=target if isinstance(target, int | float | str) and not isinstance(target, bool) else None,
            unit=_text(data.get("unit")),
            weight=_number(data.get("weight")),
            core=data.get("core") in (True, "true", "是", "★★★", 1),
            library_code=_text(data.get("library_code")) or None,
        )


@dataclass(frozen=True)
class GoalDraft:
    """A performance goal (绩效目标) awaiting review.

    `budget` is in 万元. `style` "88"/"101" (None: derived from `year`). `region_population` is the
    registered population of the project area when known (G14). `weight_total` is the scoring profile's
    indicator total (central-2020: 90 = 产出 50 + 效益 30 + 满意度 10; None skips G15).
    """

    category: str = ""
    year: int | None = None
    style: str | None = None
    budget: float | None = None
    overall_goal: str = ""
    indicators: Sequence[IndicatorDraft] = ()
    region_population: int | None = None
    weight_total: float | None = 90.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, weight_total: float | None = 90.0) -> GoalDraft:
        """Builds a goal from the API body; unknown keys are ignored, odd types become blanks."""
        rows = data.get("indicators")
        rows = rows if isinstance(rows, list) else []
        year = _number(data.get("year"))
        population = _number(data.get("region_population"))
        style = _text(data.get("style"))
        return cls(
            category=_text(data.get("category")),
            year=int(year) if year is not None else None,
            style=style or None,
            budget=_number(data.get("budget")),
            overall_goal=_text(data.get("overall_goal")),
            indicators=tuple(IndicatorDraft.from_dict(r) for r in rows if isinstance(r, Mapping)),
            region_population=int(population) if population is not None else None,
            weight_total=weight_total,
        )


@dataclass(frozen=True)
class Finding:
    """One review finding: its G-code, severity, the 0-based indicator index (None: whole goal),
    a Chinese message naming the indicator and values, and the evidence behind it."""

    code: str
    severity: str
    message: str
    indicator: int | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, *, evidence: bool = False) -> dict[str, Any]:
        """Returns the API shape {"code", "severity", "indicator", "message"} (+ "evidence" on request)."""
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "indicator": self.indicator,
            "message": self.message,
        }
        if evidence:
            data["evidence"] = dict(self.evidence)
        return data


@dataclass(frozen=True)
class ReviewSettings:
    """Thresholds and word lists of the review (settings, per DOMAIN: «Thresholds are settings»)."""

    cost_tolerance: float = 0.20  # G12: ± share of the budget
    weight_tolerance: float = 0.01  # G15: rounding slack in points
    vague_words: tuple[str, ...] = ("提高", "改善", "显著", "有效", "明显")  # G09, DOMAIN list
    grading_words: tuple[str, ...] = (  # G16: a qualitative target must contain one of these …
        "达到", "达成", "完成", "实现", "建成", "建立", "提升至", "提高至", "不低于", "优", "良", "中等", "一般",
        "较差", "好", "合格", "达标", "符合", "等级",
    )  # fmt: skip
    grading_answers: tuple[str, ...] = ("是", "否")  # … or be exactly one of these
    beneficiary_words: tuple[str, ...] = ("受益", "带动", "惠及", "覆盖", "帮助", "帮扶")  # G14


def _text(value: Any) -> str:
    if value is None or isinstance(value, Mapping | list):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
