"""The diseases of the demo's dossiers, by the organ named in the RCP's title: shared by the RCP demo and its
documents' demo."""

from __future__ import annotations

# organ keyword → (CIM-10 topography, CIM-O-3 morphology, treatment codes of jdv-type-traitement-frcp-cisis,
# appareil of jdv-rcp-appareil-cisis)
DISEASES = [
    ("digestif", "C18.7", "8140/3", ["387713003", "C15632"], "86762007"),
    ("sein", "C50.4", "8500/3", ["387713003", "C15313"], "76752008"),
    ("poumon", "C34.1", "8140/3", ["C15632", "C15313"], "312419003"),
    ("urinaire", "C61", "8140/3", ["C15313", "387713003"], "122489005"),
    ("aérodigestives", "C32.0", "8070/3", ["387713003", "C15313"], "119253004"),
    ("gynécologique", "C56", "8441/3", ["387713003", "C15632"], "53065001"),
    ("hématologie", "C83.3", "9680/3", ["C15632"], "57171008"),
]
DEFAULT_DISEASE = ("", "C80.9", "8000/3", ["C15632"], "87784001")


def disease_for(rcp) -> tuple[str, str, str, list[str], str]:
    for disease in DISEASES:
        if disease[0] in rcp.organ:
            return disease
    return DEFAULT_DISEASE
