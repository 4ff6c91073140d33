from django.urls import include, path

from jixiao.api.api import api

urlpatterns = [
    path("", include("jixiao.core.urls")),
    path("accounts/", include("jixiao.accounts.urls")),
    path("orgs/", include("jixiao.orgs.urls")),
    path("audit/", include("jixiao.audit.urls")),
    path("projects/", include("jixiao.projects.urls")),
    path("goals/", include("jixiao.goals.urls")),
    path("indicators/", include("jixiao.indicators.urls")),
    path("selfeval/", include("jixiao.selfeval.urls")),
    path("funds/", include("jixiao.funds.urls")),
    path("monitoring/", include("jixiao.monitoring.urls")),
    path("crosscheck/", include("jixiao.crosscheck.urls")),
    path("api/v1/", api.urls),
]

handler400 = "jixiao.core.views.bad_request"
handler403 = "jixiao.core.views.permission_denied"
handler404 = "jixiao.core.views.page_not_found"
handler500 = "jixiao.core.views.server_error"
