from django.urls import path

from interop.mss import views

app_name = "mss"

urlpatterns = [
    path("documents/<int:document_pk>/", views.diffusion, name="diffusion"),
    path("documents/<int:document_pk>/ajouter/", views.diffusion_add, name="diffusion_add"),
    path("documents/<int:document_pk>/patient/", views.diffusion_patient, name="diffusion_patient"),
    path("envois/<int:message_pk>/renvoyer/", views.diffusion_resend, name="diffusion_resend"),
]
