from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "jixiao.funds"
    verbose_name = "资金下达与支付"
