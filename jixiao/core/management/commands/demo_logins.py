from django.core.management.base import BaseCommand

from jixiao.demo.city import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "列出演示账号。"

    def handle(self, *args, **options):
        self.stdout.write(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec.username:<14} {spec.full_name}  ({spec.role})")
