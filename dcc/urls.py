from django.contrib import admin
from django.urls import include, path

from dcc.health import healthz
from dcc.records import urls as records_urls
from interop import document_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("compte/", include("allauth.urls")),
    path("annuaire/", include("dcc.accounts.directory_urls")),
    path("patients/", include("identity.urls")),
    path("rcp/", include("rcp.urls")),
    path("pps/", include("pps.urls")),
    path("medecin-traitant/", include("rcp.gp.urls")),
    path("qualite/mssante/", include("interop.deliverability.urls")),
    path("synthese/", include("pps.summary_urls")),
    path("admin/", admin.site.urls),
    # The record's pages and its document pages (in interop: they parse and render CDA), one namespace.
    path("dossier/", include((records_urls.urlpatterns + document_urls.urlpatterns, records_urls.app_name))),
    path("interop/hl7/", include("interop.hl7.urls")),
    path("appel-contextuel/", include("interop.launch.urls")),
    path("imagerie/", include("interop.imaging.urls")),
    path("tableaux-de-bord/", include("dcc.dashboards.urls")),
    path("diffusion/", include("interop.mss.urls")),
    path("", include("dcc.accounts.urls")),
]

handler400 = "dcc.errors.bad_request"
handler403 = "dcc.errors.permission_denied"
handler404 = "dcc.errors.page_not_found"
handler500 = "dcc.errors.server_error"
