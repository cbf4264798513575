from django.urls import include, path

from dcc.accounts import views

account_patterns = (
    [
        path("cgu/", views.terms, name="terms"),
        path("support/", views.impersonate, name="impersonate"),
        path("support/fin/", views.impersonate_stop, name="impersonate_stop"),
        path("psc/connexion/", views.psc_login, name="psc_login"),
        path("psc/retour/", views.psc_callback, name="psc_callback"),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/dcc/", include(account_patterns)),
]
