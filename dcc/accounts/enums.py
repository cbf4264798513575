from django.db import models


class Profile(models.TextChoices):
    """The regional DCC's user profiles (a user may hold several, each with its own scope)."""

    MEDECIN = "medecin", "Médecin / Pharmacien / Interne"
    SECRETAIRE_MEDICALE = "secretaire_medicale", "Secrétaire médicale"
    SECRETAIRE_3C = "secretaire_3c", "Secrétaire 3C"
    ANNONCE_PPS = "annonce_pps", "Annonce PPS"
    LECTURE_SEULE = "lecture_seule", "Lecture seule"
    CRCDC = "crcdc", "CRCDC"
    REGISTRE = "registre", "Registre"
    ARC = "arc", "ARC"
    ADMIN_REGIONAL = "admin_regional", "Administrateur régional"


# Profiles whose holders work on identified patients (one-time codes will be mandatory for them).
PATIENT_CARE_PROFILES = frozenset(
    {Profile.MEDECIN, Profile.SECRETAIRE_MEDICALE, Profile.SECRETAIRE_3C, Profile.ANNONCE_PPS}
)
# Read-only profiles (restricted reads and exports).
READ_ONLY_PROFILES = frozenset({Profile.LECTURE_SEULE, Profile.CRCDC, Profile.REGISTRE, Profile.ARC})

# When a user holds several profiles, the home page follows the first in this order.
HOME_PRIORITY = [
    Profile.ADMIN_REGIONAL,
    Profile.SECRETAIRE_3C,
    Profile.MEDECIN,
    Profile.SECRETAIRE_MEDICALE,
    Profile.ANNONCE_PPS,
    Profile.REGISTRE,
    Profile.CRCDC,
    Profile.ARC,
    Profile.LECTURE_SEULE,
]

# Profiles whose scope is the whole region (no 3C or establishment needed).
REGIONAL_PROFILES = frozenset(
    {Profile.ADMIN_REGIONAL, Profile.REGISTRE, Profile.CRCDC, Profile.ARC, Profile.LECTURE_SEULE}
)


class Permission(models.TextChoices):
    """Fine-grained rights. Which profile holds which is data (``ProfilePermission``), editable by the admin."""

    PATIENT_READ = "patient_read", "Consulter un dossier patient"
    DOSSIER_REGISTER = "dossier_register", "Inscrire un dossier en RCP"
    FICHE_EDIT = "fiche_edit", "Rédiger une fiche RCP"
    FICHE_VALIDATE = "fiche_validate", "Valider une fiche RCP"
    RCP_AGENDA = "rcp_agenda", "Gérer l'agenda des RCP"
    PPS_AUTHOR = "pps_author", "Rédiger un PPS"
    DOCUMENT_SEND = "document_send", "Envoyer des documents"
    DATA_EXPORT = "data_export", "Exporter des données"
    STATS_READ = "stats_read", "Consulter les statistiques"
    BREAK_GLASS = "break_glass", "Accès exceptionnel à un dossier (bris de glace)"
    TRAIL_READ = "trail_read", "Voir qui a consulté un dossier"
    TRAIL_AUDIT = "trail_audit", "Consulter la traçabilité régionale"
    USERS_ADMIN = "users_admin", "Administrer les utilisateurs"
    IMPERSONATE = "impersonate", "Se connecter en tant qu'un utilisateur (support)"
    INTEROP_MONITOR = "interop_monitor", "Superviser les échanges d'interopérabilité"
    LAUNCH_SIMULATE = "launch_simulate", "Simuler l'appel contextuel d'un DPI (démonstration)"
    SESSION_RUN = "session_run", "Animer une séance RCP (ordre de passage, séance en direct)"
    RCP_REFERENCE = "rcp_reference", "Gérer les mentions, étiquettes et jeux de valeurs des RCP"
    PPS_LIBRARY = "pps_library", "Gérer la bibliothèque régionale des PPS"


P = Permission
# The defaults loaded by the data migration (the migration keeps its own frozen copy).
DEFAULT_PERMISSIONS: dict[str, frozenset[str]] = {
    Profile.MEDECIN: frozenset(
        {
            P.PATIENT_READ,
            P.DOSSIER_REGISTER,
            P.FICHE_EDIT,
            P.FICHE_VALIDATE,
            P.PPS_AUTHOR,
            P.DOCUMENT_SEND,
            P.BREAK_GLASS,
        }
    ),
    Profile.SECRETAIRE_MEDICALE: frozenset({P.PATIENT_READ, P.DOSSIER_REGISTER, P.FICHE_EDIT, P.DOCUMENT_SEND}),
    Profile.SECRETAIRE_3C: frozenset(
        {
            P.PATIENT_READ,
            P.DOSSIER_REGISTER,
            P.FICHE_EDIT,
            P.RCP_AGENDA,
            P.DOCUMENT_SEND,
            P.STATS_READ,
            P.TRAIL_READ,
            P.DATA_EXPORT,  # her 3C's data requests (dcc.dashboards migration 0002)
            P.SESSION_RUN,
        }
    ),
    Profile.ANNONCE_PPS: frozenset({P.PATIENT_READ, P.PPS_AUTHOR, P.DOCUMENT_SEND}),
    Profile.LECTURE_SEULE: frozenset({P.STATS_READ}),
    Profile.CRCDC: frozenset({P.STATS_READ, P.DATA_EXPORT}),
    Profile.REGISTRE: frozenset({P.STATS_READ, P.DATA_EXPORT}),
    Profile.ARC: frozenset({P.STATS_READ, P.DATA_EXPORT}),
    Profile.ADMIN_REGIONAL: frozenset(
        {
            P.RCP_AGENDA,
            P.RCP_REFERENCE,
            P.PPS_LIBRARY,
            P.STATS_READ,
            P.DATA_EXPORT,
            P.TRAIL_READ,
            P.TRAIL_AUDIT,
            P.USERS_ADMIN,
            P.IMPERSONATE,
            P.INTEROP_MONITOR,
            P.LAUNCH_SIMULATE,
        }
    ),
}
del P


class ConnectionMethod(models.TextChoices):
    PASSWORD = "password", "Mot de passe"
    OTP = "otp", "Mot de passe et code à usage unique"
    PSC = "psc", "Pro Santé Connect"
    CONTEXTUAL = "contextual", "Appel contextuel"


class AccountEventKind(models.TextChoices):
    DEACTIVATED_UNUSED = "deactivated_unused", "Désactivé (compte inutilisé)"
    INACTIVITY_WARNING = "inactivity_warning", "Avertissement d'inactivité envoyé"
    DEACTIVATED_BY_ADMIN = "deactivated_by_admin", "Désactivé par un administrateur"
    REACTIVATED = "reactivated", "Réactivé par un administrateur"
    TERMS_ACCEPTED = "terms_accepted", "CGU acceptées"
    PSC_LINKED = "psc_linked", "Relié à Pro Santé Connect"
    PSC_PROVISIONED = "psc_provisioned", "Créé à la première connexion Pro Santé Connect"
    GRANT_CHANGED = "grant_changed", "Profil ou périmètre modifié"
