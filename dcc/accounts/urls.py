from django.urls import include, path

from dcc.accounts import user_admin, views

account_patterns = (
    [
        path("cgu/", views.terms, name="terms"),
        path("support/", views.impersonate, name="impersonate"),
        path("support/fin/", views.impersonate_stop, name="impersonate_stop"),
        path("psc/connexion/", views.psc_login, name="psc_login"),
        path("psc/retour/", views.psc_callback, name="psc_callback"),
        path("utilisateurs/", user_admin.users, name="users"),
        path("utilisateurs/<int:pk>/", user_admin.user_detail, name="user"),
        path("utilisateurs/<int:pk>/etat/", user_admin.user_active, name="user_active"),
        path(
            "utilisateurs/<int:pk>/profils/<int:grant_pk>/retirer/",
            user_admin.grant_withdraw_view,
            name="grant_withdraw",
        ),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/dcc/", include(account_patterns)),
]
