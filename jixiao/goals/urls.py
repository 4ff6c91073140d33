from django.urls import path

from jixiao.goals import views, views_documents

app_name = "goals"

urlpatterns = [
    path("", views.goal_list, name="goal_list"),
    path("export/", views.batch_export, name="batch_export"),
    path("import/", views.goal_import, name="goal_import"),
    path("batch-review/", views.batch_review, name="batch_review"),
    path("projects/<int:project_id>/create/", views.goal_create, name="goal_create"),
    path("<int:pk>/", views.goal_detail, name="goal_detail"),
    path("<int:pk>/text/", views.goal_text, name="goal_text"),
    path("<int:pk>/indicators/add/", views.goal_indicator_add, name="goal_indicator_add"),
    path("<int:pk>/submit/", views.goal_submit, name="goal_submit"),
    path("<int:pk>/accept/", views.goal_accept, name="goal_accept"),
    path("<int:pk>/review/", views.goal_review, name="goal_review"),
    path("<int:pk>/adjust/", views.goal_adjust, name="goal_adjust"),
    path("<int:pk>/export/", views.goal_export, name="goal_export"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("letters/", views_documents.letter_list, name="letter_list"),
    path("letters/new/", views_documents.letter_create, name="letter_create"),
    path("letters/<int:pk>/", views_documents.letter_download, name="letter_download"),
    path("public/<int:year>/", views_documents.public_year, name="public_year"),
]
