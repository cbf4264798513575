"""French meanings of the SMTP, DSN and MSSanté integration (MDN) codes shown to users."""

from __future__ import annotations

SMTP_REPLIES = {
    "421": "Service momentanément indisponible, nouvel essai prévu",
    "450": "Boîte aux lettres momentanément indisponible",
    "451": "Erreur temporaire du serveur de messagerie",
    "452": "Espace de stockage insuffisant chez le destinataire",
    "530": "Authentification requise par le serveur",
    "535": "Authentification refusée",
    "550": "Boîte aux lettres inconnue ou indisponible",
    "551": "Destinataire non local",
    "552": "Message trop volumineux pour le destinataire",
    "553": "Adresse du destinataire invalide",
    "554": "Envoi refusé par le serveur",
}
ENHANCED = {
    "2.0.0": "Message remis au destinataire",
    "4.4.1": "Serveur du destinataire injoignable, remise retardée",
    "4.4.7": "Remise retardée",
    "5.1.1": "Adresse MSSanté du destinataire inconnue",
    "5.1.2": "Domaine du destinataire inconnu",
    "5.1.3": "Adresse du destinataire mal formée",
    "5.2.2": "Boîte aux lettres du destinataire pleine",
    "5.3.4": "Message trop volumineux",
    "5.7.1": "Envoi refusé (droits ou politique de sécurité)",
}
# MSSanté integration errors returned in a negative MDN (TRANS-CDA error codes 900–906).
INTEGRATION = {
    "900": "Version du document non prise en charge par le logiciel du destinataire",
    "901": "Auteur du document non autorisé",
    "902": "Patient inconnu du logiciel du destinataire",
    "903": "Patient sans INS",
    "904": "INS et traits d'identité incohérents",
    "905": "INS incomplet",
    "906": "Erreur d'intégration dans le logiciel du destinataire",
}


def smtp_meaning(code: int | str, enhanced: str = "") -> str:
    if enhanced and enhanced in ENHANCED:
        return ENHANCED[enhanced]
    code = str(code)
    if code in SMTP_REPLIES:
        return SMTP_REPLIES[code]
    if code.startswith("4"):
        return "Erreur temporaire du serveur de messagerie"
    if code.startswith("5"):
        return "Envoi refusé par le serveur de messagerie"
    return "Réponse inattendue du serveur de messagerie"


def status_meaning(status: str) -> str:
    if status in ENHANCED:
        return ENHANCED[status]
    if status.startswith("2."):
        return "Message remis au destinataire"
    if status.startswith("4."):
        return "Remise retardée"
    return "Message non remis"
