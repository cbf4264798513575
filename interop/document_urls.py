"""The URLs of the document views (``interop.document_views``).

``dcc/urls.py`` mounts them under ``dossier/`` together with ``dcc.records.urls``, in the ``records``
namespace: the paths and the names (``records:documents``, ``records:quarantine``…) stay those of the
patient's record.
"""

from django.urls import path

from interop import document_views

urlpatterns = [
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
