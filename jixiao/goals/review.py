"""Automatic normative review of a performance goal (规范性审核): checks G01–G16 of DOMAIN.md §3.

Each check is declared once in `CHECKS` with its code, severity and title; its function reads a prepared
`GoalContext` and returns hits (or `Skip` when it cannot apply). `evaluate` gives one outcome per check,
`run_checks` the flat list of findings. Nothing here raises on odd input. See docs/goal-review.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jixiao.goals.review_types import ERROR, WARNING, Finding, GoalDraft, IndicatorDraft, ReviewSettings
from jixiao.indicators.library_data import (
    COST_LEVEL2,
    DIMENSIONS,
    STYLE_88,
    Category,
    IndicatorTemplate,
    LibraryView,
    default_library,
    name_variants,
    normalize_level,
    style_for_year,
)
from jixiao.indicators.values import (
    EQ,
    GE,
    LE,
    QUALITATIVE,
    ParsedValue,
    canonical_unit,
    convert,
    format_number,
    normalize_operator,
    parse_target,
    split_unit,
)

_QUANTITATIVE = (GE, LE, EQ)
_MONEY_SCALE = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}


@dataclass(frozen=True)
class Row:
    """An indicator prepared for the checks: normalised levels, effective operator and unit, parse, match."""

    index: int
    draft: IndicatorDraft
    level1: str
    level2: str
    name: str
    operator: str | None
    operator_problem: str | None  # "missing" | "invalid" | "conflict"
    parsed: ParsedValue
    unit: str
    template: IndicatorTemplate | None
    keys: frozenset[str] = frozenset()  # name_variants(name)
    full_key: str = ""  # the longest of them: brackets dropped, their words kept
    template_named: bool = False  # full_key is one of the template's names (G11's "two names of one template")
    # Targets converted to a unit (`_value_in`): a prepared row is shared by every goal that repeats it.
    converted: dict[str, float | None] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def quantitative(self) -> bool:
        if self.operator is None:
            return self.parsed.is_quantitative
        return self.operator in _QUANTITATIVE

    @property
    def who(self) -> str:
        return f"第{self.index + 1}项指标「{self.name or '(未命名)'}」"

    def item_unit(self, item_unit: str) -> str:
        return item_unit or self.unit


@dataclass(frozen=True)
class GoalContext:
    goal: GoalDraft
    style: str
    category: Category | None
    rows: tuple[Row, ...]
    library: LibraryView
    settings: ReviewSettings


@dataclass(frozen=True)
class Hit:
    indicator: int | None
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """A check that cannot apply to this goal, with the reason in Chinese."""

    reason: str


CheckFunc = Callable[[GoalContext], "list[Hit] | Skip"]


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    title: str
    func: CheckFunc


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check: status "pass", "fail" or "skip", its findings, and a skip note."""

    code: str
    severity: str
    title: str
    status: str
    findings: tuple[Finding, ...] = ()
    note: str = ""


def prepare(goal: GoalDraft, library: LibraryView, settings: ReviewSettings) -> GoalContext:
    """Returns the goal with its style, category and rows resolved once for all checks."""
    style = goal.style if goal.style in DIMENSIONS else (style_for_year(goal.year) if goal.year else STYLE_88)
    category = library.category(goal.category, goal.year)
    code = category.code if category else None
    # A prepared row depends only on its position, the draft, the category and the library: batches repeat them.
    rows = []
    for i, draft in enumerate(goal.indicators):
        key = ("review-row", i, draft, code)
        row = library.recall(key)
        rows.append(row if row is not None else library.remember(key, _prepare_row(i, draft, library, code)))
    return GoalContext(goal, style, category, tuple(rows), library, settings)


def _prepare_row(index: int, draft: IndicatorDraft, library: LibraryView, category: str | None) -> Row:
    level1, level2, name = normalize_level(draft.level1), normalize_level(draft.level2), draft.name.strip()
    parsed = parse_target(draft.target, level1=level1, level2=level2, name=name)
    stated = normalize_operator(draft.operator) if draft.operator else None
    written = parsed.operator if parsed.operator_explicit else None
    operator, problem = stated or written, None
    if draft.operator and stated is None:
        problem = "invalid"
    elif operator is None:
        problem = "missing"
    elif stated and written and stated != written:
        problem = "conflict"
    unit = canonical_unit(draft.unit) or parsed.unit
    template = library.match(name, category, draft.library_code)
    keys, full_key = name_variants(name), _full_key(name)
    named = template is not None and full_key in template.match_keys()
    return Row(index, draft, level1, level2, name, operator, problem, parsed, unit, template, keys, full_key, named)


def evaluate(
    goal: GoalDraft, library: LibraryView | None = None, *, settings: ReviewSettings | None = None
) -> list[CheckOutcome]:
    """Returns one outcome per check in `CHECKS`, in code order."""
    context = prepare(goal, library or default_library(), settings or ReviewSettings())
    outcomes = []
    for check in CHECKS:
        result = check.func(context)
        if isinstance(result, Skip):
            outcomes.append(CheckOutcome(check.code, check.severity, check.title, "skip", note=result.reason))
            continue
        findings = tuple(Finding(check.code, check.severity, h.message, h.indicator, h.evidence) for h in result)
        status = "fail" if findings else "pass"
        outcomes.append(CheckOutcome(check.code, check.severity, check.title, status, findings))
    return outcomes


def run_checks(
    goal: GoalDraft, library: LibraryView | None = None, *, settings: ReviewSettings | None = None
) -> list[Finding]:
    """Returns every finding of the review, checks in code order, indicators in table order (the findings of
    `evaluate`, without building its outcomes: batch reviews and imports call this for every goal)."""
    context = prepare(goal, library or default_library(), settings or ReviewSettings())
    findings = []
    for check in CHECKS:
        result = check.func(context)
        if result and not isinstance(result, Skip):
            findings += [Finding(check.code, check.severity, h.message, h.indicator, h.evidence) for h in result]
    return findings


def has_blocking_errors(findings: Sequence[Finding]) -> bool:
    """True when any finding is an error: such a goal cannot be submitted (DOMAIN §3)."""
    return any(f.severity == ERROR for f in findings)


# --- G01–G03: structure -------------------------------------------------------------------------------


def _g01_overall_goal(ctx: GoalContext) -> list[Hit]:
    if (ctx.goal.overall_goal or "").strip():
        return []
    return [Hit(None, "年度总体目标未填写。", {"overall_goal": ctx.goal.overall_goal})]


def _g02_dimensions(ctx: GoalContext) -> list[Hit]:
    present = {row.level1 for row in ctx.rows}
    hits = []
    for level1 in DIMENSIONS[ctx.style]:
        if level1 in present:
            continue
        hint = "(101号样式中成本为独立的一级指标)" if level1 == "成本" else ""
        message = f"缺少一级指标「{level1}」:{ctx.style}号样式要求至少设置一项{level1}指标{hint}。"
        hits.append(Hit(None, message, {"style": ctx.style, "missing": level1, "present": sorted(present)}))
    return hits


def _g03_quantity(ctx: GoalContext) -> list[Hit]:
    if any(row.level1 == "产出" and row.level2 == "数量" for row in ctx.rows):
        return []
    return [Hit(None, "产出指标中缺少数量指标(二级指标「数量」)。", {"level1": "产出", "level2": "数量"})]


def _g04_core(ctx: GoalContext) -> list[Hit] | Skip:
    if ctx.category is None:
        return Skip(f"项目类别「{ctx.goal.category}」不在标准体系中,无法核对核心指标。")
    hits = []
    named = frozenset().union(*(row.keys for row in ctx.rows))
    for template in ctx.library.core_templates(ctx.category.code):
        if named & template.match_keys():
            continue
        unit = f"(单位:{template.unit})" if template.unit else ""
        message = f"缺少「{ctx.category.name}」类项目的★★★核心指标「{template.name}」{unit}。"
        hits.append(Hit(None, message, {"category": ctx.category.code, "template": template.code}))
    return hits


# --- G05–G11: each indicator ----------------------------------------------------------------------------


def _g05_operator_and_number(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        target = row.parsed.text
        evidence = {"operator": row.draft.operator, "target": row.parsed.raw}
        if row.operator_problem == "missing":
            message = f"{row.who}未填写指标性质(≥、≤、= 或 定性)。"
        elif row.operator_problem == "invalid":
            message = f"{row.who}的指标性质「{row.draft.operator}」无效,应为 ≥、≤、= 或 定性。"
        elif row.operator_problem == "conflict":
            message = (
                f"{row.who}的指标性质「{row.operator}」与指标值「{target}」中的符号「{row.parsed.operator}」不一致。"
            )
        elif row.quantitative and row.parsed.number is None:
            message = f"{row.who}为定量指标,但指标值「{target or '(空)'}」不是数值。"
        else:
            continue
        hits.append(Hit(row.index, message, evidence))
    return hits


def _g06_unit_missing(ctx: GoalContext) -> list[Hit]:
    return [
        Hit(row.index, f"{row.who}为定量指标,未填写计量单位。", {"unit": row.draft.unit, "target": row.parsed.raw})
        for row in ctx.rows
        if row.quantitative and not row.unit
    ]


def _g07_unit_library(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        template = row.template
        if not template or not template.unit or not row.unit or row.unit == template.unit:
            continue
        convertible = convert(1.0, row.unit, template.unit) is not None
        message = f"{row.who}的计量单位「{row.unit}」与标准体系不一致(标准单位:{template.unit})。"
        evidence = {"unit": row.unit, "library_unit": template.unit, "template": template.code}
        hits.append(Hit(row.index, message, {**evidence, "convertible": convertible}))
    return hits


def _g08_range(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        template = row.template
        if not template or not template.plausible_range or not row.parsed.is_quantitative:
            continue
        value = _value_in(row, template.unit)
        low, high = template.plausible_range
        if value is None or low - 1e-9 <= value <= high + 1e-9:
            continue
        side, verdict = ("低于", "目标偏低") if value < low else ("高于", "目标偏高")
        span = f"[{format_number(low)}, {format_number(high)}]{template.unit}"
        message = f"{row.who}的指标值{format_number(value)}{template.unit}{side}标准体系合理区间{span},{verdict}。"
        evidence = {"value": value, "unit": template.unit, "range": [low, high], "template": template.code}
        hits.append(Hit(row.index, message, {**evidence, "verdict": verdict}))
    return hits


def _g09_vague(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        if row.parsed.is_quantitative:
            continue
        words = [w for w in ctx.settings.vague_words if w in row.parsed.text or w in row.name]
        if words:
            message = f"{row.who}使用了「{'、'.join(words)}」等模糊表述且没有量化数值,请改为可衡量的目标值。"
            hits.append(Hit(row.index, message, {"words": words, "target": row.parsed.raw, "name": row.name}))
    return hits


def _g10_percentage(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        percent = row.unit == "%" or (not row.unit and ("率" in row.name or "满意度" in row.name))
        numbers = [item.number for item in row.parsed.items if item.number is not None and item.month is None]
        bad = [n for n in numbers if n < 0 or n > 100]
        if percent and bad:
            message = f"{row.who}为百分比指标,指标值{format_number(bad[0])}%超出0–100%范围。"
            hits.append(Hit(row.index, message, {"values": bad, "unit": row.unit}))
    return hits


def _g11_duplicates(ctx: GoalContext) -> list[Hit]:
    """Each row against the earliest earlier row naming the same indicator (see `_same_indicator`), in one pass:
    every way two rows can match is a key, and the first row seen under each key is remembered."""
    if _all_distinct(ctx.rows):
        return []
    hits = []
    by_full: dict[str, int] = {}  # full key → first row (equal names; an earlier full key among my variants)
    by_variant: dict[str, int] = {}  # variant → first row (my full key among an earlier row's variants)
    by_template: dict[int, int] = {}  # template → first row whose full key is one of its match keys
    for row in ctx.rows:
        full = row.full_key
        if not full:
            continue
        variants = row.keys
        candidates = [by_full[v] for v in variants if v in by_full]
        if full in by_variant:
            candidates.append(by_variant[full])
        if row.template_named and id(row.template) in by_template:
            candidates.append(by_template[id(row.template)])
        if candidates:
            earlier = ctx.rows[min(candidates)]
            message = f"{row.who}与第{earlier.index + 1}项指标「{earlier.name}」重复。"
            hits.append(Hit(row.index, message, {"duplicate_of": earlier.index, "name": row.name}))
        by_full.setdefault(full, row.index)
        for variant in variants:
            by_variant.setdefault(variant, row.index)
        if row.template_named:
            by_template.setdefault(id(row.template), row.index)
    return hits


def _all_distinct(rows: Sequence[Row]) -> bool:
    """True when no two rows can be one indicator: their name keys are pairwise disjoint and no two of them are
    full names of one template (the usual table, settled without the pass over keys)."""
    keys = [key for row in rows for key in row.keys]
    if len(set(keys)) != len(keys):
        return False
    named = [id(row.template) for row in rows if row.template_named]
    return len(named) == len(set(named))


def _same_indicator(a: Row, b: Row) -> bool:
    """True for one indicator named twice: equal names, one name being the other without its bracketed
    qualifier (受益脱贫人口数 / 受益脱贫(建档立卡)人口数), or two full names of one library template.
    种植面积(梨树) and 种植面积(桃树) stay different. (The pairwise rule that `_g11_duplicates` applies by keys.)"""
    full_a, full_b = _full_key(a.name), _full_key(b.name)
    if not full_a or not full_b:
        return False
    if full_a == full_b or full_a in name_variants(b.name) or full_b in name_variants(a.name):
        return True
    return a.template is not None and a.template == b.template and {full_a, full_b} <= a.template.match_keys()


@lru_cache(maxsize=65536)  # pure; indicator names repeat across goals
def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


@lru_cache(maxsize=65536)  # pure; indicator names repeat across goals
def _full_key(name: str) -> str:
    """Returns the name with brackets dropped but their words kept."""
    return max(name_variants(name), key=len, default="")


# --- G12–G16: consistency with budget, year, population, profile; wording ---------------------------------


def _g12_cost_budget(ctx: GoalContext) -> list[Hit] | Skip:
    budget = ctx.goal.budget
    if budget is None or budget <= 0:
        return Skip("未填写项目预算,无法核对成本指标。")
    pairs = [pair for row in ctx.rows if (pair := _cost_pair(row, ctx.rows))]
    if not pairs:
        return Skip("没有可与数量指标配对的单位成本指标。")
    implied = sum(amount for _, _, amount in pairs)
    deviation = implied / budget - 1
    if abs(deviation) <= ctx.settings.cost_tolerance + 1e-9:
        return []
    details = "、".join(
        f"{cost.name} {format_number(cost.parsed.number or 0)}{cost.unit} × {qty.name} "
        f"{format_number(qty.parsed.number or 0)}{qty.unit}"
        for cost, qty, _ in pairs
    )
    tolerance = format_number(ctx.settings.cost_tolerance * 100)
    message = (
        f"成本指标与数量指标测算的资金需求为{format_number(round(implied, 2))}万元({details}),"
        f"与项目预算{format_number(budget)}万元相差{format_number(round(deviation * 100, 1))}%,超出±{tolerance}%。"
    )
    evidence = {
        "implied_wan": round(implied, 4),
        "budget_wan": budget,
        "deviation": round(deviation, 4),
        "pairs": [{"cost": c.index, "quantity": q.index, "amount_wan": round(a, 4)} for c, q, a in pairs],
    }
    return [Hit(pairs[0][0].index, message, evidence)]


def _cost_pair(row: Row, rows: Sequence[Row]) -> tuple[Row, Row, float] | None:
    """Returns (cost row, its quantity row, implied amount in 万元) for a per-unit cost indicator.

    A per-unit cost sits under 成本 (88号 产出/成本 or 101号 成本/*) with a unit 元/X or 万元/X; its quantity is
    the first 产出/数量 indicator whose unit is X (万 prefixes convert), e.g. 元/户 × 户.
    """
    if not (row.level1 == "成本" or row.level2 in COST_LEVEL2) or row.parsed.number is None:
        return None
    money, _, denominator = row.unit.partition("/")
    cost = convert(row.parsed.number, row.item_unit(row.parsed.unit), row.unit)
    if money not in _MONEY_SCALE or not denominator or cost is None:
        return None
    for other in rows:
        if other.level1 != "产出" or other.level2 != "数量" or other.parsed.number is None or not other.unit:
            continue
        if split_unit(other.unit)[1] != split_unit(denominator)[1]:
            continue
        quantity = convert(other.parsed.number, other.item_unit(other.parsed.unit), denominator)
        if quantity is not None:
            return row, other, cost * _MONEY_SCALE[money] * quantity / 1e4
    return None


def _g13_deadline(ctx: GoalContext) -> list[Hit]:
    hits = []
    for row in ctx.rows:
        if row.level2 != "时效":
            continue
        for item in row.parsed.items:
            if item.month is None:
                continue
            wrong_year = item.year is not None and ctx.goal.year is not None and item.year != ctx.goal.year
            if item.next_year or wrong_year or not 1 <= item.month <= 12:
                year = f"{ctx.goal.year}年" if ctx.goal.year else "当"
                message = f"{row.who}的完成时限「{row.parsed.text}」不在预算年度({year})内。"
                evidence = {"month": item.month, "year": item.year, "next_year": item.next_year}
                hits.append(Hit(row.index, message, {**evidence, "budget_year": ctx.goal.year}))
                break
    return hits


def _g14_beneficiaries(ctx: GoalContext) -> list[Hit] | Skip:
    population = ctx.goal.region_population
    if population is None:
        return Skip("未提供项目区登记人口数。")
    hits = []
    for row in ctx.rows:
        is_people = split_unit(row.unit)[1] == "人"
        beneficiary = _mentions(row.name, ctx.settings.beneficiary_words)
        value = _value_in(row, "人") if is_people and beneficiary else None
        if value is not None and value > population:
            message = f"{row.who}的受益人数{format_number(value)}人超过项目区登记人口{format_number(population)}人。"
            hits.append(Hit(row.index, message, {"value": value, "region_population": population}))
    return hits


def _g15_weights(ctx: GoalContext) -> list[Hit] | Skip:
    expected = ctx.goal.weight_total
    if expected is None:
        return Skip("评分方案未规定指标总分。")
    weights = [row.draft.weight for row in ctx.rows]
    total = sum(w or 0 for w in weights)
    if abs(total - expected) <= ctx.settings.weight_tolerance:
        return []
    missing = sum(1 for w in weights if w is None)
    note = f"(其中{missing}项未填写权重)" if missing else ""
    message = f"指标权重合计{format_number(round(total, 4))}分,与评分方案规定的指标分值{format_number(expected)}分不一致{note}。"
    return [Hit(None, message, {"total": total, "expected": expected, "missing_weights": missing})]


def _g16_graded(ctx: GoalContext) -> list[Hit]:
    hits = []
    settings = ctx.settings
    for row in ctx.rows:
        if row.operator != QUALITATIVE:
            continue
        text = row.parsed.text.replace(" ", "")
        if text in settings.grading_answers or any(word in text for word in settings.grading_words):
            continue
        examples = "如“达到……标准”“好/较好/一般/差”"
        message = f"{row.who}为定性指标,指标值「{text or '(空)'}」未采用分级分档表述({examples})。"
        hits.append(Hit(row.index, message, {"target": row.parsed.raw}))
    return hits


def _value_in(row: Row, unit: str) -> float | None:
    """Returns the target in `unit`; several items are summed (None if any does not convert)."""
    if unit not in row.converted:
        row.converted[unit] = _convert_items(row, unit)
    return row.converted[unit]


def _convert_items(row: Row, unit: str) -> float | None:
    values = [
        convert(item.number, row.item_unit(item.unit), unit) for item in row.parsed.items if item.number is not None
    ]
    if not values or any(v is None for v in values):
        return None
    return sum(v or 0.0 for v in values)


CHECKS: tuple[Check, ...] = (
    Check("G01", ERROR, "年度总体目标缺失", _g01_overall_goal),
    Check("G02", ERROR, "一级指标缺失", _g02_dimensions),
    Check("G03", ERROR, "产出缺少数量指标", _g03_quantity),
    Check("G04", ERROR, "核心指标缺失", _g04_core),
    Check("G05", ERROR, "指标值非数值或指标性质缺失", _g05_operator_and_number),
    Check("G06", ERROR, "定量指标缺少计量单位", _g06_unit_missing),
    Check("G07", WARNING, "计量单位与标准体系不一致", _g07_unit_library),
    Check("G08", WARNING, "指标值超出合理区间", _g08_range),
    Check("G09", WARNING, "模糊表述", _g09_vague),
    Check("G10", ERROR, "百分比超出0–100%", _g10_percentage),
    Check("G11", ERROR, "指标重复", _g11_duplicates),
    Check("G12", WARNING, "成本×数量与预算不符", _g12_cost_budget),
    Check("G13", WARNING, "时效指标不在预算年度内", _g13_deadline),
    Check("G14", WARNING, "受益人数超过登记人口", _g14_beneficiaries),
    Check("G15", ERROR, "权重合计与评分方案不符", _g15_weights),
    Check("G16", WARNING, "定性指标未分级表述", _g16_graded),
)
