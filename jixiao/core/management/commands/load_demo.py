from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jixiao.demo import city
from jixiao.demo import crosscheck as demo_crosscheck
from jixiao.demo import funds as demo_funds
from jixiao.demo import goals as demo_goals
from jixiao.demo import projects as demo_projects
from jixiao.demo import selfeval as demo_selfeval


class Command(BaseCommand):
    help = "载入演示城市(武汉市及六个区、13 个市直部门、演示用户)。可重复执行,已有数据不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭(生产)时也载入演示数据")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("生产环境(DEBUG 关闭)不载入演示数据;确需载入请加 --force。")
        counts = city.load()
        project_counts = demo_projects.load()
        self.stdout.write(
            f"演示项目库就绪:项目 {project_counts['projects']} 个(新建 {project_counts['new_projects']} 个)。"
        )
        goal_counts = demo_goals.load()
        self.stdout.write(f"演示绩效目标就绪:目标 {goal_counts['goals']} 个(新建 {goal_counts['new_goals']} 个)。")
        fund_counts = demo_funds.load()
        self.stdout.write(
            f"演示资金与监控就绪:下达 {fund_counts['allocations']} 笔,监控表 {fund_counts['reports']} 张。"
        )
        selfeval_counts = demo_selfeval.load()
        self.stdout.write(
            f"演示绩效自评就绪:自评表 {selfeval_counts['evaluations']} 份,已提交 {selfeval_counts['submitted']} 份。"
        )
        crosscheck_counts = demo_crosscheck.load()
        self.stdout.write(f"演示大数据比对就绪:线索 {crosscheck_counts['clues']} 条。")
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市就绪:区划 {counts['regions']} 个,单位 {counts['units']} 个,新建用户 {counts['new_users']} 个。"
            )
        )
