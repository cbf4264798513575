"""Who may see and edit the RCP catalogue and agenda (no patient data here).

- Every user holding a profile sees the catalogue and the agendas (the GP and the read-only
  profiles included: they hold no patient data).
- Every other check reads the rights table (``dcc.accounts.perms.user_can``): ``rcp_agenda`` edits the RCPs
  (agenda, attendance) of the 3C of the grant (everywhere for a regional profile), ``session_run`` runs
  their sessions, ``rcp_reference`` manages mentions, tags and value sets, ``dossier_register``,
  ``fiche_edit`` and ``fiche_validate`` the dossiers and fiches. No profile is named here.
"""

from __future__ import annotations

from dcc.accounts import perms as account_perms
from dcc.accounts.enums import REGIONAL_PROFILES, Permission
from rcp.enums import MemberRole


def can_view_catalogue(user) -> bool:
    return account_perms.has_any_profile(user) or bool(user.is_authenticated and user.is_superuser)


def _grant_three_c_ids(grant) -> set[int]:
    return {three_c.pk for three_c in grant.three_cs.all()} | {
        establishment.three_c_id for establishment in grant.establishments.all()
    }


def three_c_ids_with(user, permission: str) -> set[int] | None:
    """The 3C where ``user`` holds ``permission`` (rights table): ``None`` means all of them (a regional
    profile, or a superuser); cached on the user for the request."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if user.is_superuser:
        return None
    cache = user.__dict__.setdefault("_rcp_three_cs_with", {})
    if permission not in cache:
        table = account_perms.profile_permissions(user)
        holding = {grant.pk for grant in user.active_grants() if permission in table.get(grant.profile, ())}
        ids: set[int] | None = set()
        if holding:  # the grants' 3Cs and establishments are read only when a grant holds the right
            for grant in user.scoped_grants():
                if grant.pk not in holding:
                    continue
                if grant.profile in REGIONAL_PROFILES:
                    ids = None
                    break
                ids |= _grant_three_c_ids(grant)
        cache[permission] = ids
    return cache[permission]


def is_regional_admin(user) -> bool:
    """Holds the right to manage the regional RCP reference lists (mentions, tags, value sets)."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or account_perms.user_can(
        user, Permission.RCP_REFERENCE
    )


def editable_three_c_ids(user) -> set[int] | None:
    """The 3C whose RCPs the user may edit (right ``rcp_agenda``): ``None`` means all of them."""
    return three_c_ids_with(user, Permission.RCP_AGENDA)


def secretary_three_c_ids(user) -> set[int]:
    """The 3C where the user runs sessions (right ``session_run``; a regional holder runs none by scope)."""
    return three_c_ids_with(user, Permission.SESSION_RUN) or set()


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
    """Mentions and specialty tags are regional: the holders of ``rcp_reference`` edit them."""
    return is_regional_admin(user)


# --- Dossiers and fiches (patient data) -------------------------------------------------------
#
# Patient data follow dcc.records: a user sees a dossier only when part of the patient's care
# (a current care relationship). Registering a dossier creates those relationships for the
# requesting doctor, the RCP's 3C, its members and the organising establishment; a doctor of
# another 3C has none and sees nothing clinical.


def _care(user) -> bool:
    return account_perms.user_can(user, Permission.PATIENT_READ)


def can_register_dossiers(user) -> bool:
    """May register patients to RCP sessions (right ``dossier_register``, with patient access)."""
    return _care(user) and account_perms.user_can(user, Permission.DOSSIER_REGISTER)


def is_three_c_secretary_of(user, rcp) -> bool:
    """Runs the sessions of the RCP's 3C (right ``session_run`` there): late registration, ordering, live."""
    ids = three_c_ids_with(user, Permission.SESSION_RUN)
    return bool(ids is None or rcp.three_c_id in ids) and _care(user)


def can_view_dossier(user, dossier) -> bool:
    from dcc.records.access import can_view_patient

    return can_view_patient(user, dossier.patient)


def can_edit_fiche(user, dossier) -> bool:
    return (
        account_perms.user_can(user, Permission.FICHE_EDIT)
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


def can_relaunch_concertation_document(user, concertation) -> bool:
    """Relaunching a CR de concertation's document: a doctor (who may write one) in the patient's care."""
    from dcc.records.access import can_view_patient

    return is_doctor(user) and can_view_patient(user, concertation.patient)


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
    """Validates fiches and writes concertations: right ``fiche_validate``, as a directory professional."""
    return bool(user.professional_id) and _care(user) and account_perms.user_can(user, Permission.FICHE_VALIDATE)


def can_run_session(user, session) -> bool:
    """The 3C secretary of the RCP's 3C, or a coordinator (chair) of the RCP."""
    if not _care(user):
        return False
    if is_three_c_secretary_of(user, session.rcp):
        return True
    return bool(
        user.professional_id
        and session.rcp.members.filter(professional_id=user.professional_id, role=MemberRole.COORDINATOR).exists()
    )


def can_follow_session(user, session) -> bool:
    """Members, attendees and runners of a session may follow it live."""
    if not _care(user):
        return False
    if can_run_session(user, session):
        return True
    if not user.professional_id:
        return False
    return (
        session.rcp.members.filter(professional_id=user.professional_id).exists()
        or session.attendances.filter(professional_id=user.professional_id).exists()
    )
