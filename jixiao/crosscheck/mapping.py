"""Column mappings: how a file with other headers maps onto the interchange layout.

A mapping is a small JSON dict, saved once and reused for every monthly file of the same kind::

    {"table": "payments", "columns": {"身份证号码": "payee_id", "姓名": "payee_name"},
     "encoding": "gbk", "sheet": "发放名册"}

``table`` names the layout table when the file name doesn't; ``encoding`` and ``sheet`` are optional.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jixiao.crosscheck.layout import TABLES


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)  # source header -> layout column
    table: str | None = None
    encoding: str | None = None
    sheet: str | None = None

    def rename(self, header: str) -> str:
        """Return the layout name of a source header (headers are trimmed, layout names lower-cased)."""
        name = header.strip().lstrip("\ufeff")
        mapped = self.columns.get(name)
        return mapped if mapped is not None else name.lower()


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping JSON file; raise ValueError with a Chinese message when it is malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"列映射文件 {path} 无法读取:{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns", {}), dict):
        raise ValueError(f'列映射文件 {path} 格式不对:应为 {{"table": ..., "columns": {{源列名: 标准列名}}}}')
    table = data.get("table")
    if table is not None and table not in TABLES:
        raise ValueError(f"列映射文件 {path} 中的表名「{table}」不存在;可用:{'、'.join(TABLES)}")
    return ColumnMapping(
        columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
        table=table,
        encoding=data.get("encoding"),
        sheet=data.get("sheet"),
    )


def save_mapping(mapping: ColumnMapping, path: str | Path) -> Path:
    """Write the mapping as pretty UTF-8 JSON and return the path."""
    target = Path(path)
    data = {k: v for k, v in asdict(mapping).items() if v not in (None, {})}
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
