"""``jixiao crosscheck ...``: the cross-check engine's command line inside Django."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixiao.crosscheck import cli


class Command(BaseCommand):
    help = "惠民政策资金大数据比对:run / import / idcheck / synth(参数同 python -m jixiao.crosscheck.cli)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def handle(self, *args: str, **options: Any) -> None:
        code = cli.main(list(args), stdout=self.stdout)
        if code:
            raise CommandError(f"crosscheck 退出码 {code}", returncode=code)
