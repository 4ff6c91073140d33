"""The demo city, modelled on the seed report: Wuhan's finance bureau, six districts, 13 departments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from jixiao.accounts.actions import do_assign_role, do_create_user, sync_builtin_roles
from jixiao.accounts.models import Role, User
from jixiao.orgs.actions import do_save_region, do_save_unit
from jixiao.orgs.models import Region, Unit

DEMO_PASSWORD = "Demo@2026!"

CITY = ("420100", "武汉市", 8_600_000)

# District code, name, and four towns/streets (statistical 9-digit codes).
DISTRICTS: list[tuple[str, str, list[str]]] = [
    ("420117", "新洲区", ["邾城街道", "仓埠街道", "旧街街道", "凤凰镇"]),
    ("420114", "蔡甸区", ["蔡甸街道", "索河街道", "侏儒山街道", "消泗乡"]),
    ("420113", "汉南区", ["纱帽街道", "邓南街道", "东荆街道", "湘口街道"]),
    ("420116", "黄陂区", ["前川街道", "祁家湾街道", "蔡店街道", "木兰乡"]),
    ("420115", "江夏区", ["纸坊街道", "金口街道", "湖泗街道", "法泗街道"]),
    ("420112", "东西湖区", ["吴家山街道", "柏泉街道", "辛安渡街道", "东山街道"]),
]

VILLAGE_NAMES = ["新建村", "红星村", "永丰村", "和平村", "光明村", "建设村", "先锋村", "胜利村"]

DEPARTMENTS: list[tuple[str, str, list[str]]] = [
    ("SNYNCJ", "市农业农村局", ["市农业技术推广中心", "市农产品质量安全检测中心"]),
    ("SXCZXJ", "市乡村振兴局", ["市扶贫开发服务中心"]),
    ("SSWJ", "市水务局", ["市农村供水管理站"]),
    ("SJYJ", "市教育局", ["市学生资助管理中心"]),
    ("SRSJ", "市人力资源和社会保障局", ["市就业训练中心"]),
    ("SMZJ", "市民政局", ["市社会救助服务中心"]),
    ("SWJW", "市卫生健康委员会", ["市基层卫生服务中心"]),
    ("SZJJ", "市住房和城乡建设局", ["市农村住房建设服务站"]),
    ("SJTJ", "市交通运输局", ["市农村公路管理处"]),
    ("SZRZYJ", "市自然资源和规划局", ["市土地整理中心"]),
    ("SLYJ", "市园林和林业局", ["市林业工作站"]),
    ("SSWJU", "市商务局", ["市电子商务发展中心"]),
    ("SCL", "市残疾人联合会", ["市残疾人就业服务中心"]),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_code: str
    role: str


DEMO_USERS = [
    DemoUser("perf_admin", "王绩效", "CZJ-JXC", "perf_admin"),
    DemoUser("agri_div", "李农财", "CZJ-NYC", "fund_division"),
    DemoUser("xinzhou_fin", "张新洲", "420117-CZJ", "district_finance"),
    DemoUser("jiangxia_fin", "陈江夏", "420115-CZJ", "district_finance"),
    DemoUser("dept_agri", "刘农业", "SNYNCJ", "department"),
    DemoUser("unit_xinzhou", "赵仓埠", "420117-U2", "project_unit"),
    DemoUser("third_party", "孙评价", "DSF-CT", "third_party"),
    DemoUser("inspector", "周纪检", "SJW", "inspector"),
    DemoUser("sysadmin", "吴系统", "CZJ-XXZX", "sysadmin"),
    DemoUser("secadmin", "郑安全", "CZJ-XXZX", "secadmin"),
    DemoUser("auditadmin", "冯审计", "CZJ-XXZX", "auditadmin"),
]


def _region(code: str, name: str, level: str, parent: Region | None, population: int | None) -> Region:
    region = Region.objects.filter(code=code).first() or Region()
    if region.pk:
        return region
    return do_save_region(
        region=region,
        acting_user=None,
        changes={"code": code, "name": name, "level": level, "parent": parent, "population": population},
    )


def _unit(code: str, name: str, kind: str, region: Region, parent: Unit | None = None) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    return do_save_unit(
        unit=Unit(),
        acting_user=None,
        changes={"code": code, "name": name, "kind": kind, "region": region, "parent": parent},
    )


def load_regions() -> dict[str, Region]:
    city = _region(CITY[0], CITY[1], "city", None, CITY[2])
    regions = {city.code: city}
    for d_index, (code, name, towns) in enumerate(DISTRICTS):
        district = _region(code, name, "district", city, 600_000 + 90_000 * d_index)
        regions[code] = district
        for t_index, town_name in enumerate(towns):
            town_code = f"{code}{100 + t_index:03d}"
            town = _region(town_code, town_name, "town", district, 40_000 + 3_000 * t_index)
            regions[town_code] = town
            for v_index in range(4):
                village_code = f"{town_code}{201 + v_index:03d}"
                village_name = town_name[:2] + VILLAGE_NAMES[(t_index + v_index + d_index) % len(VILLAGE_NAMES)]
                regions[village_code] = _region(
                    village_code, village_name, "village", town, 1_200 + 170 * ((v_index + t_index * 3 + d_index) % 9)
                )
    return regions


def load_units(regions: dict[str, Region]) -> None:
    city = regions[CITY[0]]
    bureau = _unit("CZJ", "武汉市财政局", "finance_bureau", city)
    _unit("CZJ-JXC", "预算绩效管理处", "finance_division", city, bureau)
    _unit("CZJ-NYC", "农业农村处", "finance_division", city, bureau)
    _unit("CZJ-XXZX", "财政信息中心", "finance_division", city, bureau)
    for code, name, children in DEPARTMENTS:
        dept = _unit(code, name, "department", city, None)
        for index, child in enumerate(children, start=1):
            _unit(f"{code}-{index}", child, "project_unit", city, dept)
    for code, name, towns in DISTRICTS:
        district = regions[code]
        _unit(f"{code}-CZJ", f"{name}财政局", "district_finance", district)
        agri = _unit(f"{code}-NYJ", f"{name}农业农村局", "department", district)
        for t_index, town_name in enumerate(towns[:3], start=1):
            town = regions[f"{code}{99 + t_index:03d}"]
            _unit(f"{code}-U{t_index}", f"{name}{town_name}农业服务中心", "project_unit", town, agri)
    _unit("DSF-CT", "湖北楚天绩效评价咨询有限公司", "third_party", city)
    _unit("SJW", "武汉市纪委监委", "inspection", city)


def load_users() -> list[str]:
    created = []
    roles = {r.code: r for r in Role.objects.all()}
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue
        user = do_create_user(
            username=spec.username,
            full_name=spec.full_name,
            unit=Unit.objects.get(code=spec.unit_code),
            password=DEMO_PASSWORD,
            must_change_password=False,
            acting_user=None,
        )
        do_assign_role(user=user, role=roles[spec.role], acting_user=None)
        created.append(spec.username)
    return created


@transaction.atomic
def load() -> dict[str, int]:
    """Create whatever part of the demo city is missing; running it twice changes nothing."""
    sync_builtin_roles()
    regions = load_regions()
    load_units(regions)
    users = load_users()
    return {"regions": Region.objects.count(), "units": Unit.objects.count(), "new_users": len(users)}
