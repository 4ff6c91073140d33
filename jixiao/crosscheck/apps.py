from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "jixiao.crosscheck"
    verbose_name = "大数据比对"
