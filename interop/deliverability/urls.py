from django.urls import path

from interop.deliverability import views

app_name = "deliverability"

urlpatterns = [
    path("", views.quality, name="quality"),
    path("corriger/", views.correct, name="correct"),
    path("invalide/", views.mark_invalid, name="mark_invalid"),
]
