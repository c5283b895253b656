from django.contrib import admin
from django.urls import include, path

from questions import views as question_views
from quizsite import views as site_views
from quizsite.bench_urls import bench_patterns

handler500 = "quizsite.views.server_error"

urlpatterns = [
    path("", question_views.home, name="home"),
    path("questions/", include("questions.urls")),
    path("interviews/", include("interviews.urls")),
    path("progress/", include("progress.urls")),
    path("teams/", include("teams.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", site_views.health, name="health"),
    *bench_patterns(),  # /__bench__/ ceilings for bench/run.py, only with BENCH_CEILINGS=1
]
