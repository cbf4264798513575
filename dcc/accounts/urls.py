from django.urls import include, path

from dcc.accounts import views

account_patterns = (
    [
        path("cgu/", views.terms, name="terms"),
        path("support/", views.impersonate, name="impersonate"),
        path("support/fin/", views.impersonate_stop, name="impersonate_stop"),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("compte/dcc/", include(account_patterns)),
]
