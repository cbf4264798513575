from django.urls import path

from rcp.gp import views

app_name = "gp"

urlpatterns = [
    path("", views.home, name="home"),
    path("accueil/", views.home_block, name="home_block"),
    path("dossiers/<int:pk>/contribuer/", views.contribute, name="contribute"),
    path("contributions/<int:pk>/fichier/", views.attachment, name="attachment"),
    path("reglage/", views.notice_settings, name="settings"),
]
