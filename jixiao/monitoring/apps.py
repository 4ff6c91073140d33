from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jixiao.monitoring"
    verbose_name = "绩效运行监控"
