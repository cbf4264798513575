from django.urls import path

from dcc.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
]
