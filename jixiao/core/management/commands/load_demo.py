from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jixiao.demo import city


class Command(BaseCommand):
    help = "载入演示城市(武汉市及六个区、13 个市直部门、演示用户)。可重复执行,已有数据不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭(生产)时也载入演示数据")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("生产环境(DEBUG 关闭)不载入演示数据;确需载入请加 --force。")
        counts = city.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市就绪:区划 {counts['regions']} 个,单位 {counts['units']} 个,新建用户 {counts['new_users']} 个。"
            )
        )
