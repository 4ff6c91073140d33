from django.urls import path

from jixiao.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.log_list, name="log_list"),
    path("export/", views.log_export, name="log_export"),
]
