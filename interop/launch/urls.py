from django.urls import path

from interop.launch import views

app_name = "launch"

urlpatterns = [
    path("", views.launch, name="launch"),
    path("simulateur/", views.simulator, name="simulator"),
]
