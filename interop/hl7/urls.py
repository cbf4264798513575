from django.urls import path

from interop.hl7 import views

app_name = "hl7"

urlpatterns = [
    path("", views.monitoring, name="monitoring"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/rejouer/", views.message_replay, name="replay"),
    path("identitovigilance/", views.vigilance, name="vigilance"),
    path("identitovigilance/<int:pk>/decision/", views.vigilance_decision, name="vigilance_decision"),
]
