from django.urls import path

from interviews import views

app_name = "interviews"
urlpatterns = [
    path("", views.interview_history, name="history"),
    path("new/", views.interview_new, name="new"),
    path("<int:pk>/", views.interview_detail, name="detail"),
    path("<int:pk>/q/<int:number>/", views.question_show, name="question"),
    path("<int:pk>/q/<int:number>/draft/", views.response_draft, name="draft"),
    path("<int:pk>/q/<int:number>/answer/", views.response_submit, name="submit"),
    path("<int:pk>/q/<int:number>/flag/", views.response_flag, name="flag"),
    path("<int:pk>/q/<int:number>/assess/", views.response_assess, name="assess"),
    path("<int:pk>/finish/", views.interview_finish, name="finish"),
    path("<int:pk>/clock/", views.interview_clock, name="clock"),
    path("<int:pk>/review/", views.interview_review, name="review"),
]
