from django.db import models


class Sex(models.TextChoices):
    # JDV_J143 AdministrativeGender (HL7): F, M, U.
    FEMALE = "F", "Féminin"
    MALE = "M", "Masculin"
    UNKNOWN = "U", "Inconnu"


class RnivStatus(models.TextChoices):
    """Identity statuses of the Référentiel National d'IdentitoVigilance."""

    PROVISOIRE = "provisoire", "Identité provisoire"
    RECUPEREE = "recuperee", "Identité récupérée"
    VALIDEE = "validee", "Identité validée"
    QUALIFIEE = "qualifiee", "Identité qualifiée"


class IdentityOrigin(models.TextChoices):
    UI = "ui", "Saisie dans le DCC"
    INTEROP = "interop", "Interopérabilité"
    INSI = "insi", "Téléservice INSi"
    MIGRATION = "migration", "Reprise de données"


INS_OID_NIR = "1.2.250.1.213.1.4.8"
INS_OID_NIA = "1.2.250.1.213.1.4.9"
INS_OID_TEST = "1.2.250.1.213.1.4.10"


class ProofDocument(models.TextChoices):
    """Identity documents seen at the desk (RNIV): only the high-trust ones validate an identity."""

    CNI = "cni", "Carte nationale d'identité"
    PASSPORT = "passeport", "Passeport"
    RESIDENCE_PERMIT = "titre_sejour", "Titre de séjour"
    FAMILY_BOOK = "livret_famille", "Livret de famille"
    BIRTH_CERTIFICATE = "acte_naissance", "Extrait d'acte de naissance"


HIGH_TRUST_DOCUMENTS = frozenset({ProofDocument.CNI, ProofDocument.PASSPORT, ProofDocument.RESIDENCE_PERMIT})


class ChangeKind(models.TextChoices):
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    STATUS = "status", "Changement de statut"
    PROOF = "proof", "Justificatif d'identité vu"
    INSI_ACCEPT = "insi_accept", "Résultat INSi accepté"
    INSI_REJECT = "insi_reject", "Résultat INSi refusé"
    IDENTIFIER = "identifier", "Identifiant local"
    MERGE = "merge", "Fusion"
    UNMERGE = "unmerge", "Annulation de fusion"


class InsiOperation(models.TextChoices):
    TRAITS = "traits", "Recherche par traits d'identité"
    VITALE = "vitale", "Recherche par carte Vitale"


class InsiDecision(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Accepté"
    REJECTED = "rejected", "Refusé"
    NONE = "none", "Sans objet"


STRICT_TRAITS = ("birth_name", "first_given_name", "given_names", "sex", "birth_date", "birth_place_code")
LOCKED_STATUSES = frozenset({RnivStatus.RECUPEREE, RnivStatus.QUALIFIEE})
