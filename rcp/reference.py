"""Reference data of the 2023 authorisation reform: mentions and specialty tags of RCPs.

Texts from the regional steering committee's 2025 presentation ("Gestion des catégories de tag pour
les spécialités de RCP"); the admin edits them afterwards, the migration only creates missing ones.
"""

from __future__ import annotations

MENTIONS = [
    (
        "A",
        "RCP standard",
        "Mention A n : assurant la chirurgie oncologique chez l'adulte pour l'une ou plusieurs des sept "
        "localisations de tumeurs, mentionnées dans l'autorisation, et hors chirurgie complexe citée en mention B. "
        "Mention A TMSC : assurant les traitements médicamenteux systémiques du cancer chez l'adulte, hors "
        "chimiothérapies intensives citées en mention B.",
    ),
    (
        "B",
        "Recours chirurgie complexe",
        "Mention B n : assurant, en sus de la chirurgie oncologique chez l'adulte autorisée en mention A, une "
        "mission de recours ainsi que la chirurgie complexe multiviscérale ou multidisciplinaire ou de la "
        "récurrence des tumeurs malignes chez l'adulte ou la chirurgie oncologique en zone irradiée. "
        "Mention B TMSC : assurant, en sus des traitements médicamenteux systémiques du cancer chez l'adulte, les "
        "chimiothérapies intensives entraînant une aplasie prévisible de plus de huit jours et la prise en charge "
        "de cette aplasie prévisible.",
    ),
    (
        "Pôle régional",
        "Recours régional compétence rare / situation complexe",
        "Mention Pôle régional : RCP dites « territoriales », « régionales » et « nationales » assurant une mission "
        "de recours par nécessité d'une compétence rare ou d'une situation complexe.",
    ),
    (
        "Rare labellisé",
        "Cancers rares",
        "Mention Rare labellisé : les patients atteints d'un cancer qualifié de « rare » et entrant dans l'un des "
        "réseaux de « cancers rares » labellisés par l'INCa voient leur projet de proposition thérapeutique examiné "
        "par la seule RCP « cancers rares » concernée (RCPCR).",
    ),
    ("C", "Pédiatriques interrégional", "Mention C : assurant la chirurgie oncologique de l'enfant et adolescents "
     "de moins de 18 ans."),
]  # fmt: skip

# (code, label, mention code)
TAGS = [
    ("A", "Standard", "A"),
    ("A1", "Standard viscérale et digestive", "A"),
    ("B1", "Recours chirurgie complexe viscérale et digestive", "B"),
    ("Œsophage", "Atteintes péritonéales Œsophage", "B"),
    ("Foie", "Atteintes péritonéales Foie", "B"),
    ("Estomac", "Atteintes péritonéales Estomac", "B"),
    ("Pancréas", "Atteintes péritonéales Pancréas", "B"),
    ("Rectum", "Atteintes péritonéales Rectum", "B"),
    ("CRSC", "Recours régional compétence rare / situation complexe", "Pôle régional"),
    ("RCPCR", "RCP cancers rares", "Rare labellisé"),
    ("C", "Pédiatrique interrégionale", "C"),
]


def ensure_reference_data(mention_model, tag_model) -> None:
    """Create the missing mentions and tags (never overwrite what the admin edited)."""
    mentions = {}
    for position, (code, label, information) in enumerate(MENTIONS, start=1):
        mentions[code], _ = mention_model.objects.get_or_create(
            code=code, defaults={"label": label, "information": information, "position": position}
        )
    for position, (code, label, mention) in enumerate(TAGS, start=1):
        tag_model.objects.get_or_create(
            code=code, defaults={"label": label, "mention": mentions[mention], "position": position}
        )
