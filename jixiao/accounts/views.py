from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jixiao.accounts import actions
from jixiao.accounts.decorators import perm_required
from jixiao.accounts.forms import (
    AssignRoleForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    RolePermissionsForm,
    UserCreateForm,
    UserEditForm,
)
from jixiao.accounts.models import LoginAttempt, LoginResult, Role, RoleAssignment, User
from jixiao.accounts.permissions import PERM_LABELS, Perm
from jixiao.accounts.scope import get_scoped_for_user, scope_for
from jixiao.accounts.security import attempt_login
from jixiao.audit.context import client_ip_of
from jixiao.core.downloads import file_response
from jixiao.core.excel import Column, write_workbook
from jixiao.core.listing import paginate, query_without
from jixiao.core.types import AuthedRequest


def _add_validation_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            for err in errs:
                form.add_error(field if field in form.fields else None, err)
    else:
        for err in exc.messages:
            form.add_error(None, err)


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = attempt_login(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            ip=client_ip_of(request),
            channel="web",
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        if outcome.ok and outcome.user is not None:
            login(request, outcome.user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = ""
            return redirect(target or "core:home")
        error = outcome.message
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=401 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_own_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            _add_validation_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})


def get_user_for_user(viewer, pk, *, write: bool = False) -> User:
    return get_scoped_for_user(
        lambda u, p: User.objects.visible_to(u, p).select_related("unit"),
        viewer,
        pk,
        read_perm=Perm.USERS_VIEW,
        write_perm=Perm.USERS_MANAGE,
        write=write,
    )


@perm_required(Perm.USERS_VIEW)
def user_list(request: AuthedRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user).select_related("unit").prefetch_related("role_assignments__role")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__contains=q) | Q(unit__name__contains=q))
    role = request.GET.get("role")
    if role:
        users = users.filter(role_assignments__role__code=role)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": paginate(request, users.order_by("username")),
            "roles": Role.objects.all(),
            "query": query_without(request, "page"),
            "can_manage": request.user.has_perm_code(Perm.USERS_MANAGE),
        },
    )


@perm_required(Perm.USERS_VIEW)
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_user_for_user(request.user, pk)
    can_assign = request.user.has_perm_code(Perm.ROLES_MANAGE) and target.pk != request.user.pk
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "assignments": target.role_assignments.select_related("role", "unit", "region"),
            "scope_lines": scope_for(target).describe(),
            "can_manage": request.user.has_perm_code(Perm.USERS_MANAGE),
            "can_assign": can_assign,
            "assign_form": AssignRoleForm() if can_assign else None,
            "reset_form": ResetPasswordForm(),
            "recent_logins": LoginAttempt.objects.filter(user=target)[:10],
        },
    )


@perm_required(Perm.USERS_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_create_user(**form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            _add_validation_errors(form, exc)
        else:
            messages.success(request, f"已创建用户 {created.username},首次登录须修改密码。请由安全管理员分配角色。")
            return redirect("accounts:user_detail", pk=created.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": "新建用户"})


@perm_required(Perm.USERS_MANAGE)
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_user_for_user(request.user, pk, write=True)
    form = UserEditForm(request.POST or None, instance=User.objects.get(pk=target.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_user(
                user=target,
                acting_user=request.user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as exc:
            _add_validation_errors(form, exc)
        else:
            messages.success(request, "用户资料已保存。")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": f"编辑用户:{target}"})


@require_POST
@perm_required(Perm.USERS_MANAGE)
def user_reset_password(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_user_for_user(request.user, pk, write=True)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reset_password(
                user=target, new_password=form.cleaned_data["new_password"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已重置 {target.username} 的密码,其下次登录须修改密码。")
    else:
        messages.error(request, "请输入新密码。")
    return redirect("accounts:user_detail", pk=target.pk)


@require_POST
@perm_required(Perm.ROLES_MANAGE)
def user_assign_role(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_user_for_user(request.user, pk)
    form = AssignRoleForm(request.POST)
    if form.is_valid():
        try:
            actions.do_assign_role(user=target, acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"已为 {target.username} 分配角色“{form.cleaned_data['role']}”。")
    else:
        messages.error(request, "请选择角色。")
    return redirect("accounts:user_detail", pk=target.pk)


@require_POST
@perm_required(Perm.ROLES_MANAGE)
def user_revoke_role(request: AuthedRequest, pk: int, assignment_id: int) -> HttpResponse:
    target = get_user_for_user(request.user, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_id, user=target)
    try:
        actions.do_revoke_role(assignment=assignment, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤销角色“{assignment.role}”。")
    return redirect("accounts:user_detail", pk=target.pk)


@perm_required(Perm.ROLES_MANAGE)
def role_list(request: AuthedRequest) -> HttpResponse:
    roles = Role.objects.all()
    return render(request, "accounts/role_list.html", {"roles": roles, "labels": PERM_LABELS})


@perm_required(Perm.ROLES_MANAGE)
def role_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=pk)
    form = RolePermissionsForm(request.POST or None, initial={"permissions": role.permissions})
    if request.method == "POST":
        if role.admin_kind:
            raise PermissionDenied("三员角色的权限固定,不能修改。")
        if form.is_valid():
            try:
                actions.do_update_role_permissions(
                    role=role, permissions=form.cleaned_data["permissions"], acting_user=request.user
                )
            except ValidationError as exc:
                _add_validation_errors(form, exc)
            else:
                messages.success(request, f"角色“{role}”的权限已保存。")
                return redirect("accounts:role_detail", pk=role.pk)
    holders = User.objects.filter(role_assignments__role=role).select_related("unit")
    return render(
        request,
        "accounts/role_detail.html",
        {"role": role, "form": form, "holders": holders, "labels": PERM_LABELS},
    )


LOGIN_LOG_COLUMNS = [
    Column("time", "时间", width=20),
    Column("username", "用户名"),
    Column("ip", "IP 地址", width=16),
    Column("result", "结果"),
    Column("channel", "渠道", width=8),
    Column("ua", "浏览器", width=40),
]


def _filtered_logins(request: AuthedRequest):
    attempts = LoginAttempt.objects.visible_to(request.user)
    if username := request.GET.get("username", "").strip():
        attempts = attempts.filter(username__icontains=username)
    if ip := request.GET.get("ip", "").strip():
        attempts = attempts.filter(ip__startswith=ip)
    result = request.GET.get("result")
    if result in LoginResult.values:
        attempts = attempts.filter(result=result)
    if since := request.GET.get("since"):
        attempts = attempts.filter(created_at__date__gte=since)
    if until := request.GET.get("until"):
        attempts = attempts.filter(created_at__date__lte=until)
    return attempts


@perm_required(Perm.LOGINLOG_VIEW)
def login_log(request: AuthedRequest) -> HttpResponse:
    try:
        attempts = _filtered_logins(request)
        page = paginate(request, attempts)
    except ValidationError:
        raise Http404("日期格式应为 YYYY-MM-DD。")
    return render(
        request,
        "accounts/login_log.html",
        {"page": page, "results": LoginResult.choices, "query": query_without(request, "page")},
    )


@perm_required(Perm.LOGINLOG_VIEW)
def login_log_export(request: AuthedRequest) -> HttpResponse:
    from django.utils import timezone

    rows = (
        [
            timezone.localtime(a.created_at).replace(tzinfo=None),
            a.username,
            a.ip,
            a.get_result_display(),
            a.get_channel_display(),
            a.user_agent,
        ]
        for a in _filtered_logins(request)[:100000]
    )
    return file_response(write_workbook([("登录日志", LOGIN_LOG_COLUMNS, rows)]), "登录日志.xlsx")
