from django.urls import path

from interop.imaging import views

app_name = "imaging"

urlpatterns = [
    path("patients/<int:patient_pk>/", views.patient_studies, name="patient_studies"),
]
