from django.http import HttpRequest

from jixiao.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    return {"nav_sections": menu_for(user), "current_url_name": getattr(request.resolver_match, "view_name", "")}
