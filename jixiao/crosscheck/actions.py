"""Writes of the cross-check area: datasets and uploads, runs, clue transitions and reveals, each audited."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_created
from jixiao.crosscheck.importer import import_path
from jixiao.crosscheck.layout import TABLES
from jixiao.crosscheck.mapping import ColumnMapping
from jixiao.crosscheck.models import Clue, ClueEvent, ColumnMap, Dataset, DatasetFile, Run
from jixiao.crosscheck.report import ImportReport
from jixiao.crosscheck.rules import select_rules
from jixiao.crosscheck.workflow import TRANSITIONS, ClueStatus

ENGINES = ("duckdb",)


class TransitionRefused(Exception):
    """A workflow guard said no; ``message`` is Chinese (the API answers 409)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


@transaction.atomic
def do_create_dataset(*, name: str, note: str = "", acting_user: Any) -> Dataset:
    require_perm(acting_user, Perm.CROSSCHECK_RUN)
    if Dataset.objects.filter(name=name).exists():
        raise ValidationError({"name": f"数据集名称“{name}”已存在"})
    dataset = Dataset.objects.create(name=name, note=note, created_by=acting_user)
    record_created(acting_user, dataset)
    return dataset


@transaction.atomic
def do_save_column_map(*, name: str, mapping: ColumnMapping, kind: str, acting_user: Any) -> ColumnMap:
    """Create or update a saved column mapping by name."""
    require_perm(acting_user, Perm.CROSSCHECK_RUN)
    saved, created = ColumnMap.objects.update_or_create(
        name=name,
        defaults={
            "kind": kind,
            "columns": mapping.columns,
            "encoding": mapping.encoding or "",
            "sheet": mapping.sheet or "",
        },
    )
    record(actor=acting_user, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=saved)
    return saved


def do_upload_dataset_file(
    *,
    dataset: Dataset,
    kind: str,
    source: Path,
    original_name: str,
    mapping: ColumnMapping,
    accept_partial: bool = False,
    acting_user: Any,
) -> tuple[DatasetFile | None, ImportReport]:
    """Import one file into the dataset; return (file row, report) — (None, report) when refused, nothing kept.

    A file missing required columns is refused; rejected rows refuse the whole file unless ``accept_partial``.
    """
    require_perm(acting_user, Perm.CROSSCHECK_RUN)
    if kind not in TABLES:
        raise ValidationError({"kind": f"未知的文件类型“{kind}”"})
    work = Path(tempfile.mkdtemp(prefix="upload-", dir=_ensure(dataset.data_dir.parent)))
    try:
        # The stored name decides the table: a clerk's "死亡名单.csv" must not be guessed from its name.
        staged = work / f"{kind}{Path(original_name).suffix.lower()}"
        shutil.copyfile(source, staged)
        mapping = ColumnMapping(columns=mapping.columns, table=kind, encoding=mapping.encoding, sheet=mapping.sheet)
        report = import_path(staged, work / "out", mapping=mapping, strict=not accept_partial)
        _rename_labels(report, staged.name, original_name)
        table = report.tables.get(kind)
        written = work / "out" / f"{kind}.parquet"
        if report.errors or table is None or not written.exists() or (table.rows_rejected and not accept_partial):
            return None, report
        return _keep_file(dataset, kind, original_name, mapping, report, written, acting_user), report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _rename_labels(report: ImportReport, staged: str, original: str) -> None:
    """Let the report name the clerk's file rather than the staged copy."""
    from dataclasses import replace

    report.errors = [replace(p, file=p.file.replace(staged, original)) for p in report.errors]
    for table in report.tables.values():
        table.files = [f.replace(staged, original) for f in table.files]
        table.rejected = [replace(p, file=p.file.replace(staged, original)) for p in table.rejected]
        table.flagged = [replace(p, file=p.file.replace(staged, original)) for p in table.flagged]
        table.notes = [n.replace(staged, original) for n in table.notes]


@transaction.atomic
def _keep_file(
    dataset: Dataset,
    kind: str,
    original_name: str,
    mapping: ColumnMapping,
    report: ImportReport,
    written: Path,
    acting_user: Any,
) -> DatasetFile:
    table = report.tables[kind]
    row = DatasetFile.objects.create(
        dataset=dataset,
        kind=kind,
        original_name=original_name[:255],
        encoding=mapping.encoding or "",
        mapping=mapping.columns,
        rows_read=table.rows_read,
        rows_written=table.rows_written,
        rows_rejected=table.rows_rejected,
        rows_flagged=table.rows_flagged,
        report=report.as_dict(),
        uploaded_by=acting_user,
    )
    target = _ensure(dataset.data_dir / kind) / f"{row.pk}.parquet"
    shutil.move(str(written), target)
    row.path = str(target)
    row.save(update_fields=["path"])
    record(actor=acting_user, action=AuditAction.IMPORT, obj=row, note=f"导入 {table.rows_written} 行")
    return row


def register_parquet(*, dataset: Dataset, kind: str, parquet: Path, rows: int, acting_user: Any) -> DatasetFile:
    """Add an already-typed layout Parquet file (the engine's synth output) to a dataset."""
    report = ImportReport()
    table = report.table(kind)
    table.rows_read = table.rows_written = rows
    table.files = [parquet.name]
    copy = _ensure(dataset.data_dir.parent) / f".{kind}.parquet"
    shutil.copyfile(parquet, copy)
    return _keep_file(dataset, kind, parquet.name, ColumnMapping(), report, copy, acting_user)


@transaction.atomic
def do_start_run(
    *, dataset: Dataset, engine: str = "duckdb", rules: str = "all", enqueue: bool = True, acting_user: Any
) -> Run:
    """Create a queued run and enqueue the worker job once the transaction commits (``enqueue=False``: the
    caller runs ``tasks.execute_run`` itself, as the demo loader does)."""
    require_perm(acting_user, Perm.CROSSCHECK_RUN)
    if engine not in ENGINES:
        raise ValidationError({"engine": f"不支持的引擎“{engine}”:网页端可选 duckdb"})
    try:
        selected = select_rules(rules)
    except ValueError as exc:
        raise ValidationError({"rules": str(exc)})
    if "payments" not in dataset.kinds():
        raise ValidationError(f"数据集“{dataset}”中没有 payments(发放名册)文件,无法比对:请先上传发放名册。")
    codes = "all" if not rules or rules.strip().lower() == "all" else ",".join(r.code for r in selected)
    run = Run.objects.create(dataset=dataset, engine=engine, rules=codes, created_by=acting_user)
    record_created(acting_user, run)
    from jixiao.crosscheck.tasks import enqueue_run

    if enqueue:
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


# --- clue workflow -----------------------------------------------------------------------------


def _check_clue_access(clue: Clue, perm: str, acting_user: Any) -> None:
    if acting_user is None:
        return
    require_perm(acting_user, perm)
    if not Clue.objects.visible_to(acting_user, perm).filter(pk=clue.pk).exists():
        raise PermissionDenied("该线索不在您的处理范围内。")


@transaction.atomic
def do_transition_clue(clue: Clue, action: str, data: dict[str, Any] | None = None, *, acting_user: Any) -> Clue:
    """Fire one workflow transition: check permission, scope and guard; write the event and the audit row."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused("unknown_action", f"未知的操作“{action}”:可用 {'、'.join(TRANSITIONS)}")
    _check_clue_access(clue, transition.perm, acting_user)
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    data = dict(data or {})
    refusal = transition.refusal(clue, data)
    if refusal:
        raise TransitionRefused("transition_refused", refusal)
    before = clue.status
    target = transition.target or clue.parked_from or ClueStatus.NEW
    changes = _apply(clue, action, data)
    clue.status = target
    clue.opinion = (data.get("opinion") or "")[:1000] or clue.opinion
    clue.save()
    ClueEvent.objects.create(
        clue=clue,
        actor=acting_user,
        action=action,
        from_status=before,
        to_status=target,
        opinion=(data.get("opinion") or "")[:1000],
        data=changes,
    )
    record(
        actor=acting_user,
        action=AuditAction.TRANSITION,
        obj=clue,
        before={"status": before},
        after={"status": target, **changes},
        note=transition.label,
    )
    return clue


def _apply(clue: Clue, action: str, data: dict[str, Any]) -> dict[str, Any]:
    """Set the fields this action records; return them as JSON-ready data for the event."""
    if action == "classify":
        clue.category = data["category"]
        return {"category": clue.category}
    if action == "assign":
        clue.assigned_unit = data["unit"]
        clue.deadline = data["deadline"]
        return {
            "unit": clue.assigned_unit.name,
            "unit_id": clue.assigned_unit.pk,
            "deadline": clue.deadline.isoformat(),
        }
    if action == "verify":
        clue.verify_result = data["result"]
        return {"result": clue.verify_result}
    if action == "handle":
        return _apply_handling(clue, data)
    if action == "park":
        clue.parked_from = clue.status
        return {"parked_from": clue.parked_from}
    return {}


def _apply_handling(clue: Clue, data: dict[str, Any]) -> dict[str, Any]:
    clue.stop_payment = bool(data.get("stop_payment"))
    clue.disqualified = bool(data.get("disqualified"))
    amount: Decimal | None = data.get("recovered_amount")
    clue.recovered_amount = amount
    on: dt.date | None = data.get("recovered_on")
    clue.recovered_on = on
    return {
        "stop_payment": clue.stop_payment,
        "disqualified": clue.disqualified,
        "recovered_amount": str(amount) if amount is not None else None,
        "recovered_on": on.isoformat() if on else None,
    }


def do_classify_clue(clue: Clue, *, category: str, opinion: str = "", acting_user: Any) -> Clue:
    return do_transition_clue(clue, "classify", {"category": category, "opinion": opinion}, acting_user=acting_user)


def do_assign_clue(clue: Clue, *, unit: Any, deadline: dt.date, opinion: str = "", acting_user: Any) -> Clue:
    data = {"unit": unit, "deadline": deadline, "opinion": opinion}
    return do_transition_clue(clue, "assign", data, acting_user=acting_user)


def do_accept_clue(clue: Clue, *, opinion: str = "", acting_user: Any) -> Clue:
    return do_transition_clue(clue, "accept", {"opinion": opinion}, acting_user=acting_user)


def do_verify_clue(clue: Clue, *, result: str, opinion: str, acting_user: Any) -> Clue:
    return do_transition_clue(clue, "verify", {"result": result, "opinion": opinion}, acting_user=acting_user)


def do_handle_clue(
    clue: Clue,
    *,
    stop_payment: bool = False,
    disqualified: bool = False,
    recovered_amount: Decimal | None = None,
    recovered_on: dt.date | None = None,
    opinion: str = "",
    acting_user: Any,
) -> Clue:
    data = {
        "stop_payment": stop_payment,
        "disqualified": disqualified,
        "recovered_amount": recovered_amount,
        "recovered_on": recovered_on,
        "opinion": opinion,
    }
    return do_transition_clue(clue, "handle", data, acting_user=acting_user)


def do_review_clue(clue: Clue, *, opinion: str = "", acting_user: Any) -> Clue:
    return do_transition_clue(clue, "review", {"opinion": opinion}, acting_user=acting_user)


def do_close_clue(clue: Clue, *, opinion: str = "", acting_user: Any) -> Clue:
    return do_transition_clue(clue, "close", {"opinion": opinion}, acting_user=acting_user)


def do_mark_overdue_clues(*, today: dt.date | None = None, acting_user: Any) -> int:
    """Mark every assigned clue past its deadline overdue (the nightly job); return how many."""
    today = today or dt.date.today()
    late = Clue.objects.filter(status__in=TRANSITIONS["overdue"].sources, deadline__lt=today)
    count = 0
    for clue in late.iterator():
        do_transition_clue(clue, "overdue", {"opinion": f"超过核实期限 {clue.deadline}"}, acting_user=acting_user)
        count += 1
    return count


@transaction.atomic
def do_reveal_clue_id(clue: Clue, *, acting_user: Any) -> str:
    """Return the full ID number of a clue's person, writing a REVEAL audit row every time."""
    require_perm(acting_user, Perm.CROSSCHECK_REVEAL)
    if acting_user is not None and not Clue.objects.visible_to(acting_user).filter(pk=clue.pk).exists():
        raise PermissionDenied("该线索不在您的查看范围内。")
    record(actor=acting_user, action=AuditAction.REVEAL, obj=clue, note="查看完整身份证号")
    return clue.person_id


def record_clue_view(*, acting_user: Any, clue: Clue) -> None:
    """Audit one reading of a clue's detail: discipline inspectors' reads are logged (DOMAIN §1)."""
    record(actor=acting_user, action=AuditAction.VIEW, obj=clue, note="查看线索详情")


def record_clue_export(*, acting_user: Any, count: int, note: str) -> None:
    """Audit an export of clues (personal data leaves the system, masked)."""
    record(
        actor=acting_user,
        action=AuditAction.EXPORT,
        model_label="crosscheck.clue",
        object_repr=f"导出线索 {count} 条",
        note=note,
    )
