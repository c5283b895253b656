from django.urls import path

from questions import views

app_name = "questions"
urlpatterns = [
    path("", views.question_browser, name="browser"),
    path("topic/<slug:slug>/", views.topic_detail, name="topic"),
    path("<slug:key>/", views.question_detail, name="detail"),
]
