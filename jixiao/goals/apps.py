from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "jixiao.goals"
    verbose_name = "绩效目标"
