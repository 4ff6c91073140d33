from django.urls import path

from jixiao.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/export/", views.round_export, name="round_export"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/extend/", views.round_extend, name="round_extend"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/hold/", views.report_hold, name="report_hold"),
    path("reports/<int:pk>/release-hold/", views.report_release_hold, name="report_release_hold"),
    path("reports/<int:pk>/adjust/", views.report_adjust, name="report_adjust"),
    path("reports/<int:pk>/export/", views.report_export, name="report_export"),
]
