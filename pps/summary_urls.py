from django.urls import path

from pps import summary_views

app_name = "summary"

urlpatterns = [
    path("patients/<int:patient_pk>/", summary_views.patient, name="patient"),
]
