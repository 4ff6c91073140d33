from django.urls import path

from jixiao.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/roles/", views.user_assign_role, name="user_assign_role"),
    path("users/<int:pk>/roles/<int:assignment_id>/revoke/", views.user_revoke_role, name="user_revoke_role"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/<int:pk>/", views.role_detail, name="role_detail"),
    path("login-log/", views.login_log, name="login_log"),
    path("login-log/export/", views.login_log_export, name="login_log_export"),
]
