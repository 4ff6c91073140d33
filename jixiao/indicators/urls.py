from django.urls import path

from jixiao.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.template_list, name="template_list"),
    path("new/", views.template_edit, name="template_create"),
    path("export/", views.template_export, name="template_export"),
    path("import/", views.template_import, name="template_import"),
    path("<int:pk>/edit/", views.template_edit, name="template_edit"),
]
