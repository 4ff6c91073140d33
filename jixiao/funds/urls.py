from django.urls import path

from jixiao.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("import/", views.import_file, name="import"),
    path("template/", views.template, name="template"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
]
