import pytest
from django.template import Context, Template

from dcc.accounts import perms
from dcc.accounts.enums import DEFAULT_PERMISSIONS, Permission, Profile
from dcc.accounts.models import ProfilePermission
from dcc.records import access
from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from tests.directory.factories import EstablishmentFactory
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_default_rights_of_every_profile():
    stored = set(ProfilePermission.objects.values_list("profile", "permission"))

    expected = {(profile, permission) for profile, held in DEFAULT_PERMISSIONS.items() for permission in held}
    assert stored == expected
    assert {profile for profile, _ in stored} == set(Profile.values)


def test_each_persona_holds_the_expected_rights(personas):
    held = {name: perms.permissions_of(user) for name, user in personas.users.items() if user is not None}

    assert Permission.FICHE_VALIDATE in held["doctor"]
    assert Permission.FICHE_VALIDATE not in held["medical_secretary"]
    assert Permission.RCP_AGENDA in held["secretary_3c"]
    assert Permission.PPS_AUTHOR in held["annonce_nurse"]
    assert held["registry"] == {Permission.STATS_READ, Permission.DATA_EXPORT}
    assert Permission.IMPERSONATE in held["admin"]
    assert Permission.PATIENT_READ not in held["admin"]
    assert held["no_profile"] == set()


def test_a_right_applies_within_the_scope_of_the_grant_only(personas):
    doctor, other = personas["doctor"], personas["doctor_other_3c"]

    assert perms.user_can(doctor, Permission.FICHE_EDIT, three_c=personas.three_c)
    assert not perms.user_can(doctor, Permission.FICHE_EDIT, three_c=personas.other_three_c)
    assert perms.user_can(other, Permission.FICHE_EDIT, three_c=personas.other_three_c.pk)
    assert perms.user_can(doctor, Permission.FICHE_EDIT, establishment=personas.hospital)
    assert not perms.user_can(doctor, Permission.FICHE_EDIT, establishment=personas.other_hospital.pk)


def test_a_3c_grant_covers_the_establishments_of_that_3c(personas):
    clinic = EstablishmentFactory(three_c=personas.three_c, name="CLINIQUE TEST")

    assert perms.user_can(personas["secretary_3c"], Permission.RCP_AGENDA, establishment=clinic)
    assert perms.user_can(personas["secretary_3c"], Permission.RCP_AGENDA, establishment=clinic.pk)
    assert not perms.user_can(personas["secretary_3c"], Permission.RCP_AGENDA, establishment=personas.other_hospital)


def test_regional_profiles_cover_every_3c_and_an_unscoped_gp_only_unscoped_checks(personas):
    assert perms.user_can(personas["admin"], Permission.RCP_AGENDA, three_c=personas.other_three_c)
    assert perms.user_can(personas["registry"], Permission.DATA_EXPORT, three_c=personas.three_c)
    assert perms.user_can(personas["gp"], Permission.PATIENT_READ)
    assert not perms.user_can(personas["gp"], Permission.FICHE_EDIT, three_c=personas.three_c)


def test_the_admin_edits_the_rights_table_and_it_applies_at_once(personas):
    doctor = personas["doctor"]
    assert perms.user_can(doctor, Permission.FICHE_VALIDATE)

    ProfilePermission.objects.get(profile=Profile.MEDECIN, permission=Permission.FICHE_VALIDATE).delete()
    doctor = type(doctor).objects.get(pk=doctor.pk)  # rights are read once per user instance (per request)

    assert not perms.user_can(doctor, Permission.FICHE_VALIDATE)
    ProfilePermission.objects.create(profile=Profile.REGISTRE, permission=Permission.TRAIL_AUDIT)
    registry = type(personas["registry"]).objects.get(pk=personas["registry"].pk)
    assert perms.can_audit_trail(registry)


def test_patient_access_follows_the_patient_read_right(personas):
    patient = PatientFactory()
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    secretary = personas["medical_secretary"]
    assert access.can_view_patient(secretary, patient)

    ProfilePermission.objects.filter(profile=Profile.SECRETAIRE_MEDICALE, permission=Permission.PATIENT_READ).delete()
    secretary = type(secretary).objects.get(pk=secretary.pk)

    assert not access.can_view_patient(secretary, patient)


def test_inactive_users_anonymous_and_unknown_rights(personas):
    from django.contrib.auth.models import AnonymousUser

    doctor = personas["doctor"]
    doctor.is_active = False
    assert not perms.user_can(doctor, Permission.PATIENT_READ)
    assert not perms.user_can(AnonymousUser(), Permission.PATIENT_READ)
    assert not perms.user_can(None, Permission.PATIENT_READ)
    with pytest.raises(ValueError, match="Droit inconnu"):
        perms.user_can(personas["admin"], "fly")


def test_the_template_tag_answers_within_a_scope(personas):
    template = Template(
        '{% load rights %}{% user_can "fiche_validate" three_c=three_c as ok %}{% if ok %}oui{% else %}non{% endif %}'
    )

    def render(user, three_c):
        return template.render(Context({"user": user, "three_c": three_c}))

    assert render(personas["doctor"], personas.three_c) == "oui"
    assert render(personas["doctor"], personas.other_three_c) == "non"
    assert render(personas["medical_secretary"], None) == "non"


def test_impersonation_never_targets_an_administrator(personas):
    assert perms.can_be_impersonated(personas["doctor"])
    assert not perms.can_be_impersonated(personas["admin"])
    assert perms.can_impersonate(personas["admin"])
    assert not perms.can_impersonate(personas["secretary_3c"])


def test_the_regional_admin_edits_rights_in_the_admin_site(client, personas):
    from django.urls import reverse

    from dcc.accounts.models import User

    User.objects.filter(pk=personas["admin"].pk).update(is_superuser=True)
    client.force_login(personas["admin"])
    assert client.get(reverse("admin:accounts_profilepermission_changelist")).status_code == 200

    response = client.post(
        reverse("admin:accounts_profilepermission_add"), {"profile": Profile.ANNONCE_PPS, "permission": "fiche_edit"}
    )

    assert response.status_code == 302
    nurse = User.objects.get(pk=personas["annonce_nurse"].pk)
    assert perms.user_can(nurse, Permission.FICHE_EDIT, establishment=personas.hospital)
