from django.urls import path

from dcc.accounts import directory_views as views

app_name = "directory"

urlpatterns = [
    path("", views.professionals, name="professionals"),
    path("professionnels/<int:pk>/", views.professional, name="professional"),
    path("etablissements/", views.establishments, name="establishments"),
    path("3c/", views.three_cs, name="three_cs"),
]
