"""Parsing of indicator values as units write them (DOMAIN.md §6 «Reading filled-in tables»).

Targets (年度指标值) and actuals (实际完成值) arrive as free text: "≥266米", "不低于90%", "9月底前",
"梨树6亩; 桃1亩", "达成预期指标". `parse_target` and `parse_actual` turn them into plain dataclasses;
nothing here raises on bad input — an unreadable value simply has no number.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from jixiao.indicators.library_data import COST_LEVEL2, normalize_level

GE, LE, EQ, QUALITATIVE = "≥", "≤", "=", "定性"
OPERATORS = (GE, LE, EQ, QUALITATIVE)
ACHIEVED, PARTIAL, MISSED = "达成", "部分达成", "未达成"
TIERS = (ACHIEVED, PARTIAL, MISSED)

# Operator words, matched nearest to the number; the longest wins so 不低于 beats 低于.
_PREFIX_OPERATORS = {
    "≥": GE, ">=": GE, "=>": GE, "≧": GE, "不低于": GE, "不少于": GE, "不小于": GE, "大于等于": GE,
    "大于或等于": GE, "至少": GE, ">": GE, "大于": GE, "高于": GE, "超过": GE, "多于": GE,
    "≤": LE, "<=": LE, "=<": LE, "≦": LE, "不高于": LE, "不超过": LE, "不大于": LE, "不多于": LE,
    "小于等于": LE, "小于或等于": LE, "<": LE, "小于": LE, "低于": LE, "少于": LE,
    "=": EQ, "==": EQ, "等于": EQ,
}  # fmt: skip
_SUFFIX_OPERATORS = {"及以上": GE, "以上": GE, "及以下": LE, "以下": LE, "以内": LE, "之内": LE}
_OPERATOR_NAMES = {**_PREFIX_OPERATORS, "定性": QUALITATIVE, "qualitative": QUALITATIVE, "定性指标": QUALITATIVE}

# Cost context (DOMAIN §6): a bare number is read as ≤ under 成本, or for 成本/单价/subsidy 标准 names.
_SUBSIDY_WORDS = ("补助", "补贴", "资助", "奖补", "奖励", "救助", "津贴", "贴息")

_UNIT_SYNONYMS = {
    "m2": "㎡", "平方米": "㎡", "平米": "㎡", "m3": "m³", "立方米": "m³", "km": "公里", "千米": "公里",
    "kw": "kW", "千瓦": "kW", "kwh": "kWh", "千瓦时": "kWh", "度": "kWh", "mw": "MW", "kg": "公斤",
    "千克": "公斤", "人/次": "人次", "m": "米",
}  # fmt: skip
_SCALE_PREFIXES = {"亿": 1e8, "万": 1e4}
_SCALED_UNITS = {"千元": (1e3, "元"), "MW": (1e3, "kW")}
# Units recognised after a number (normalised text, compared case-insensitively), longest first.
_KNOWN_UNITS = sorted(
    [
        *_UNIT_SYNONYMS, "%", "㎡", "m³", "公里", "kW", "kWh", "MW", "公斤", "人次", "户次", "亩次", "个月",
        "课时", "小时", "学期", "公顷", "元", "人", "户", "个", "亩", "米", "吨", "斤", "年", "月", "天", "日",
        "次", "座", "处", "条", "所", "间", "套", "台", "头", "只", "羽", "株", "棵", "家", "项", "场", "期",
        "批", "名", "位", "辆", "眼", "口", "宗", "份", "盏", "张", "栋", "幢", "村", "组", "支", "篇", "册", "本",
        "个村", "个组", "千元",
    ],
    key=len,
    reverse=True,
)  # fmt: skip
KNOWN_UNITS = frozenset(_KNOWN_UNITS)  # public: importers check uploaded units against it
_MONEY_UNIT = re.compile(r"(?:亿|万|千)?元/[^\s\d;,、。()]+|(?:亿|万|千)?元")
_FALLBACK_UNIT = re.compile(r"[\u4e00-\u9fff](?=$|[\s;,、。)]|以|及|之)")
_NOT_UNITS = set("以及前后约左右共计余多于的和或且为是达到完成至")

_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SEPARATORS = re.compile(r"[;,、。\n]+")
_YEAR = r"(?:(?P<y>(?:19|20)\d{2})年|(?P<rel>次年|明年|下一?年度?|来年))"
_MONTH_DATE = re.compile(
    _YEAR
    + r"?(?<![\d.])(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号])?(?:底|末|中旬|上旬|下旬)?(?P<before>之?前|以前|止)?"
)
_YEAR_END = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})年|(?P<rel>次年|明年|下一?年度?|来年)|(?:当年|本年度?|(?<![\d])年))"
    r"(?:底|末|内)(?P<before>之?前|以前)?"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/](?P<m>\d{1,2})(?:[-/](?P<d>\d{1,2}))?(?!\d)")
_DOT_DATE = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})\.(?P<m>\d{1,2})(?:\.(?P<d>\d{1,2}))?(?![\d])")

_MISSED_WORDS: tuple[str, ...] = (
    "未达成", "未完成", "未达到", "未达标", "未实现", "未按期", "未及时", "没有完成", "不合格", "不及时", "不达标",
    "不明显", "较差",
)  # fmt: skip
_PARTIAL_WORDS: tuple[str, ...] = (
    "部分达成", "部分完成", "部分达到", "部分实现", "基本达到", "基本完成", "基本达成", "基本实现", "基本合格",
    "基本及时", "基本满意", "较好", "一般",
)  # fmt: skip
_ACHIEVED_WORDS: tuple[str, ...] = (
    "达成预期指标", "达成", "已完成", "完成", "达到", "达标", "实现", "及时", "合格", "效果明显", "明显", "满意",
    "良好", "优秀", "优", "好",
)  # fmt: skip


@dataclass(frozen=True)
class ValueItem:
    """One value in a cell: "梨树6亩" → label 梨树, number 6, unit 亩; "9月底前" → ≤ 9 (月), month 9."""

    label: str
    operator: str | None
    number: float | None
    unit: str
    operator_explicit: bool = False
    month: int | None = None
    year: int | None = None
    next_year: bool = False


@dataclass(frozen=True)
class ParsedValue:
    """A target as written. `operator` is ≥ ≤ = or 定性 (None when blank); first item's values on top."""

    raw: str
    text: str
    operator: str | None
    number: float | None
    unit: str
    items: tuple[ValueItem, ...]
    operator_explicit: bool = False
    month: int | None = None
    year: int | None = None
    next_year: bool = False

    @property
    def is_blank(self) -> bool:
        return not self.text

    @property
    def is_quantitative(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class ParsedActual:
    """An actual as written, read against its target.

    `is_measurement` is False when the actual carries an operator (copied target "≥266米"), is a phrase
    where the target is a number, or is blank; `problem` says which ("operator", "phrase", "blank").
    `tier` is the qualitative reading (达成/部分达成/未达成) of a phrase, else None.
    """

    raw: str
    text: str
    operator: str | None
    number: float | None
    unit: str
    items: tuple[ValueItem, ...]
    tier: str | None
    is_measurement: bool
    problem: str | None = None
    month: int | None = None
    year: int | None = None

    @property
    def is_blank(self) -> bool:
        return not self.text


def normalize_text(value: object) -> str:
    """Returns the value as half-width text: full-width digits and signs folded, thousands commas removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_number(float(value)) if math.isfinite(value) else ""
    text = unicodedata.normalize("NFKC", str(value))
    # NFKC spells ㎡ as m2, which would read as a number; put the symbols back.
    text = re.sub(r"(?<![A-Za-z])m([23])(?!\d)", lambda m: "㎡" if m.group(1) == "2" else "m³", text)
    for dot in ("・", "•", "∙", "‧", "･"):
        text = text.replace(dot, "·")
    text = text.replace("百分之百", "100%")
    text = re.sub(r"百分之(\d+(?:\.\d+)?)", r"\1%", text)
    text = _THOUSANDS.sub("", text)
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def format_number(number: float) -> str:
    """Returns the shortest plain rendering: 14000.0 → "14000", 0.50 → "0.5"."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.6f}".rstrip("0").rstrip(".")


def normalize_operator(value: object) -> str | None:
    """Returns ≥ ≤ = or 定性 for an operator as written (">=", "不低于", ">" …), or None if unknown/blank."""
    if isinstance(value, str):
        return _normalize_operator_cached(value)
    return _normalize_operator(value)


@lru_cache(maxsize=4096)  # pure; imports and reviews see the same few spellings on every row
def _normalize_operator_cached(value: str) -> str | None:
    return _normalize_operator(value)


def _normalize_operator(value: object) -> str | None:
    text = normalize_text(value).replace(" ", "")
    return _OPERATOR_NAMES.get(text) or _OPERATOR_NAMES.get(text.lower())


def is_cost_context(level1: str | None = None, level2: str | None = None, name: str = "") -> bool:
    """True where a bare number means ≤: under 成本 levels, or names with 成本, 单价 or a subsidy's 标准."""
    if normalize_level(level1) == "成本" or normalize_level(level2) in COST_LEVEL2:
        return True
    name = name or ""
    if "成本" in name or "单价" in name:
        return True
    return "标准" in name and any(word in name for word in _SUBSIDY_WORDS)


def canonical_unit(unit: str | None) -> str:
    """Returns the unit in library spelling: 平方米 → ㎡, 千瓦 → kW, 元/人/月 → 元/人·月."""
    if isinstance(unit, str) or unit is None:
        return _canonical_unit_cached(unit)
    return _canonical_unit(unit)


@lru_cache(maxsize=4096)  # pure and hot in batch reviews and imports
def _canonical_unit_cached(unit: str | None) -> str:
    return _canonical_unit(unit)


def _canonical_unit(unit: str | None) -> str:
    text = normalize_text(unit).replace(" ", "")
    if not text:
        return ""
    if "/" in text:
        head, *rest = text.split("/")
        tail = "·".join(rest)
        return canonical_unit(head) + "/" + "·".join(canonical_unit(part) for part in tail.split("·"))
    if text in _UNIT_SYNONYMS or text.lower() in _UNIT_SYNONYMS:
        return _UNIT_SYNONYMS.get(text) or _UNIT_SYNONYMS[text.lower()]
    if text.lower() in {"kw", "kwh", "mw"}:
        return {"kw": "kW", "kwh": "kWh", "mw": "MW"}[text.lower()]
    if text[0] in _SCALE_PREFIXES and len(text) > 1:
        return text[0] + canonical_unit(text[1:])
    return text


@lru_cache(maxsize=4096)  # pure and hot: the review converts every quantitative target
def split_unit(unit: str | None) -> tuple[float, str]:
    """Returns (scale, base unit): 万元 → (10000, 元), 万元/户 → (10000, 元/户), 人 → (1, 人)."""
    text = canonical_unit(unit)
    if text in _SCALED_UNITS:
        return _SCALED_UNITS[text]
    for prefix, scale in _SCALE_PREFIXES.items():
        if text.startswith(prefix):
            return scale, text[len(prefix) :]
    return 1.0, text


def convert(number: float, from_unit: str | None, to_unit: str | None) -> float | None:
    """Returns the number expressed in `to_unit`, or None when the units are not the same kind.

    万 and 亿 scale only when the units differ; an empty unit is taken to be the other unit.
    """
    scales = _scales(from_unit, to_unit)
    if scales is None:
        return None
    return number if scales is _SAME else number * scales[0] / scales[1]


_SAME = (1.0, 1.0)


@lru_cache(maxsize=4096)  # pure; a review converts between the same few units over and over
def _scales(from_unit: str | None, to_unit: str | None) -> tuple[float, float] | None:
    """Returns (from scale, to scale) of a conversion, _SAME when the number stays as it is, None when the units
    are not the same kind."""
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if not source or not target or source == target:
        return _SAME
    (from_scale, from_base), (to_scale, to_base) = split_unit(source), split_unit(target)
    if from_base and from_base != to_base:
        return None
    return from_scale, to_scale


def parse_target(text: object, *, level1: str | None = None, level2: str | None = None, name: str = "") -> ParsedValue:
    """Parses a target (年度指标值); a number without operator is ≥, or ≤ in a cost context."""
    if isinstance(text, str | int | float) or text is None:
        return _parse_target_cached(text, level1, level2, name)
    return _parse_target(text, level1=level1, level2=level2, name=name)


@lru_cache(maxsize=65536, typed=True)  # pure; batch reviews parse the same targets over and over
def _parse_target_cached(text: object, level1: str | None, level2: str | None, name: str) -> ParsedValue:
    return _parse_target(text, level1=level1, level2=level2, name=name)


def _parse_target(text: object, *, level1: str | None = None, level2: str | None = None, name: str = "") -> ParsedValue:
    normal = normalize_text(text)
    default = LE if is_cost_context(level1, level2, name) else GE
    time_context = normalize_level(level2) == "时效"
    items = _parse_items(normal, default=default, time_context=time_context)
    if not items:
        operator = QUALITATIVE if normal else None
        return ParsedValue(raw=_raw(text), text=normal, operator=operator, number=None, unit="", items=())
    first = items[0]
    return ParsedValue(
        raw=_raw(text),
        text=normal,
        operator=first.operator,
        number=first.number,
        unit=first.unit,
        items=items,
        operator_explicit=any(item.operator_explicit for item in items),
        month=first.month,
        year=first.year,
        next_year=first.next_year,
    )


def parse_actual(text: object, *, target: ParsedValue) -> ParsedActual:
    """Parses an actual (实际完成值) against its target; says whether it is a usable measurement."""
    normal = normalize_text(text)
    items = _parse_items(normal, default=None, time_context=target.month is not None)
    written = next((item.operator for item in items if item.operator_explicit), None)
    tier = None if items and target.is_quantitative else classify_tier(normal, target_text=target.text)
    problem = None
    if not normal:
        problem = "blank"
    elif written:
        problem = "operator"
    elif target.is_quantitative and not items:
        problem = "phrase"
    first = items[0] if items else None
    return ParsedActual(
        raw=_raw(text),
        text=normal,
        operator=written,
        number=first.number if first else None,
        unit=first.unit if first else "",
        items=items,
        tier=tier,
        is_measurement=problem is None,
        problem=problem,
        month=first.month if first else None,
        year=first.year if first else None,
    )


def classify_tier(text: str, *, target_text: str = "") -> str | None:
    """Returns 达成 / 部分达成 / 未达成 for a qualitative actual, or None when the wording says nothing."""
    normal = normalize_text(text).replace(" ", "")
    goal = normalize_text(target_text).replace(" ", "")
    if not normal:
        return None
    if normal in {"否", "差"} or any(word in normal for word in _MISSED_WORDS):
        return MISSED
    if any(neg + word in normal for word in _ACHIEVED_WORDS for neg in ("不", "未", "没")):
        return MISSED
    if goal and normal == goal:
        return ACHIEVED
    if any(word in normal for word in _PARTIAL_WORDS):
        return PARTIAL
    if len(goal) >= 2 and len(normal) >= 2 and (goal in normal or normal in goal):
        return ACHIEVED
    if normal == "是" or any(word in normal for word in _ACHIEVED_WORDS):
        return ACHIEVED
    return None


def number_in_target_unit(item: ValueItem, target_item: ValueItem) -> float | None:
    """Returns the actual item's number in the target item's unit, None when the units do not convert."""
    if item.number is None:
        return None
    return convert(item.number, item.unit, target_item.unit)


def meets_target(target: ParsedValue, actual: ParsedActual) -> bool | None:
    """True/False when the actual meets/misses the target (every item must), None when not comparable."""
    if not target.is_quantitative:
        return None if actual.tier is None else actual.tier == ACHIEVED
    if not actual.is_measurement:
        return None
    pairs = _pair_items(target.items, actual.items)
    if pairs is None:
        return None
    results = [_item_met(t, a) for t, a in pairs]
    return None if any(r is None for r in results) else all(results)


def _pair_items(targets: tuple[ValueItem, ...], actuals: tuple[ValueItem, ...]):
    if len(targets) == 1 and len(actuals) > 1:
        numbers = [convert(a.number or 0.0, a.unit, targets[0].unit) for a in actuals]
        if any(n is None for n in numbers):
            return None
        total = ValueItem(label="", operator=None, number=sum(n or 0.0 for n in numbers), unit=targets[0].unit)
        return [(targets[0], total)]
    if len(targets) != len(actuals):
        return None
    by_label = {a.label: a for a in actuals}
    if all(t.label for t in targets) and all(t.label in by_label for t in targets):
        return [(t, by_label[t.label]) for t in targets]
    return list(zip(targets, actuals, strict=True))


def _item_met(target: ValueItem, actual: ValueItem) -> bool | None:
    if target.month is not None and actual.month is not None:
        # Dates compare as year·12 + month when both carry a year, else by month alone.
        years = target.year is not None and actual.year is not None
        goal: float | None = float((target.year or 0) * 12 * years + target.month)
        value: float | None = float((actual.year or 0) * 12 * years + actual.month)
    else:
        goal, value = target.number, number_in_target_unit(actual, target)
    if value is None or goal is None:
        return None
    if target.operator == LE:
        return value <= goal + 1e-9
    if target.operator == EQ:
        return math.isclose(value, goal, rel_tol=1e-9, abs_tol=1e-9)
    return value >= goal - 1e-9


def _raw(text: object) -> str:
    return "" if text is None else str(text)


def _parse_items(text: str, *, default: str | None, time_context: bool) -> tuple[ValueItem, ...]:
    if not text:
        return ()
    segments = [seg.strip() for seg in _SEPARATORS.split(text) if seg.strip()]
    valued = [seg for seg in segments if _parse_item(seg, default=default, time_context=time_context)]
    chunks = valued if len(valued) >= 2 else [text]
    items = [_parse_item(chunk, default=default, time_context=time_context) for chunk in chunks]
    return tuple(item for item in items if item is not None)


def _parse_item(text: str, *, default: str | None, time_context: bool) -> ValueItem | None:
    return _parse_date(text, time_context=time_context) or _parse_number(text, default=default)


def _parse_date(text: str, *, time_context: bool) -> ValueItem | None:
    patterns = [_ISO_DATE, _MONTH_DATE, _YEAR_END] + ([_DOT_DATE] if time_context else [])
    for pattern in patterns:
        match = pattern.search(text)
        # Outside 时效 rows a date must stand alone: 年末存栏500头 is a count, not a deadline.
        if not match or (not time_context and re.search(r"\d", text[: match.start()] + text[match.end() :])):
            continue
        groups = match.groupdict()
        month = int(groups["m"]) if groups.get("m") else 12
        year = int(groups["y"]) if groups.get("y") else None
        label = _label(text[: match.start()])
        return ValueItem(
            label=label,
            operator=LE if groups.get("before") else None,
            number=float(month),
            unit="月",
            operator_explicit=bool(groups.get("before")),
            month=month,
            year=year,
            next_year=bool(groups.get("rel")),
        )
    return None


def _parse_number(text: str, *, default: str | None) -> ValueItem | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    prefix, rest = text[: match.start()], text[match.end() :]
    unit, rest = _read_unit(rest)
    operator, token = _prefix_operator(prefix)
    suffix = next((op for word, op in _SUFFIX_OPERATORS.items() if rest.lstrip().startswith(word)), None)
    explicit = operator or suffix
    label = _label(prefix[: prefix.rfind(token)] if token else prefix)
    return ValueItem(
        label=label,
        operator=explicit or default,
        number=float(match.group()),
        unit=canonical_unit(unit),
        operator_explicit=explicit is not None,
    )


def _read_unit(rest: str) -> tuple[str, str]:
    text = rest.lstrip()
    money = _MONEY_UNIT.match(text)
    if money:
        unit = money.group()
        for word in (*_SUFFIX_OPERATORS, "左右", "以前", "之前", "前"):
            if unit.endswith(word) and len(unit) > len(word):
                unit = unit[: -len(word)]
        return unit, text[len(unit) :]
    prefix = text[0] if text[:1] in _SCALE_PREFIXES else ""
    body = text[len(prefix) :]
    for unit in _KNOWN_UNITS:
        if body[: len(unit)].lower() == unit.lower():
            if unit == "m" and body[1:2].isalpha():
                continue
            return prefix + body[: len(unit)], body[len(unit) :]
    if prefix:
        return prefix, body
    fallback = _FALLBACK_UNIT.match(text)
    if fallback and fallback.group() not in _NOT_UNITS:
        return fallback.group(), text[1:]
    return "", text


def _prefix_operator(prefix: str) -> tuple[str | None, str]:
    """Returns the operator written nearest before the number, and the token that spelled it."""
    best: tuple[int, int, str] | None = None
    for token in _PREFIX_OPERATORS:
        at = prefix.rfind(token)
        if at >= 0:
            candidate = (at + len(token), len(token), token)
            best = max(best, candidate) if best else candidate
    if best is None:
        return None, ""
    return _PREFIX_OPERATORS[best[2]], best[2]


def _label(prefix: str) -> str:
    label = re.sub(r"(约|为|达到|共计?|合计)$", "", prefix.strip(" :()[]【】-—~≈"))
    return label.strip(" :()[]【】-—~≈")
