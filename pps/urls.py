from django.urls import include, path

from pps import views

app_name = "pps"

urlpatterns = [
    path("", views.home, name="home"),
    path("bibliotheque/", views.library, name="library"),
    path("bibliotheque/<int:pk>/", views.group, name="group"),
    path("bibliotheque/<int:pk>/apercu/", views.group_preview, name="group_preview"),
    path("bibliotheque/<int:pk>/favori/", views.group_favourite, name="group_favourite"),
    path("bibliotheque/<int:pk>/elements/", views.group_element_add, name="group_element_add"),
    path(
        "bibliotheque/<int:pk>/elements/<int:element_pk>/<slug:action>/",
        views.group_element_change,
        name="group_element_change",
    ),
    path("patients/<int:patient_pk>/", views.patient, name="patient"),
    path("patients/<int:patient_pk>/nouveau/", views.pps_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edp/", views.edp_add, name="edp_add"),
    path("<int:pk>/edp/<int:element_pk>/date/", views.element_date, name="element_date"),
    path("<int:pk>/edp/<int:element_pk>/modifier/", views.element_edit, name="element_edit"),
    path("<int:pk>/edp/<int:element_pk>/supprimer/", views.element_remove, name="element_remove"),
    path("<int:pk>/groupement/", views.group_apply, name="group_apply"),
    path("<int:pk>/protocole/", views.protocol_apply, name="protocol_apply"),
    path("<int:pk>/groupements/<int:block_pk>/date/", views.block_reschedule, name="block_reschedule"),
    path("<int:pk>/commentaire/", views.comment, name="comment"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/supprimer/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/fiche-rcp/", views.rcp_fiche, name="rcp_fiche"),
    path("<int:pk>/valider/", views.validate, name="validate"),
    path("<int:pk>/remettre/", views.deliver, name="deliver"),
    path("<int:pk>/nouvelle-version/", views.new_version, name="new_version"),
    path("<int:pk>/document/", views.document_status, name="document_status"),
    path("<int:pk>/document/relancer/", views.document_relaunch, name="document_relaunch"),
    path("statistiques/", views.statistics, name="statistics"),
    path("apres-cancer/", include("pps.ppac_urls")),
]
