"""Demo funds and monitoring: allocations and payments for the 2021 demo projects with a budget, and one
monitoring round 2021 1–6月 with 监控表 in every workflow state (filled, reviewed and returned by the demo users
whose scope reaches them), some yellow and some red.

Deterministic (seeded random) and idempotent: projects that already have allocations are skipped, and the round
is opened once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.accounts.permissions import Perm
from jixiao.funds.models import Allocation, FundLevel, Payment
from jixiao.monitoring import actions as monitoring
from jixiao.monitoring import round_actions
from jixiao.monitoring.models import Cause, Likelihood, MonitoringReport, MonitoringRound, WarningLevel
from jixiao.projects.models import FundSource, Project

ROUND_NAME = "2021年1–6月绩效运行监控"
YEAR = 2021
CENT = Decimal("0.01")
LEVELS = {
    FundSource.CENTRAL: FundLevel.CENTRAL,
    FundSource.XIANJIE: FundLevel.CENTRAL,
    FundSource.PROVINCE: FundLevel.PROVINCE,
    FundSource.CITY: FundLevel.CITY,
    FundSource.INTEGRATED: FundLevel.DISTRICT,
    FundSource.DISTRICT: FundLevel.DISTRICT,
    FundSource.OTHER: FundLevel.DISTRICT,
}
MEASURES = {
    Cause.MANAGEMENT: "督促施工单位增加作业面,每周报送进度",
    Cause.FUNDING: "加快资金拨付,按月调度支付进度",
    Cause.HARDWARE: "协调设备供应商提前到货安装",
    Cause.PLANNING: "按实际情况申请调整绩效目标",
}


def _funds_for(project: Project, rng: random.Random, serial: int) -> tuple[list[Allocation], list[Payment]]:
    allocations, payments = [], []
    for index, line in enumerate(project.funds.all(), start=1):
        amount = (line.amount_wan * 10000).quantize(CENT)
        received = dt.date(YEAR, 1, 20) + dt.timedelta(days=rng.randrange(0, 60))
        delay = rng.choice([5, 10, 15, 20, 25, 45])  # one in six passed down late (F01)
        allocations.append(
            Allocation(
                project=project,
                document_no=line.document_no or f"武财农〔{YEAR}〕{serial:03d}-{index}号",
                fund_name=line.get_source_display(),
                source=line.source,
                level=LEVELS.get(FundSource(line.source), FundLevel.DISTRICT),
                amount=amount,
                received_on=received,
                allocated_on=received + dt.timedelta(days=delay),
            )
        )
        share = Decimal(str(rng.choice([0.2, 0.32, 0.42, 0.45, 0.48, 0.52, 0.55, 0.6, 0.7, 0.9])))
        for part in range(3):
            paid = (amount * share / 3).quantize(CENT)
            if not paid:
                continue
            payments.append(
                Payment(
                    voucher_no=f"ZF{YEAR}{serial:04d}{index}{part}",
                    project=project,
                    source=line.source,
                    paid_on=dt.date(YEAR, 3 + part, 10 + rng.randrange(0, 15)),
                    amount=paid,
                    payee=f"{project.unit.name}工程款收款人",
                    is_final_recipient=part != 2 or rng.random() > 0.2,
                    summary="工程进度款",
                )
            )
        # The second half of the year (after the demo round's cut-off): most projects end the year nearly spent.
        retention = (amount * Decimal("0.03")).quantize(CENT) if rng.random() < 0.2 else Decimal("0")
        rest = amount - (amount * share / 3).quantize(CENT) * 3 - retention
        late = (rest * Decimal(str(rng.choice([1, 1, 0.99, 0.97, 0.8])))).quantize(CENT)
        if late > 0:
            payments.append(
                Payment(
                    voucher_no=f"ZF{YEAR}{serial:04d}{index}9",
                    project=project,
                    source=line.source,
                    paid_on=dt.date(YEAR, 10 + rng.randrange(0, 3), 10 + rng.randrange(0, 15)),
                    amount=late,
                    payee=f"{project.unit.name}工程款收款人",
                    summary="工程结算款",
                )
            )
        if retention:  # held back from the contractor: paid into the retention account, counted as unspent
            payments.append(
                Payment(
                    voucher_no=f"ZB{YEAR}{serial:04d}{index}",
                    project=project,
                    source=line.source,
                    paid_on=dt.date(YEAR, 6, 20),
                    amount=retention,
                    payee=f"{project.unit.name}质保金专户",
                    is_retention=True,
                    summary="质保金(不计入执行数)",
                )
            )
    return allocations, payments


def load_funds() -> int:
    rng = random.Random(2019)
    projects = (
        Project.objects.filter(year=YEAR, status__in=round_actions.MONITORED_STATUSES, allocations__isnull=True)
        .select_related("unit")
        .prefetch_related("funds")
        .order_by("code")
    )
    allocations, payments = [], []
    for serial, project in enumerate(projects, start=1):
        a, p = _funds_for(project, rng, serial)
        allocations += a
        payments += p
    Allocation.objects.bulk_create(allocations, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000, ignore_conflicts=True)
    return len(allocations)


def _fill(report: MonitoringReport, rng: random.Random, unit: User | None) -> None:
    lines = []
    roll = rng.random()  # seven in ten reports expect every target; one in ten sees one it cannot reach
    at_risk = Likelihood.SURE if roll < 0.7 else (Likelihood.POSSIBLE if roll < 0.9 else Likelihood.IMPOSSIBLE)
    for index, line in enumerate(report.lines.all()):
        likelihood = at_risk if index == 0 else Likelihood.SURE
        values = {"id": line.pk, "progress": "按计划推进", "likelihood": likelihood}
        if likelihood != Likelihood.SURE:
            cause = rng.choice(list(MEASURES))
            values.update(cause=cause, measures=MEASURES[cause], progress="进度滞后")
        lines.append(values)
    monitoring.do_save_report(report, amounts={}, lines=lines, acting_user=unit)


# The demo round shows every state of the 监控表 workflow: report index % 10 → what happened to it.
FATES = ("draft", "submitted", "submitted", "dept_returned", "finance_review", "finance_review", "finance_returned",
         "approved", "approved", "approved")  # fmt: skip
DEPT_RETURN = "完成可能性为“有可能”的指标,偏差原因与完善措施过于笼统,请写明具体措施和完成时限后重新报送。"
FINANCE_RETURN = "1–6月执行数与国库集中支付数据不一致(含质保金),请核对后重新报送。"


class _Cast:
    """The demo users who act on a report: each only where their permission's scope reaches (else the console)."""

    def __init__(self, monitoring_round: MonitoringRound):
        users = {u.username: u for u in User.objects.filter(username__in=["unit_xinzhou", "dept_agri", "xinzhou_fin",
                                                                           "jiangxia_fin", "agri_div", "perf_admin"])}  # fmt: skip
        reports = MonitoringReport.objects.filter(round=monitoring_round)

        def reach(names: list[str], perm: str) -> list[tuple[User, set[int]]]:
            return [(users[n], set(reports.visible_to(users[n], perm).values_list("pk", flat=True)))
                    for n in names if n in users]  # fmt: skip

        self.fillers = reach(["unit_xinzhou"], Perm.MONITORING_FILL)
        self.departments = reach(["dept_agri", "xinzhou_fin", "jiangxia_fin"], Perm.MONITORING_REVIEW_DEPT)
        self.finance = reach(["agri_div", "perf_admin"], Perm.MONITORING_REVIEW_FINANCE)
        self.manager = users.get("perf_admin")

    @staticmethod
    def pick(cast: list[tuple[User, set[int]]], report: MonitoringReport) -> User | None:
        return next((user for user, pks in cast if report.pk in pks), None)


def _play(report: MonitoringReport, fate: str, cast: _Cast, rng: random.Random) -> None:
    """Fill and move one 监控表 to the state its fate names, as the users in scope would."""
    _fill(report, rng, cast.pick(cast.fillers, report))
    monitoring.do_submit_report(report, acting_user=cast.pick(cast.fillers, report))
    if fate == "submitted":
        return
    department = cast.pick(cast.departments, report)
    if fate == "dept_returned":
        monitoring.do_review_report(report, decision="return", opinion=DEPT_RETURN, acting_user=department)
        return
    monitoring.do_review_report(report, decision="approve", opinion="数据已核实,同意报送。", acting_user=department)
    if fate == "finance_review":
        return
    decision, opinion = ("return", FINANCE_RETURN) if fate == "finance_returned" else ("approve", "")
    monitoring.do_review_report(report, decision=decision, opinion=opinion, acting_user=cast.pick(cast.finance, report))


def load_round() -> MonitoringRound:
    existing = MonitoringRound.objects.filter(name=ROUND_NAME).first()
    if existing is not None:
        return existing
    rng = random.Random(2021)
    deadline = dt.date(YEAR, 7, 15)
    monitoring_round = round_actions.do_open_round(
        name=ROUND_NAME, year=YEAR, cutoff_month=6, deadline=deadline, acting_user=None
    )
    # The demo replays a past round whose units submitted in time: the replay runs with the deadline moved past
    # today (submitting after the deadline is refused), then the real deadline is put back, so the round shows
    # as 已逾期 with its drafts waiting for an extension.
    rounds = MonitoringRound.objects.filter(pk=monitoring_round.pk)
    rounds.update(deadline=timezone.localdate() + dt.timedelta(days=1))
    cast = _Cast(monitoring_round)
    held = False
    for index, report in enumerate(monitoring_round.reports.select_related("round", "project").order_by("pk")):
        fate = FATES[index % len(FATES)]
        if fate != "draft":
            _play(report, fate, cast, rng)
        report.refresh_from_db()
        if report.warning_level == WarningLevel.RED and not held:
            reason = "执行率严重滞后,暂缓拨付后续资金"
            monitoring.do_hold_report_payments(report, reason=reason, acting_user=cast.manager)
            held = True
    rounds.update(deadline=deadline)
    monitoring_round.refresh_from_db()
    return monitoring_round


@transaction.atomic
def load() -> dict[str, int]:
    """Create the missing demo fund records and the demo monitoring round; returns counts."""
    new_allocations = load_funds()
    monitoring_round = load_round()
    return {
        "allocations": Allocation.objects.count(),
        "new_allocations": new_allocations,
        "payments": Payment.objects.count(),
        "reports": monitoring_round.reports.count(),
    }
