from django.urls import path

from dcc.records import views

app_name = "records"

urlpatterns = [
    path("traces/", views.trail, name="trail"),
    path("patients/<int:patient_id>/acces/", views.patient_access_log, name="patient_access_log"),
    path("patients/<int:patient_id>/bris-de-glace/", views.break_glass, name="break_glass"),
]
