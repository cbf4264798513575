from django.urls import path

from dcc.records import document_views, views

app_name = "records"

urlpatterns = [
    path("traces/", views.trail, name="trail"),
    path("patients/<int:patient_id>/acces/", views.patient_access_log, name="patient_access_log"),
    path("patients/<int:patient_id>/bris-de-glace/", views.break_glass, name="break_glass"),
    path("patients/<int:patient_id>/documents/", document_views.documents, name="documents"),
    path("patients/<int:patient_id>/documents/productions/", document_views.generations, name="document_generations"),
    path("patients/<int:patient_id>/documents/ajouter/", document_views.document_upload, name="document_upload"),
    path("documents/quarantaine/", document_views.quarantine, name="quarantine"),
    path("documents/quarantaine/<int:item_id>/", document_views.quarantine_decide, name="quarantine_decide"),
    path("documents/<int:document_id>/", document_views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/pdf/", document_views.document_pdf, name="document_pdf"),
    path(
        "documents/<int:document_id>/telecharger/<str:kind>/",
        document_views.document_download,
        name="document_download",
    ),
]
