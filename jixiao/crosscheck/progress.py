"""Progress reporting shared by the CLI (text bar on stderr) and, later, the web job."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[int, int, str], None]
"""``progress(done, total, message)``; ``total`` may be 0 when unknown."""


def silent(done: int, total: int, message: str) -> None:
    """A progress callback that ignores everything."""


class TextBar:
    """A progress callback drawing ``[#####-----]  50%  message`` on a stream (stderr by default)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, min_interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - self._last < self.min_interval:
            return
        self._last = now
        if total > 0:
            filled = int(self.width * min(done, total) / total)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"[{bar}] {100 * min(done, total) // total:3d}%  {message}"
        else:
            line = f"[{'?' * self.width}] {done}  {message}"
        end = "\n" if finished else ""
        self.stream.write("\r" + line[:118].ljust(118) + end)
        self.stream.flush()
