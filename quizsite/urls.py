from django.contrib import admin
from django.urls import include, path

from questions import views as question_views

urlpatterns = [
    path("", question_views.home, name="home"),
    path("questions/", include("questions.urls")),
    path("interviews/", include("interviews.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
