"""Import outcomes: rows read, written, rejected (and why) per table, in Chinese for the clerk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 200  # problems kept per table; the counts stay exact


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        parts = [f"文件 {self.file}"]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        if self.value is not None:
            parts.append(f"值「{self.value}」")
        return " ".join(parts) + f":{self.message}"


@dataclass
class TableReport:
    table: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    flagged: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    output: str | None = None

    def reject(self, problem: Problem) -> None:
        if len(self.rejected) < MAX_LISTED:
            self.rejected.append(problem)

    def flag(self, problem: Problem) -> None:
        if len(self.flagged) < MAX_LISTED:
            self.flagged.append(problem)


@dataclass
class ImportReport:
    tables: dict[str, TableReport] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)  # whole files refused, nothing written for them

    @property
    def ok(self) -> bool:
        """True when no file was refused and no row rejected."""
        return not self.errors and all(t.rows_rejected == 0 for t in self.tables.values())

    def table(self, name: str) -> TableReport:
        return self.tables.setdefault(name, TableReport(name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [str(p) for p in self.errors],
            "tables": {
                name: {
                    "files": t.files,
                    "rows_read": t.rows_read,
                    "rows_written": t.rows_written,
                    "rows_rejected": t.rows_rejected,
                    "rows_flagged": t.rows_flagged,
                    "rejected": [str(p) for p in t.rejected],
                    "flagged": [str(p) for p in t.flagged],
                    "notes": t.notes,
                    "output": t.output,
                }
                for name, t in self.tables.items()
            },
        }

    def to_text(self) -> str:
        """Return the Chinese report printed by the CLI."""
        lines: list[str] = []
        for problem in self.errors:
            lines.append(f"✗ 拒收 {problem}")
        for name, t in self.tables.items():
            if not t.files:
                continue
            lines.append(
                f"表 {name}({'、'.join(t.files)}):读取 {t.rows_read} 行,导入 {t.rows_written} 行,"
                f"拒收 {t.rows_rejected} 行,标记 {t.rows_flagged} 行"
            )
            lines.extend(f"  · {note}" for note in t.notes)
            lines.extend(f"  ✗ {p}" for p in t.rejected)
            if t.rows_rejected > len(t.rejected):
                lines.append(f"  … 另有 {t.rows_rejected - len(t.rejected)} 行被拒收,未逐条列出")
            lines.extend(f"  ! {p}" for p in t.flagged)
            if t.rows_flagged > len(t.flagged):
                lines.append(f"  … 另有 {t.rows_flagged - len(t.flagged)} 行被标记,未逐条列出")
        return "\n".join(lines)
