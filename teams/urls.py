from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("", views.team_list, name="list"),
    path("new/", views.team_create, name="create"),
    path("board/", views.public_board, name="public_board"),
    path("join/<slug:code>/", views.team_join, name="join"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/settings/", views.team_settings, name="settings"),
    path("<int:pk>/code/", views.code_regenerate, name="code"),
    path("<int:pk>/leave/", views.team_leave, name="leave"),
    path("<int:pk>/members/<int:user_id>/remove/", views.member_remove, name="remove"),
    path("<int:pk>/members/<int:user_id>/owner/", views.ownership_transfer, name="transfer"),
]
