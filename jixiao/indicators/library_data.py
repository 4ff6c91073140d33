"""The standard indicator library (标准体系) as data: dimension trees, categories by year, templates.

Category codes are ASCII and stable: ``<taxonomy>-<category>[-<sub-category>]``.

* taxonomy ``F18`` = 扶贫项目库 categories valid 2018–2020; ``X21`` = 衔接资金项目库 categories from 2021.
* each further part is the pinyin initials of the Chinese name (产业发展 → CYFZ, 光伏扶贫 → GF). Where two names
  would collide the full pinyin of the differing word is used (教育扶贫 → JIAOYU, as 就业扶贫 is JYFP).

Template codes are ``<group>.<nn>``, the group being the home category's last code part (COM for the
cross-cutting ones). A template lists the categories it belongs to; sub-categories inherit their parent's
templates; ``categories=("*",)`` means every category whose ``common_indicators`` is true (all but 项目管理费).
Codes are never reused: retire a template by removing its categories, not by renumbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, TypeVar

STYLE_88, STYLE_101 = "88", "101"

# 财预〔2015〕88号 and 财预〔2021〕101号 indicator trees: 一级 → 二级.
DIMENSIONS_88: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "质量", "时效", "成本"),
    "效益": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "满意度": ("服务对象满意度",),
}
DIMENSIONS_101: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "质量", "时效"),
    "成本": ("经济成本", "社会成本", "生态环境成本"),
    "效益": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "满意度": ("服务对象满意度",),
}
DIMENSIONS = {STYLE_88: DIMENSIONS_88, STYLE_101: DIMENSIONS_101}
COST_LEVEL2 = frozenset({"成本", "经济成本", "社会成本", "生态环境成本"})
STYLE_101_FROM = 2021  # first budget year written in 101号 style unless a region configures otherwise

TAXONOMY_FUPIN, TAXONOMY_XIANJIE = "扶贫", "衔接"
_F18 = (TAXONOMY_FUPIN, 2018, 2020)
_X21 = (TAXONOMY_XIANJIE, 2021, None)
COMMON = "*"


def style_for_year(year: int, *, first_101_year: int = STYLE_101_FROM) -> str:
    """Returns "101" for budget years from `first_101_year` (default 2021), else "88"."""
    return STYLE_101 if year >= first_101_year else STYLE_88


@lru_cache(maxsize=1024)  # pure and hot: every indicator row of every goal reviewed or imported
def normalize_level(text: str | None) -> str:
    """Returns a dimension name without decoration: "产出指标" → "产出", " 数量指标 " → "数量"."""
    level = re.sub(r"[\s★]", "", text or "")
    level = level.removesuffix("指标")
    return {"成本指标": "成本", "满意度指标": "满意度"}.get(level, level)


def normalize_name(name: str | None) -> str:
    """Returns the matching key of an indicator name: no spaces, stars, quotes or bracketed parts.

    "受益脱贫(建档立卡)人口数", "受益脱贫（建档立卡）人口数" and "受益脱贫人口数" share one key.
    """
    return re.sub(_BRACKETED, "", _clean_name(name))


@cache  # pure and hot: the review matches every row against every template
def name_variants(name: str | None) -> frozenset[str]:
    """Returns the keys a name answers to: without the bracketed part and with its brackets dropped."""
    text = _clean_name(name)
    variants = {re.sub(_BRACKETED, "", text), re.sub(r"[()\[\]]", "", text)}
    return frozenset(v for v in variants if v)


_BRACKETED = r"\([^()]*\)|\[[^\[\]]*\]"


def _clean_name(name: str | None) -> str:
    text = (name or "").translate(str.maketrans("（）【】［］", "()[][]"))
    return re.sub(r"[\s★*、·\"“”'‘’]", "", text)


@dataclass(frozen=True)
class Category:
    """A project category (项目类别) of one taxonomy, valid for a span of budget years."""

    code: str
    name: str
    taxonomy: str
    valid_from: int
    valid_to: int | None
    parent: str | None = None
    common_indicators: bool = True

    def valid_in(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)


@dataclass(frozen=True)
class PolicyStandard:
    """A published standard the indicator must respect (Q14): value with ≥ ≤ or =, and its basis."""

    value: float
    operator: str
    unit: str
    basis: str


@dataclass(frozen=True)
class IndicatorTemplate:
    """A library indicator (三级指标) with its place in both dimension trees and its plausible range."""

    code: str
    name: str
    categories: tuple[str, ...]
    level1: str
    level2: str
    level1_101: str
    level2_101: str
    unit: str
    operator: str
    default_target: float | str | None
    plausible_range: tuple[float, float] | None
    core: bool
    explanation: str
    data_source: str
    policy_standard: PolicyStandard | None = None
    aliases: tuple[str, ...] = ()

    def levels(self, style: str) -> tuple[str, str]:
        """Returns (一级, 二级) for the given style ("88" or "101")."""
        return (self.level1_101, self.level2_101) if style == STYLE_101 else (self.level1, self.level2)

    def match_keys(self) -> frozenset[str]:
        """Returns every matching key of the name and its aliases (see `name_variants`)."""
        return _match_keys(self.name, self.aliases)


@cache  # the review asks a template for its keys once per indicator row
def _match_keys(name: str, aliases: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(name_variants(n) for n in (name, *aliases)))


def _c(code: str, name: str, span: tuple, parent: str | None = None, *, common: bool = True) -> Category:
    taxonomy, start, end = span
    return Category(code, name, taxonomy, start, end, parent, common)


CATEGORIES: tuple[Category, ...] = (
    _c("F18-CYFZ", "产业发展", _F18),
    _c("F18-CYFZ-ZY", "种植养殖加工服务", _F18, "F18-CYFZ"),
    _c("F18-CYFZ-LY", "休闲农业与乡村旅游", _F18, "F18-CYFZ"),
    _c("F18-CYFZ-GF", "光伏扶贫", _F18, "F18-CYFZ"),
    _c("F18-CYFZ-ZCSY", "资产收益扶贫", _F18, "F18-CYFZ"),
    _c("F18-CYFZ-DS", "电商扶贫", _F18, "F18-CYFZ"),
    _c("F18-JYFP", "就业扶贫", _F18),
    _c("F18-JYFP-WGBZ", "外出务工补助", _F18, "F18-JYFP"),
    _c("F18-JYFP-JNPX", "就业创业培训", _F18, "F18-JYFP"),
    _c("F18-JYFP-GYGW", "公益岗位", _F18, "F18-JYFP"),
    _c("F18-JYFP-FPCJ", "扶贫车间", _F18, "F18-JYFP"),
    _c("F18-YDBQ", "易地扶贫搬迁", _F18),
    _c("F18-YDBQ-AZZF", "安置住房建设", _F18, "F18-YDBQ"),
    _c("F18-YDBQ-PTSS", "安置地配套设施", _F18, "F18-YDBQ"),
    _c("F18-YDBQ-HXFC", "搬迁后续扶持", _F18, "F18-YDBQ"),
    _c("F18-JIAOYU", "教育扶贫", _F18),
    _c("F18-JIAOYU-YLJH", "雨露计划职业教育补助", _F18, "F18-JIAOYU"),
    _c("F18-JIAOYU-QT", "其他教育扶贫", _F18, "F18-JIAOYU"),
    _c("F18-JKFP", "健康扶贫", _F18),
    _c("F18-JKFP-CB", "资助参保", _F18, "F18-JKFP"),
    _c("F18-JKFP-YLJZ", "医疗救助", _F18, "F18-JKFP"),
    _c("F18-WFGZ", "危房改造", _F18),
    _c("F18-JRFP", "金融扶贫", _F18),
    _c("F18-JRFP-XEXD", "扶贫小额信贷贴息", _F18, "F18-JRFP"),
    _c("F18-JRFP-FXBC", "风险补偿金", _F18, "F18-JRFP"),
    _c("F18-JRFP-CYBX", "产业保险", _F18, "F18-JRFP"),
    _c("F18-SHTJ", "生活条件改善", _F18),
    _c("F18-SHTJ-RHL", "入户路改造", _F18, "F18-SHTJ"),
    _c("F18-SHTJ-YS", "解决安全饮水", _F18, "F18-SHTJ"),
    _c("F18-SHTJ-GC", "厨房厕所圈舍改造", _F18, "F18-SHTJ"),
    _c("F18-ZHBZ", "综合保障性扶贫", _F18),
    _c("F18-JCSS", "村基础设施", _F18),
    _c("F18-JCSS-TCL", "通村硬化路及护栏", _F18, "F18-JCSS"),
    _c("F18-JCSS-SL", "小型农田水利设施", _F18, "F18-JCSS"),
    _c("F18-JCSS-CYL", "产业路", _F18, "F18-JCSS"),
    _c("F18-JCSS-DW", "通电及光纤宽带", _F18, "F18-JCSS"),
    _c("F18-GGFW", "村公共服务", _F18),
    _c("F18-GGFW-XX", "村小学改造", _F18, "F18-GGFW"),
    _c("F18-GGFW-YEY", "村级幼儿园建设", _F18, "F18-GGFW"),
    _c("F18-GGFW-WHGC", "村级文化活动广场", _F18, "F18-GGFW"),
    _c("F18-XMGL", "项目管理费", _F18, common=False),
    _c("F18-QT", "其他", _F18),
    _c("X21-CYFZ", "产业发展", _X21),
    _c("X21-CYFZ-SC", "生产项目", _X21, "X21-CYFZ"),
    _c("X21-CYFZ-JGLT", "加工流通项目", _X21, "X21-CYFZ"),
    _c("X21-CYFZ-PTSS", "配套设施项目", _X21, "X21-CYFZ"),
    _c("X21-CYFZ-FWZC", "产业服务支撑项目", _X21, "X21-CYFZ"),
    _c("X21-CYFZ-JRBX", "金融保险配套项目", _X21, "X21-CYFZ"),
    _c("X21-CYFZ-GF", "光伏电站", _X21, "X21-CYFZ"),
    _c("X21-JYXM", "就业项目", _X21),
    _c("X21-JYXM-WGBZ", "务工补助", _X21, "X21-JYXM"),
    _c("X21-JYXM-JNPX", "就业培训", _X21, "X21-JYXM"),
    _c("X21-JYXM-BFCJ", "帮扶车间", _X21, "X21-JYXM"),
    _c("X21-JYXM-GYGW", "公益性岗位", _X21, "X21-JYXM"),
    _c("X21-XCJS", "乡村建设行动", _X21),
    _c("X21-XCJS-JCSS", "农村基础设施", _X21, "X21-XCJS"),
    _c("X21-XCJS-RJHJ", "人居环境整治", _X21, "X21-XCJS"),
    _c("X21-XCJS-GGFW", "农村公共服务", _X21, "X21-XCJS"),
    _c("X21-YDHF", "易地搬迁后扶", _X21),
    _c("X21-GGSBZ", "巩固三保障成果", _X21),
    _c("X21-GGSBZ-ZF", "住房", _X21, "X21-GGSBZ"),
    _c("X21-GGSBZ-JY", "教育", _X21, "X21-GGSBZ"),
    _c("X21-GGSBZ-JK", "健康", _X21, "X21-GGSBZ"),
    _c("X21-GGSBZ-ZHBZ", "综合保障", _X21, "X21-GGSBZ"),
    _c("X21-XCZL", "乡村治理和精神文明建设", _X21),
    _c("X21-XCZL-ZL", "乡村治理", _X21, "X21-XCZL"),
    _c("X21-XCZL-WM", "农村精神文明建设", _X21, "X21-XCZL"),
    _c("X21-XMGL", "项目管理费", _X21, common=False),
    _c("X21-QT", "其他", _X21),
)

# Data sources named in published goal tables.
SRC_SYSTEM = "全国扶贫开发信息系统(2021年起:全国防止返贫监测信息系统)、受益对象花名册"
SRC_ACCEPT = "项目竣工验收报告、验收资料"
SRC_PLAN = "项目实施方案、工程进度资料"
SRC_FUND = "资金拨付文件、支付凭证、财务账簿"
SRC_SURVEY = "受益群众问卷调查、走访记录"
SRC_OPERATE = "经营主体台账、收益分配记录"
SRC_DEPT = "行业主管部门统计数据"


def _t(
    code: str,
    name: str,
    categories: tuple[str, ...],
    dims: str,
    unit: str,
    operator: str,
    default: float | str | None,
    plausible: tuple[float, float] | None,
    explanation: str,
    source: str,
    *,
    core: bool = False,
    policy: PolicyStandard | None = None,
    aliases: tuple[str, ...] = (),
    cost_kind: str = "经济成本",
) -> IndicatorTemplate:
    """Builds a template from its 88号 placement ("产出/成本"); 101号 moves 成本 to its own 一级."""
    level1, level2 = dims.split("/")
    level1_101, level2_101 = ("成本", cost_kind) if level2 == "成本" else (level1, level2)
    return IndicatorTemplate(
        code, name, categories, level1, level2, level1_101, level2_101, unit, operator, default,
        plausible, core, explanation, source, policy, aliases,
    )  # fmt: skip


_CY = ("F18-CYFZ", "X21-CYFZ")
_GF = ("F18-CYFZ-GF", "X21-CYFZ-GF")
_DS = ("F18-CYFZ-DS", "X21-CYFZ-FWZC")
_JY = ("F18-JYFP", "X21-JYXM")
_GY = ("F18-JYFP-GYGW", "X21-JYXM-GYGW")
_CJ = ("F18-JYFP-FPCJ", "X21-JYXM-BFCJ")
_EDU = ("F18-JIAOYU", "X21-GGSBZ-JY")
_JK = ("F18-JKFP", "X21-GGSBZ-JK")
_WF = ("F18-WFGZ", "X21-GGSBZ-ZF")
_JR = ("F18-JRFP", "X21-CYFZ-JRBX")
_ZH = ("F18-ZHBZ", "X21-GGSBZ-ZHBZ")
_JC = ("F18-JCSS", "X21-XCJS")
_GG = ("F18-GGFW", "X21-XCJS-GGFW")
_MG = ("F18-XMGL", "X21-XMGL")
_QT = ("F18-QT", "X21-QT")
_PCT = (0.0, 100.0)

TEMPLATES: tuple[IndicatorTemplate, ...] = (
    # Cross-cutting (every category but 项目管理费).
    _t("COM.01", "受益脱贫(建档立卡)人口数", (COMMON,), "效益/社会效益", "人", "≥", None, (1, 50000),
       "项目直接受益的脱贫(建档立卡)人口数,2021年起含防止返贫监测对象", SRC_SYSTEM, core=True,
       aliases=("受益建档立卡贫困人口数", "受益贫困人口数", "受益脱贫户和监测对象人数", "受益脱贫人口和监测对象数")),
    _t("COM.02", "项目(工程)验收合格率", (COMMON,), "产出/质量", "%", "=", 100, (95, 100),
       "验收合格的项目(工程)数 ÷ 实施的项目(工程)数 × 100%", SRC_ACCEPT,
       aliases=("项目验收合格率", "工程验收合格率", "工程质量合格率")),
    _t("COM.03", "项目(工程)完成及时率", (COMMON,), "产出/时效", "%", "=", 100, (90, 100),
       "按计划时限完成的项目(工程)数 ÷ 计划完成数 × 100%", SRC_PLAN,
       aliases=("项目完成及时率", "工程完成及时率", "项目按期完工率")),
    _t("COM.04", "受益群众满意度", (COMMON,), "满意度/服务对象满意度", "%", "≥", 90, (85, 100),
       "抽样调查中满意及基本满意的受益群众占比", SRC_SURVEY,
       aliases=("受益脱贫群众满意度", "受益贫困群众满意度", "受益对象满意度", "服务对象满意度", "群众满意度")),
    # 产业发展
    _t("CYFZ.01", "新增(改造)产业基地面积", _CY, "产出/数量", "亩", "≥", None, (10, 20000),
       "项目新建或改造的种植、养殖等产业基地面积", SRC_ACCEPT, aliases=("新增种植面积", "产业基地面积", "种植面积")),
    _t("CYFZ.02", "带动脱贫户数", _CY, "产出/数量", "户", "≥", None, (1, 5000),
       "通过务工、订单、入股、奖补等方式带动的脱贫户(含监测户)数", SRC_SYSTEM,
       aliases=("带动贫困户数", "带动建档立卡贫困户数", "扶持脱贫户数")),
    _t("CYFZ.03", "户均产业奖补标准", _CY, "产出/成本", "元/户", "≤", 3000, (500, 10000),
       "对发展产业的脱贫户的户均奖补金额", SRC_FUND, aliases=("产业奖补标准", "户均产业补助标准")),
    _t("CYFZ.04", "带动脱贫户户均增收", _CY, "效益/经济效益", "元/户", "≥", 1000, (300, 10000),
       "受带动脱贫户因项目实现的年户均增收", SRC_OPERATE, aliases=("户均增收", "脱贫户户均增收")),
    _t("CYFZ.05", "产业项目持续受益年限", _CY, "效益/可持续影响", "年", "≥", 3, (1, 20),
       "项目形成资产或产业持续带动受益的年限", SRC_PLAN),
    _t("CYFZ.06", "联农带农利益联结机制", ("X21-CYFZ",), "效益/可持续影响", "", "定性", "建立并正常运行", None,
       "经营主体与脱贫户建立订单、务工、入股分红等利益联结并按约履行", SRC_OPERATE),
    # 光伏
    _t("GF.01", "光伏电站装机容量", _GF, "产出/数量", "kW", "≥", 300, (20, 500),
       "村级光伏扶贫电站建成装机容量", SRC_ACCEPT, core=True,
       policy=PolicyStandard(500, "≤", "kW", "《光伏扶贫电站管理办法》:村级电站规模约300千瓦,具备条件的可放宽至500千瓦"),
       aliases=("村级光伏电站装机容量", "光伏电站建设规模", "装机容量")),
    _t("GF.02", "电站年发电量", _GF, "效益/经济效益", "万kWh", "≥", 33, (2, 70),
       "电站全年上网电量", "电网公司结算单", aliases=("年发电量",)),
    _t("GF.03", "电站年发电收益", _GF, "效益/经济效益", "万元", "≥", 25, (2, 60),
       "电站全年电费及补贴收入", "电网公司结算单、村集体收益台账", aliases=("光伏电站年收益", "发电收益")),
    _t("GF.04", "单位千瓦建设成本", _GF, "产出/成本", "元/kW", "≤", 5000, (3000, 9000),
       "电站总投资 ÷ 装机容量", SRC_FUND, aliases=("光伏电站单位造价", "每千瓦建设成本")),
    _t("GF.05", "电站设计运行年限", _GF, "效益/可持续影响", "年", "≥", 25, (20, 30),
       "电站设计运行年限", "电站设计文件"),
    # 资产收益扶贫
    _t("ZCSY.01", "资产股权年收益率", ("F18-CYFZ-ZCSY",), "效益/经济效益", "%", "≥", 8, (6, 15),
       "折股量化资产的年收益 ÷ 折股量化资金 × 100%", SRC_OPERATE, core=True,
       aliases=("资产收益率", "股权年收益率", "资产收益扶贫年收益率")),
    _t("ZCSY.02", "折股量化资金规模", ("F18-CYFZ-ZCSY",), "产出/数量", "万元", "≥", None, (5, 5000),
       "财政资金投入形成并折股量化到村到户的资产规模", SRC_FUND, aliases=("折股量化资金",)),
    _t("ZCSY.03", "享受资产收益脱贫户数", ("F18-CYFZ-ZCSY",), "产出/数量", "户", "≥", None, (1, 5000),
       "获得资产收益分配的脱贫户数", SRC_OPERATE),
    _t("ZCSY.04", "收益分配到户及时率", ("F18-CYFZ-ZCSY",), "产出/时效", "%", "=", 100, (90, 100),
       "按约定时间分配到户的收益 ÷ 应分配收益 × 100%", SRC_OPERATE),
    _t("ZCSY.05", "户均年分红", ("F18-CYFZ-ZCSY",), "效益/经济效益", "元/户", "≥", 500, (100, 5000),
       "享受资产收益脱贫户的户均年分红", SRC_OPERATE, aliases=("户均分红",)),
    # 电商
    _t("DS.01", "新建(改造)村级电商服务站点数", _DS, "产出/数量", "个", "≥", None, (1, 300),
       "新建或改造的村级电子商务服务站点", SRC_ACCEPT, aliases=("电商服务站点数",)),
    _t("DS.02", "电商培训人次", _DS, "产出/数量", "人次", "≥", None, (10, 5000),
       "开展电商知识与技能培训的人次", "培训签到表、培训台账"),
    _t("DS.03", "带动农产品网络销售额", _DS, "效益/经济效益", "万元", "≥", None, (5, 10000),
       "通过站点和平台实现的农产品网络销售额", "电商平台销售记录", aliases=("农产品网络销售额",)),
    _t("DS.04", "电商服务站点正常运营率", _DS, "效益/可持续影响", "%", "≥", 90, (70, 100),
       "正常运营站点数 ÷ 建成站点数 × 100%", "站点运营台账"),
    _t("DS.05", "站点建设补助标准", _DS, "产出/成本", "万元/个", "≤", 3, (0.5, 10),
       "每个村级电商服务站点的建设补助", SRC_FUND),
    # 就业
    _t("JYFP.01", "帮助脱贫劳动力就业人数", _JY, "产出/数量", "人", "≥", None, (1, 20000),
       "通过项目实现转移就业或就近就业的脱贫劳动力人数", SRC_SYSTEM, core=True,
       aliases=("转移就业脱贫劳动力人数", "稳定就业脱贫劳动力人数", "脱贫劳动力务工就业人数")),
    _t("JYFP.02", "技能培训人次", _JY, "产出/数量", "人次", "≥", None, (10, 10000),
       "开展就业技能、创业培训的人次", "培训签到表、培训台账", aliases=("培训人次", "就业技能培训人次")),
    _t("JYFP.03", "培训后就业率", _JY, "产出/质量", "%", "≥", 60, (40, 100),
       "培训后实现就业人数 ÷ 培训人数 × 100%", "就业登记台账"),
    _t("JYFP.04", "外出务工一次性交通补助标准", _JY, "产出/成本", "元/人", "≤", 500, (100, 1500),
       "跨省或跨县外出务工脱贫劳动力一次性交通补助", SRC_FUND, aliases=("交通补助标准", "务工交通补贴标准")),
    _t("JYFP.05", "务工脱贫劳动力人均年收入", _JY, "效益/经济效益", "元/人", "≥", 20000, (5000, 80000),
       "项目带动就业的脱贫劳动力人均年工资性收入", SRC_SYSTEM, aliases=("人均务工收入",)),
    # 公益岗位
    _t("GYGW.01", "开发公益岗位数", _GY, "产出/数量", "个", "≥", None, (1, 3000),
       "开发并安置脱贫劳动力的公益岗位数", "公益岗位台账", core=True, aliases=("公益岗位数", "设置公益性岗位数")),
    _t("GYGW.02", "公益岗位补贴标准", _GY, "产出/成本", "元/人·月", "≤", 500, (200, 2000),
       "公益岗位人员每人每月补贴", SRC_FUND, aliases=("公益岗位补贴", "公益性岗位补贴标准")),
    _t("GYGW.03", "岗位补贴按月发放率", _GY, "产出/时效", "%", "=", 100, (90, 100),
       "按月发放的补贴 ÷ 应发补贴 × 100%", SRC_FUND),
    _t("GYGW.04", "公益岗位人员在岗率", _GY, "产出/质量", "%", "≥", 95, (80, 100),
       "考核在岗人数 ÷ 安置人数 × 100%", "公益岗位考勤记录"),
    # 扶贫(帮扶)车间
    _t("FPCJ.01", "扶贫(帮扶)车间数", _CJ, "产出/数量", "个", "≥", None, (1, 100),
       "认定并给予奖补的扶贫(帮扶)车间数", "车间认定文件", aliases=("扶贫车间数", "帮扶车间数", "就业帮扶车间数")),
    _t("FPCJ.02", "车间吸纳脱贫劳动力就业人数", _CJ, "效益/社会效益", "人", "≥", None, (5, 2000),
       "车间稳定吸纳的脱贫劳动力人数", "车间用工花名册"),
    _t("FPCJ.03", "车间建设奖补标准", _CJ, "产出/成本", "万元/个", "≤", 10, (1, 50),
       "每个车间的一次性建设奖补", SRC_FUND),
    _t("FPCJ.04", "车间持续运营率", _CJ, "效益/可持续影响", "%", "≥", 90, (70, 100),
       "持续运营车间数 ÷ 奖补车间数 × 100%", "车间运营台账"),
    # 易地扶贫搬迁
    _t("YDBQ.01", "搬迁安置脱贫人口数", ("F18-YDBQ",), "产出/数量", "人", "≥", None, (1, 20000),
       "完成搬迁入住的建档立卡人口数", SRC_SYSTEM, core=True,
       aliases=("易地扶贫搬迁人口数", "搬迁安置建档立卡人口数", "搬迁人口数")),
    _t("YDBQ.02", "安置住房建设套数", ("F18-YDBQ",), "产出/数量", "套", "≥", None, (1, 5000),
       "建成的安置住房套数", SRC_ACCEPT),
    _t("YDBQ.03", "易地搬迁人均住房面积", ("F18-YDBQ",), "产出/质量", "㎡", "≤", 25, (15, 25),
       "建档立卡搬迁户人均住房建设面积", "住房设计及验收资料",
       policy=PolicyStandard(25, "≤", "㎡", "《全国“十三五”易地扶贫搬迁规划》:人均住房建设面积不超过25平方米"),
       aliases=("人均住房建设面积", "人均住房面积")),
    _t("YDBQ.04", "人均住房建设补助标准", ("F18-YDBQ",), "产出/成本", "元/人", "≤", 20000, (8000, 30000),
       "建档立卡搬迁人口人均住房建设补助", SRC_FUND, aliases=("住房建设补助标准",)),
    _t("YDBQ.05", "搬迁群众入住率", ("F18-YDBQ",), "效益/社会效益", "%", "≥", 95, (80, 100),
       "已入住户数 ÷ 应搬迁户数 × 100%", "搬迁入住台账", aliases=("搬迁入住率",)),
    # 易地搬迁后扶
    _t("YDHF.01", "就业帮扶搬迁劳动力人数", ("X21-YDHF",), "产出/数量", "人", "≥", None, (1, 20000),
       "通过项目实现就业的搬迁劳动力人数", SRC_SYSTEM, core=True, aliases=("搬迁劳动力就业人数",)),
    _t("YDHF.02", "安置区配套设施建设项目数", ("X21-YDHF",), "产出/数量", "个", "≥", None, (1, 100),
       "安置区新建或完善的配套设施项目数", SRC_ACCEPT),
    _t("YDHF.03", "后续产业项目数", ("X21-YDHF",), "产出/数量", "个", "≥", None, (1, 50),
       "安置区配套的后续产业项目数", SRC_ACCEPT),
    _t("YDHF.04", "后续扶持户均投入", ("X21-YDHF",), "产出/成本", "元/户", "≤", 5000, (500, 20000),
       "后续扶持资金 ÷ 受益搬迁户数", SRC_FUND),
    _t("YDHF.05", "有劳动力搬迁家庭至少一人就业比例", ("X21-YDHF",), "效益/社会效益", "%", "=", 100, (90, 100),
       "至少一人就业的有劳动力搬迁家庭 ÷ 有劳动力搬迁家庭 × 100%", SRC_SYSTEM),
    # 教育
    _t("JIAOYU.01", "雨露计划补助学生人数", _EDU, "产出/数量", "人", "≥", None, (1, 20000),
       "享受雨露计划职业教育补助的脱贫家庭学生人数", SRC_SYSTEM, core=True,
       aliases=("资助脱贫家庭学生人数", "雨露计划资助人数", "补助学生人数")),
    _t("JIAOYU.02", "雨露计划补助标准", _EDU, "产出/成本", "元/生·学期", "=", 1500, (1000, 3000),
       "每生每学期补助金额", SRC_FUND,
       policy=PolicyStandard(1500, "=", "元/生·学期", "雨露计划职业教育补助:每生每学期1500元(每年3000元,省定标准)"),
       aliases=("雨露计划补助", "雨露计划资助标准")),
    _t("JIAOYU.03", "补助资金足额发放率", _EDU, "产出/质量", "%", "=", 100, (95, 100),
       "足额发放到人的补助 ÷ 应发补助 × 100%", SRC_FUND, aliases=("补助资金发放到位率",)),
    _t("JIAOYU.04", "补助资金发放及时率", _EDU, "产出/时效", "%", "=", 100, (90, 100),
       "按学期时限发放的补助 ÷ 应发补助 × 100%", SRC_FUND),
    _t("JIAOYU.05", "受助学生毕业就业率", _EDU, "效益/社会效益", "%", "≥", 80, (50, 100),
       "受助毕业生就业人数 ÷ 受助毕业生人数 × 100%", "学校就业统计"),
    # 健康
    _t("JKFP.01", "资助参保脱贫人口数", _JK, "产出/数量", "人", "≥", None, (1, 100000),
       "财政资助参加城乡居民基本医疗保险的脱贫人口数", "医保部门参保数据", core=True,
       aliases=("资助参保人数", "资助参加城乡居民基本医疗保险人数")),
    _t("JKFP.02", "脱贫人口基本医疗保险参保率", (*_JK, "X21-GGSBZ"), "产出/质量", "%", "=", 100, (99, 100),
       "参保脱贫人口 ÷ 脱贫人口 × 100%", "医保部门参保数据", aliases=("建档立卡贫困人口参保率", "参保率")),
    _t("JKFP.03", "个人缴费资助标准", _JK, "产出/成本", "元/人", "≤", 220, (30, 400),
       "对脱贫人口参保个人缴费部分的人均资助", SRC_FUND, aliases=("参保资助标准",)),
    _t("JKFP.04", "住院费用实际报销比例", _JK, "效益/社会效益", "%", "≥", 90, (80, 100),
       "脱贫患者住院费用经各项保障后的实际报销比例", "医保一站式结算数据",
       aliases=("贫困患者住院费用实际报销比例", "住院医疗费用报销比例")),
    _t("JKFP.05", "家庭医生签约服务覆盖率", _JK, "效益/社会效益", "%", "≥", 95, (80, 100),
       "签约脱贫人口 ÷ 脱贫人口 × 100%", "卫健部门签约数据", aliases=("家庭医生签约服务率",)),
    # 危房改造
    _t("WFGZ.01", "危房改造户数", _WF, "产出/数量", "户", "≥", None, (1, 5000),
       "完成改造并竣工验收的农村危房户数", "农村危房改造信息系统", core=True,
       aliases=("农村危房改造户数", "完成危房改造户数", "农村低收入群体危房改造户数")),
    _t("WFGZ.02", "危房改造户均补助", _WF, "产出/成本", "元/户", "≤", 14000, (8000, 40000),
       "户均补助金额;2017年起中央户均补助1.4万元,各地按危房等级和对象分档", SRC_FUND,
       aliases=("危房改造户均补助标准", "户均补助标准")),
    _t("WFGZ.03", "危房改造竣工验收合格率", _WF, "产出/质量", "%", "=", 100, (95, 100),
       "验收合格户数 ÷ 改造户数 × 100%", SRC_ACCEPT, aliases=("改造房屋验收合格率",)),
    _t("WFGZ.04", "改造户住房安全保障率", _WF, "效益/社会效益", "%", "=", 100, (95, 100),
       "改造后住房安全有保障的户数 ÷ 改造户数 × 100%", "住房安全鉴定资料", aliases=("住房安全有保障率",)),
    _t("WFGZ.05", "改造后房屋安全使用年限", _WF, "效益/可持续影响", "年", "≥", 20, (10, 50),
       "改造后房屋预期安全使用年限", "住房设计及鉴定资料"),
    # 金融
    _t("JRFP.01", "扶贫小额信贷发放金额", _JR, "产出/数量", "万元", "≥", None, (5, 50000),
       "当年向脱贫户发放的扶贫小额信贷金额", "银行放贷台账", aliases=("小额信贷发放额", "扶贫小额贷款发放金额")),
    _t("JRFP.02", "获贷脱贫户数", _JR, "产出/数量", "户", "≥", None, (1, 10000),
       "获得扶贫小额信贷的脱贫户数", "银行放贷台账", core=True,
       aliases=("获得扶贫小额信贷脱贫户数", "贷款户数")),
    _t("JRFP.03", "户均贷款额度", _JR, "产出/质量", "万元/户", "≤", 5, (1, 5),
       "扶贫小额信贷户均贷款额", "银行放贷台账",
       policy=PolicyStandard(5, "≤", "万元/户", "扶贫小额信贷政策:5万元以下、3年以内、免担保免抵押、财政贴息")),
    _t("JRFP.04", "扶贫小额信贷贴息利率", _JR, "产出/成本", "%", "≤", 4.35, (2, 5),
       "财政贴息执行的年利率(原则上不超过同期贷款基础利率)", SRC_FUND, aliases=("贴息利率",)),
    _t("JRFP.05", "贷款逾期率", _JR, "效益/可持续影响", "%", "≤", 2, (0, 5),
       "逾期贷款余额 ÷ 贷款余额 × 100%", "银行放贷台账"),
    # 生活条件改善 / 人居环境
    _t("SHTJ.01", "入户路硬化里程", ("F18-SHTJ",), "产出/数量", "公里", "≥", None, (0.1, 100),
       "新建或硬化的入户道路长度", SRC_ACCEPT),
    _t("SHTJ.02", "解决安全饮水人口数", ("F18-SHTJ", "X21-XCJS"), "产出/数量", "人", "≥", None, (10, 50000),
       "新解决或巩固提升饮水安全的人口数", "水利部门供水工程台账",
       aliases=("巩固提升农村供水保障人口数", "受益饮水人口数")),
    _t("SHTJ.03", "改厕户数", ("F18-SHTJ", "X21-XCJS"), "产出/数量", "户", "≥", None, (1, 5000),
       "完成卫生厕所改造的农户数", SRC_ACCEPT, aliases=("卫生厕所改造户数", "农村户厕改造户数")),
    _t("SHTJ.04", "饮用水水质达标率", ("F18-SHTJ", "X21-XCJS"), "产出/质量", "%", "=", 100, (95, 100),
       "水质检测达标的供水工程 ÷ 检测工程 × 100%", "水质检测报告"),
    _t("SHTJ.05", "户均改厕补助标准", ("F18-SHTJ", "X21-XCJS-RJHJ"), "产出/成本", "元/户", "≤", 1000, (300, 5000),
       "每户卫生厕所改造补助", SRC_FUND, aliases=("改厕补助标准",)),
    # 综合保障
    _t("ZHBZ.01", "纳入兜底保障脱贫人口数", _ZH, "产出/数量", "人", "≥", None, (1, 50000),
       "纳入低保、特困供养等兜底保障的脱贫人口数", "民政部门救助系统", core=True, aliases=("兜底保障人数",)),
    _t("ZHBZ.02", "农村低保保障标准", _ZH, "产出/质量", "元/人·年", "≥", 5000, (3000, 12000),
       "当年农村最低生活保障标准(应不低于国家扶贫标准)", "民政部门标准文件", aliases=("农村低保标准",)),
    _t("ZHBZ.03", "留守关爱服务人次", _ZH, "产出/数量", "人次", "≥", None, (10, 10000),
       "对留守儿童、妇女、老人的关爱服务人次", "关爱服务台账"),
    _t("ZHBZ.04", "兜底保障资金按时足额发放率", _ZH, "产出/时效", "%", "=", 100, (95, 100),
       "按时足额发放的保障资金 ÷ 应发资金 × 100%", SRC_FUND),
    _t("ZHBZ.05", "临时救助人均补助标准", _ZH, "产出/成本", "元/人", "≤", 1000, (200, 5000),
       "临时救助的人均救助金额", SRC_FUND, aliases=("临时救助标准",)),
    _t("ZHBZ.06", "城乡居民基本养老保险参保率", _ZH, "效益/社会效益", "%", "=", 100, (95, 100),
       "参保脱贫人口 ÷ 应参保脱贫人口 × 100%", "人社部门参保数据"),
    # 村基础设施 / 乡村建设
    _t("JCSS.01", "道路硬化里程", _JC, "产出/数量", "公里", "≥", None, (0.2, 200),
       "新建或硬化的通村通组道路、产业路长度", SRC_ACCEPT,
       aliases=("通村道路硬化里程", "硬化道路里程", "新建道路里程", "产业路硬化里程")),
    _t("JCSS.02", "新增灌溉面积", _JC, "产出/数量", "亩", "≥", None, (10, 50000),
       "新增或改善的有效灌溉面积", "水利部门工程验收资料", aliases=("新增(改善)灌溉面积", "改善灌溉面积")),
    _t("JCSS.03", "新建(修复)小型水利设施数", _JC, "产出/数量", "处", "≥", None, (1, 300),
       "新建或修复的山塘、堰坝、泵站、渠道等小型水利设施数", SRC_ACCEPT, aliases=("小型水利设施数",)),
    _t("JCSS.04", "道路硬化单位造价", _JC, "产出/成本", "万元/公里", "≤", 60, (20, 200),
       "道路硬化工程投资 ÷ 硬化里程", SRC_FUND, aliases=("道路建设单位成本", "每公里建设成本")),
    _t("JCSS.05", "工程设计使用年限", _JC, "效益/可持续影响", "年", "≥", 10, (5, 50),
       "工程设计使用年限", "工程设计文件", aliases=("工程使用年限",)),
    # 村公共服务
    _t("GGFW.01", "新建(改造)村级公共服务设施数", _GG, "产出/数量", "个", "≥", None, (1, 100),
       "新建或改造的村小学、幼儿园、文化活动广场等设施数", SRC_ACCEPT, aliases=("公共服务设施数",)),
    _t("GGFW.02", "新建(改造)建筑面积", _GG, "产出/数量", "㎡", "≥", None, (50, 10000),
       "新建或改造的建筑或场地面积", SRC_ACCEPT, aliases=("建设面积",)),
    _t("GGFW.03", "单位面积建设成本", _GG, "产出/成本", "元/㎡", "≤", 1500, (300, 4000),
       "工程投资 ÷ 建筑面积", SRC_FUND, aliases=("每平方米建设成本",)),
    _t("GGFW.04", "设施服务覆盖人口数", _GG, "效益/社会效益", "人", "≥", None, (100, 50000),
       "设施服务范围内的人口数", SRC_DEPT),
    _t("GGFW.05", "公共服务设施使用年限", _GG, "效益/可持续影响", "年", "≥", 20, (10, 50),
       "设施设计使用年限", "工程设计文件"),
    # 项目管理费
    _t("XMGL.01", "项目管理费支持项目数", _MG, "产出/数量", "个", "≥", None, (1, 1000),
       "使用管理费开展前期设计、评审、招标、监理及验收的项目数", "项目管理费支出台账", core=True,
       aliases=("管理费支持项目个数", "项目前期设计评审招标监理验收项目数")),
    _t("XMGL.02", "项目管理费占比", _MG, "产出/成本", "%", "≤", 1, (0.1, 1),
       "项目管理费 ÷ 当年专项(衔接)资金 × 100%", SRC_FUND,
       policy=PolicyStandard(1, "≤", "%", "县级按最高不超过1%的比例安排项目管理费"),
       aliases=("项目管理费占扶贫资金比例", "项目管理费占衔接资金比例")),
    _t("XMGL.03", "管理费支出合规率", _MG, "产出/质量", "%", "=", 100, (95, 100),
       "符合规定用途的支出 ÷ 管理费支出 × 100%", SRC_FUND),
    _t("XMGL.04", "管理费支付及时率", _MG, "产出/时效", "%", "=", 100, (90, 100),
       "按合同时限支付的金额 ÷ 应支付金额 × 100%", SRC_FUND),
    _t("XMGL.05", "项目管理规范化水平", _MG, "效益/社会效益", "", "定性", "达到优良等级", None,
       "按项目库管理、公告公示、验收等要求评定的管理水平(优、良、中、差)", "主管部门考核结果"),
    _t("XMGL.06", "项目实施单位满意度", _MG, "满意度/服务对象满意度", "%", "≥", 90, (85, 100),
       "项目实施单位对前期设计、评审、监理等服务的满意度", SRC_SURVEY),
    # 其他
    _t("QT.01", "实施项目个数", _QT, "产出/数量", "个", "≥", None, (1, 200),
       "当年实施的项目个数", SRC_ACCEPT),
    _t("QT.02", "单个项目平均投资", _QT, "产出/成本", "万元/个", "≤", None, (1, 500),
       "项目总投资 ÷ 实施项目个数", SRC_FUND),
    _t("QT.03", "受益农户数", _QT, "效益/社会效益", "户", "≥", None, (1, 20000),
       "项目直接受益的农户数", SRC_SYSTEM),
    _t("QT.04", "资金拨付及时率", _QT, "产出/时效", "%", "=", 100, (90, 100),
       "按时限拨付的资金 ÷ 应拨付资金 × 100%", SRC_FUND),
    # 乡村治理和精神文明建设
    _t("XCZL.01", "开展乡村治理和文明创建活动次数", ("X21-XCZL",), "产出/数量", "次", "≥", None, (1, 500),
       "开展的乡村治理、移风易俗、文明创建活动次数", "活动记录"),
    _t("XCZL.02", "建成新时代文明实践站(所)数", ("X21-XCZL",), "产出/数量", "个", "≥", None, (1, 200),
       "建成并挂牌的新时代文明实践站(所)数", SRC_ACCEPT, aliases=("文明实践站数",)),
    _t("XCZL.03", "村规民约修订完善覆盖率", ("X21-XCZL",), "产出/质量", "%", "=", 100, (90, 100),
       "修订完善村规民约的村 ÷ 项目村 × 100%", "村规民约文本"),
    _t("XCZL.04", "积分制管理覆盖村数", ("X21-XCZL",), "效益/社会效益", "个", "≥", None, (1, 500),
       "推行积分制、清单制管理的村数", "乡镇工作台账"),
    _t("XCZL.05", "单个实践站建设成本", ("X21-XCZL",), "产出/成本", "万元/个", "≤", 5, (0.5, 30),
       "实践站建设投入 ÷ 建成站点数", SRC_FUND),
    _t("XCZL.06", "乡风文明程度", ("X21-XCZL",), "效益/可持续影响", "", "定性", "达到县级文明村标准", None,
       "对照县级文明村测评标准评定", "文明村测评结果"),
    # 巩固三保障成果(上级类别自有指标;住房、教育、健康、综合保障由子类别继承对应指标)
    _t("GGSBZ.01", "三保障帮扶对象人数", ("X21-GGSBZ",), "产出/数量", "人", "≥", None, (1, 50000),
       "享受住房、教育、医疗保障帮扶的脱贫人口和监测对象人数", SRC_SYSTEM),
    _t("GGSBZ.02", "人均帮扶资金", ("X21-GGSBZ",), "产出/成本", "元/人", "≤", None, (100, 30000),
       "项目资金 ÷ 帮扶对象人数", SRC_FUND),
    _t("GGSBZ.03", "脱贫人口住房安全保障率", ("X21-GGSBZ",), "效益/社会效益", "%", "=", 100, (95, 100),
       "住房安全有保障的脱贫人口 ÷ 脱贫人口 × 100%", "住房安全鉴定资料"),
    _t("GGSBZ.04", "义务教育阶段失学辍学人数", ("X21-GGSBZ",), "效益/社会效益", "人", "=", 0, (0, 0),
       "脱贫家庭义务教育阶段适龄儿童失学辍学人数(动态清零)", "教育部门控辍保学台账"),
    _t("GGSBZ.05", "三保障补助资金按时足额发放率", ("X21-GGSBZ",), "产出/时效", "%", "=", 100, (95, 100),
       "按时足额发放的补助 ÷ 应发补助 × 100%", SRC_FUND),
)  # fmt: skip


_MEMO_LIMIT = 50_000
_T = TypeVar("_T")


@dataclass(frozen=True)
class LibraryView:
    """The library as review needs it; build one from these constants or from database rows.

    Lookups are memoised on the view (it is immutable): a batch review or an import asks the same questions
    for thousands of goals."""

    categories: tuple[Category, ...]
    templates: tuple[IndicatorTemplate, ...]
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def category(self, code_or_name: str | None, year: int | None = None) -> Category | None:
        """Returns the category by code (any case) or by Chinese name valid in `year` (top level first)."""
        key = ("category", code_or_name, year)
        if key not in self._memo:
            self._remember(key, self._category(code_or_name, year))
        return self._memo[key]

    def recall(self, key: tuple) -> Any:
        """Returns what `remember` stored under `key` for this view, or None: for results that depend only on the
        key and the library (the review's prepared rows)."""
        return self._memo.get(key)

    def remember(self, key: tuple, value: _T) -> _T:
        self._remember(key, value)
        return value

    def _remember(self, key: tuple, value: object) -> None:
        if len(self._memo) >= _MEMO_LIMIT:  # the shipped view lives as long as the process: stay bounded
            self._memo.clear()
        self._memo[key] = value

    def _category(self, code_or_name: str | None, year: int | None) -> Category | None:
        wanted = (code_or_name or "").strip()
        for category in self.categories:
            if category.code.lower() == wanted.lower():
                return category
        named = [c for c in self.categories if c.name == wanted and (year is None or c.valid_in(year))]
        named.sort(key=lambda c: (c.parent is not None, -c.valid_from))
        return named[0] if named else None

    def categories_for_year(self, year: int) -> list[Category]:
        return [c for c in self.categories if c.valid_in(year)]

    def templates_for(self, code: str) -> list[IndicatorTemplate]:
        """Returns the templates offered for a category: cross-cutting, the parent's, then its own."""
        return list(self._templates_for(code))

    def _templates_for(self, code: str | None) -> tuple[IndicatorTemplate, ...]:
        key = ("templates_for", code)
        found = self._memo.get(key)
        if found is None:
            category = self.category(code)
            if category is None:
                found = ()
            else:
                wanted = {category.code, category.parent} - {None}
                if category.common_indicators:
                    wanted.add(COMMON)
                found = tuple(t for t in self.templates if wanted.intersection(t.categories))
            self._remember(key, found)
        return found

    def core_templates(self, code: str) -> list[IndicatorTemplate]:
        return [t for t in self._templates_for(code) if t.core]

    def match(self, name: str, category: str | None = None, code: str | None = None) -> IndicatorTemplate | None:
        """Returns the template for an indicator: by template code, else by name within the category,
        else by name anywhere in the library."""
        key = ("match", name, category, code)
        if key not in self._memo:
            self._remember(key, self._match(name, category, code))
        return self._memo[key]

    def _match(self, name: str, category: str | None, code: str | None) -> IndicatorTemplate | None:
        if code:
            found = next((t for t in self.templates if t.code == code), None)
            if found:
                return found
        keys = name_variants(name)
        if not keys:
            return None
        pools = [self._templates_for(category)] if category else []
        for pool in [*pools, self.templates]:
            found = next((t for t in pool if keys & t.match_keys()), None)
            if found:
                return found
        return None


@cache
def default_library() -> LibraryView:
    """Returns the shipped library (the constants of this module)."""
    return LibraryView(categories=CATEGORIES, templates=TEMPLATES)
