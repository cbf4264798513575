"""The record's own pages. The document pages (``interop.document_urls``) join this namespace in
``dcc/urls.py``: they parse and render CDA, so they live in ``interop``."""

from django.urls import path

from dcc.records import views

app_name = "records"

urlpatterns = [
    path("traces/", views.trail, name="trail"),
    path("patients/<int:patient_id>/acces/", views.patient_access_log, name="patient_access_log"),
    path("patients/<int:patient_id>/bris-de-glace/", views.break_glass, name="break_glass"),
]
