from django.urls import path

from jixiao.crosscheck import clue_views, views

app_name = "crosscheck"

urlpatterns = [
    path("", clue_views.dashboard, name="dashboard"),
    path("idcheck/", views.idcheck, name="idcheck"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:pk>/upload/", views.dataset_upload, name="dataset_upload"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path("clues/", clue_views.clue_list, name="clue_list"),
    path("clues/export/", clue_views.clue_export, name="clue_export"),
    path("clues/<int:pk>/", clue_views.clue_detail, name="clue_detail"),
    path("clues/<int:pk>/reveal/", clue_views.clue_reveal, name="clue_reveal"),
    path("clues/<int:pk>/transition/", clue_views.clue_transition, name="clue_transition"),
]
