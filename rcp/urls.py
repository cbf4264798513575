from django.urls import path

from rcp import views, views_codes, views_dossiers

app_name = "rcp"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("nouvelle/", views.rcp_create, name="create"),
    path("<int:pk>/", views.rcp_detail, name="detail"),
    path("<int:pk>/modifier/", views.rcp_edit, name="edit"),
    path("<int:pk>/quorum/", views.rcp_quorum, name="quorum"),
    path("<int:pk>/membres/", views.member_add, name="member_add"),
    path("<int:pk>/membres/<int:member_id>/retirer/", views.member_remove, name="member_remove"),
    path("<int:pk>/recurrences/nouvelle/", views.recurrence_add, name="recurrence_add"),
    path("<int:pk>/recurrences/<int:recurrence_id>/arreter/", views.recurrence_stop, name="recurrence_stop"),
    path("<int:pk>/seances/nouvelle/", views.session_add, name="session_add"),
    path("seances/<int:pk>/", views.session_detail, name="session"),
    path("seances/<int:pk>/deplacer/", views.session_move, name="session_move"),
    path("seances/<int:pk>/annuler/", views.session_cancel, name="session_cancel"),
    path("seances/<int:pk>/statut/", views.session_status, name="session_status"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
    path("seances/<int:pk>/inscrire/", views_dossiers.dossier_register, name="dossier_register"),
    path("seances/<int:pk>/ordre/", views_dossiers.session_reorder, name="session_reorder"),
    path("seances/<int:pk>/direct/", views_dossiers.session_live, name="session_live"),
    path("seances/<int:pk>/direct/dossier/", views_dossiers.session_live_goto, name="session_live_goto"),
    path(
        "seances/<int:pk>/direct/proposition/", views_dossiers.session_live_proposition, name="session_live_proposition"
    ),
    path("seances/<int:pk>/direct/cloturer/", views_dossiers.session_live_close, name="session_live_close"),
    path("seances/<int:pk>/suivre/", views_dossiers.session_follow, name="session_follow"),
    path("dossiers/<int:pk>/", views_dossiers.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/pieces-jointes/", views_dossiers.dossier_attachments, name="dossier_attachments"),
    path("dossiers/<int:pk>/statut/", views_dossiers.dossier_status, name="dossier_status"),
    path("dossiers/<int:pk>/fiche/", views_dossiers.fiche_edit, name="fiche"),
    path("dossiers/<int:pk>/fiche/amender/", views_dossiers.fiche_amend, name="fiche_amend"),
    path("dossiers/<int:pk>/fiche/valider/", views_dossiers.fiche_validate, name="fiche_validate"),
    path("dossiers/<int:pk>/fiche/reprendre/", views_dossiers.fiche_copy_forward, name="fiche_copy_forward"),
    path("dossiers/<int:pk>/fiche/documents/", views_dossiers.fiche_documents, name="fiche_documents"),
    path(
        "dossiers/<int:pk>/fiche/documents/relancer/",
        views_dossiers.fiche_documents_regenerate,
        name="fiche_documents_regenerate",
    ),
    path("patients/<int:patient_pk>/dossiers/", views_dossiers.patient_dossiers, name="patient_dossiers"),
    path(
        "patients/<int:patient_pk>/concertations/nouvelle/",
        views_dossiers.concertation_create,
        name="concertation_create",
    ),
    path("concertations/<int:pk>/", views_dossiers.concertation_detail, name="concertation"),
    path("mentions/", views.mentions, name="mentions"),
    path("mentions/nouvelle/", views.mention_edit, name="mention_create"),
    path("mentions/<int:pk>/", views.mention_edit, name="mention_edit"),
    path("tags/nouveau/", views.tag_edit, name="tag_create"),
    path("tags/<int:pk>/", views.tag_edit, name="tag_edit"),
    path("jeux-de-valeurs/", views.code_lists, name="code_lists"),
    path("jeux-de-valeurs/<slug:key>/", views.code_search, name="code_search"),
    path("jeux-de-valeurs/<slug:key>/options/", views_codes.code_options, name="code_options"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/abonnement/", views.calendar_feed, name="calendar_feed"),
    path("ics/rcp/<str:token>.ics", views.rcp_ics, name="rcp_ics"),
    path("ics/utilisateur/<str:token>.ics", views.user_ics, name="user_ics"),
]
