from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("", views.search, name="search"),
    path("nouveau/", views.create, name="create"),
    path("qualite/", views.quality, name="quality"),
    path("fusion/<int:first>/<int:second>/", views.merge, name="merge"),
    path("fusions/<int:merge_pk>/annuler/", views.unmerge, name="unmerge"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/insi/traits/", views.insi_traits, name="insi_traits"),
    path("<int:pk>/insi/vitale/", views.insi_vitale, name="insi_vitale"),
    path("<int:pk>/insi/<int:lookup_pk>/accepter/", views.insi_accept, name="insi_accept"),
    path("<int:pk>/insi/<int:lookup_pk>/refuser/", views.insi_reject, name="insi_reject"),
    path("<int:pk>/justificatif/", views.proof, name="proof"),
    path("<int:pk>/douteuse/", views.downgrade, name="downgrade"),
    path("<int:pk>/ipp/", views.local_identifier, name="local_identifier"),
    path("<int:pk>/datamatrix.png", views.datamatrix_png, name="datamatrix"),
]
