from django.urls import path

from jixiao.selfeval import views, views_entry, views_profiles

app_name = "selfeval"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/template/", views.campaign_template, name="campaign_template"),
    path("campaigns/<int:pk>/import/", views.campaign_import, name="campaign_import"),
    path("campaigns/<int:pk>/results/", views.campaign_results, name="campaign_results"),
    path("campaigns/<int:pk>/results/apply/", views.campaign_apply_results, name="campaign_apply_results"),
    path("campaigns/<int:pk>/results/export/", views.campaign_results_export, name="campaign_results_export"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", views_entry.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/row/", views_entry.evaluation_row, name="evaluation_row"),
    path("evaluations/<int:pk>/funds/", views_entry.evaluation_funds, name="evaluation_funds"),
    path("evaluations/<int:pk>/import/", views_entry.evaluation_import, name="evaluation_import"),
    path("evaluations/<int:pk>/submit/", views_entry.evaluation_submit, name="evaluation_submit"),
    path("evaluations/<int:pk>/review/", views.evaluation_review, name="evaluation_review"),
    path("evaluations/<int:pk>/export/", views.evaluation_export, name="evaluation_export"),
    path("profiles/", views_profiles.profile_list, name="profile_list"),
    path("profiles/new/", views_profiles.profile_create, name="profile_create"),
    path("profiles/<int:pk>/", views_profiles.profile_detail, name="profile_detail"),
    path("profiles/<int:pk>/edit/", views_profiles.profile_edit, name="profile_edit"),
]
