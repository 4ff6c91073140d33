from django.urls import path

from jixiao.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_edit, name="project_create"),
    path("export/", views.project_export, name="project_export"),
    path("import/", views.project_import, name="project_import"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/transition/", views.project_transition, name="project_transition"),
    path("<int:pk>/request-budget/", views.project_request_budget, name="project_request_budget"),
]
