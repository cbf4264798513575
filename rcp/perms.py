"""Who may see and edit the RCP catalogue and agenda (no patient data here).

- Every user holding a profile sees the catalogue and the agendas (the GP and the read-only
  profiles included: they hold no patient data).
- A 3C secretary edits the RCPs (and their agenda and attendance) of the 3C of her grant; the
  regional admin edits every RCP. A doctor, even of the RCP's own 3C, does not edit the catalogue.
"""

from __future__ import annotations

from dcc.accounts import perms as account_perms
from dcc.accounts.enums import Profile
from rcp.enums import MemberRole


def can_view_catalogue(user) -> bool:
    return account_perms.has_any_profile(user) or bool(user.is_authenticated and user.is_superuser)


def is_regional_admin(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.has_profile(Profile.ADMIN_REGIONAL))
    )


def editable_three_c_ids(user) -> set[int] | None:
    """The 3C whose RCPs the user may edit: ``None`` means all of them (regional admin)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if is_regional_admin(user):
        return None
    return secretary_three_c_ids(user)


def secretary_three_c_ids(user) -> set[int]:
    """The 3C of the user's active 3C secretary grants (cached on the user for the request)."""
    cached = getattr(user, "_rcp_secretary_three_cs", None)
    if cached is None:
        cached = {
            three_c.pk
            for grant in user.active_grants()
            if grant.profile == Profile.SECRETAIRE_3C
            for three_c in grant.three_cs.all()
        }
        user._rcp_secretary_three_cs = cached
    return cached


def can_manage_catalogue(user) -> bool:
    """May create RCPs (in at least one 3C)."""
    ids = editable_three_c_ids(user)
    return ids is None or bool(ids)


def can_edit_rcp(user, rcp) -> bool:
    """May edit this RCP, its members, quorum rule, recurrences, sessions and attendance."""
    ids = editable_three_c_ids(user)
    return ids is None or rcp.three_c_id in ids


def can_administer_value_sets(user) -> bool:
    return is_regional_admin(user)


def can_manage_mentions(user) -> bool:
    """Mentions and specialty tags are regional: the regional admin edits them."""
    return is_regional_admin(user)


# --- Dossiers and fiches (patient data) -------------------------------------------------------
#
# Patient data follow dcc.records: a user sees a dossier only when part of the patient's care
# (a current care relationship). Registering a dossier creates those relationships for the
# requesting doctor, the RCP's 3C, its members and the organising establishment; a doctor of
# another 3C has none and sees nothing clinical.

REGISTERING_PROFILES = frozenset({Profile.MEDECIN, Profile.SECRETAIRE_MEDICALE, Profile.SECRETAIRE_3C})
FICHE_EDITING_PROFILES = frozenset({Profile.MEDECIN, Profile.SECRETAIRE_3C})


def _care_profiles(user) -> set[str]:
    from dcc.records.access import has_patient_care_profile

    return set(user.profiles) if has_patient_care_profile(user) else set()


def can_register_dossiers(user) -> bool:
    """May register patients to RCP sessions (doctors, medical and 3C secretaries)."""
    return bool(_care_profiles(user) & REGISTERING_PROFILES)


def is_three_c_secretary_of(user, rcp) -> bool:
    """Holds a 3C secretary profile for the RCP's 3C (late registration, ordering, live session)."""
    if not (user.is_authenticated and user.is_active and user.has_profile(Profile.SECRETAIRE_3C)):
        return False
    return rcp.three_c_id in secretary_three_c_ids(user)


def can_view_dossier(user, dossier) -> bool:
    from dcc.records.access import can_view_patient

    return can_view_patient(user, dossier.patient)


def can_edit_fiche(user, dossier) -> bool:
    return (
        bool(_care_profiles(user) & FICHE_EDITING_PROFILES)
        and can_view_dossier(user, dossier)
        and not is_only_notified_gp(user, dossier)
    )


def is_only_notified_gp(user, dossier) -> bool:
    """The user sees the patient only as the GP told of the RCP: he reads and contributes (rcp.gp), he does
    not write the board's fiche nor choose the request's documents."""
    from dcc.records.access import care_scope
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.models import CareRelationship

    if not user.professional_id or dossier.patient.general_practitioner_id != user.professional_id:
        return False  # only the patient's GP can be there as the notified GP (no query for anyone else)
    kinds = set(
        CareRelationship.objects.current()
        .filter(care_scope(user), patient_id=dossier.patient_id)
        .values_list("kind", flat=True)
        .distinct()
    )
    return kinds == {CareRelationshipKind.GENERAL_PRACTITIONER}


def can_regenerate_fiche_document(user, dossier) -> bool:
    """Relaunching a failed FRCP production: those who may edit the fiche (doctors, the 3C secretary)."""
    return can_edit_fiche(user, dossier)


def can_edit_attachments(user, dossier) -> bool:
    """The requesting side (may register, sees the patient) while the dossier is a draft or registered."""
    from rcp.enums import DOSSIER_ATTACHMENTS_EDITABLE

    return (
        dossier.status in DOSSIER_ATTACHMENTS_EDITABLE
        and can_register_dossiers(user)
        and can_view_dossier(user, dossier)
        and not is_only_notified_gp(user, dossier)
    )


def is_doctor(user) -> bool:
    return Profile.MEDECIN in _care_profiles(user) and bool(user.professional_id)


def can_run_session(user, session) -> bool:
    """The 3C secretary of the RCP's 3C, or a coordinator (chair) of the RCP."""
    if not _care_profiles(user):
        return False
    if is_three_c_secretary_of(user, session.rcp):
        return True
    return bool(
        user.professional_id
        and session.rcp.members.filter(professional_id=user.professional_id, role=MemberRole.COORDINATOR).exists()
    )


def can_follow_session(user, session) -> bool:
    """Members, attendees and runners of a session may follow it live."""
    if not _care_profiles(user):
        return False
    if can_run_session(user, session):
        return True
    if not user.professional_id:
        return False
    return (
        session.rcp.members.filter(professional_id=user.professional_id).exists()
        or session.attendances.filter(professional_id=user.professional_id).exists()
    )
