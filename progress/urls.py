from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("practice/", views.practice_start, name="practice"),
    path("cards/", views.flashcard_next, name="cards"),
    path("cards/add/", views.cards_add, name="cards_add"),
    path("cards/<int:card_id>/", views.flashcard_show, name="card"),
    path("cards/<int:card_id>/rate/", views.flashcard_rate, name="rate"),
]
