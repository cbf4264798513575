from django.urls import path

from dcc.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("theme/<slug:slug>/", views.theme, name="theme"),
    path("export/<slug:slug>.<str:fmt>", views.export_table, name="export_table"),
]

urlpatterns += [
    path("exports/", views.exports_page, name="exports"),
    path("exports/etat/", views.exports_status, name="exports_status"),
    path("exports/<int:pk>/telecharger/", views.export_download, name="export_download"),
]
urlpatterns += [path("outils/", views.tools, name="tools")]

from dcc.dashboards import views_tools  # noqa: E402

urlpatterns += [
    path("delais/", views_tools.delays_page, name="delays"),
    path("requetes/", views_tools.queries_page, name="queries"),
    path("attestations/", views_tools.certificates_page, name="certificates"),
    path("attestations/archives/", views_tools.certificate_zips, name="certificate_zips"),
    path("indemnisation/", views_tools.indemnity_page, name="indemnity"),
]
