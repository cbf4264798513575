from django.urls import path

from pps import ppac_views as views

app_name = "ppac"

urlpatterns = [
    path("patients/<int:patient_pk>/", views.patient, name="patient"),
    path("patients/<int:patient_pk>/nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/suivi/", views.follow_up_add, name="follow_up_add"),
    path("<int:pk>/suivi/<int:follow_up_pk>/supprimer/", views.follow_up_remove, name="follow_up_remove"),
    path("<int:pk>/conseils/", views.advice, name="advice"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/supprimer/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/valider/", views.validate, name="validate"),
    path("<int:pk>/remettre/", views.deliver, name="deliver"),
    path("<int:pk>/nouvelle-version/", views.new_version, name="new_version"),
]
