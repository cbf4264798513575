"""Directory imports: RPPS (Annuaire Santé), FINESS, MSSanté addresses — upserts, idempotence, French report."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dcc.directory.enums import EstablishmentType, MssAddressStatus, PracticeRole, Profession
from dcc.directory.importing import import_finess, import_mss_addresses, import_rpps
from dcc.directory.models import Establishment, MssAddress, PlaceOfPractice, Professional
from dcc.directory.signals import professionals_changed

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
RPPS_FILE = SAMPLES / "PS_LibreAcces_Personne_activite_202612010000.txt"
FINESS_FILE = SAMPLES / "etalab-cs1100507-stock-20261115-0336.csv"
MSS_FILE = SAMPLES / "adresses_mssante.csv"


def run(command: str, path: Path, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_finess_import_creates_then_leaves_unchanged():
    out, err = run("import_finess", FINESS_FILE)
    assert "créés : 4" in out
    assert "ignorés (hors champ) : 1" in out  # the pharmacy
    assert "lignes rejetées : 2" in out
    assert "ligne 7 : Le numéro FINESS est invalide (clé de contrôle incorrecte). (869900051)" in out
    assert "ligne 8 : ligne incomplète" in out
    assert "100 %" in err  # the progress bar
    chu = Establishment.objects.get(finess_geo="869900019")
    assert chu.kind == EstablishmentType.CHU
    assert (chu.town, chu.postcode, chu.finess_legal) == ("POITIERS", "86021", "869901009")
    assert Establishment.objects.get(finess_geo="869900035").kind == EstablishmentType.ESPIC
    assert Establishment.objects.get(finess_geo="869900043").kind == EstablishmentType.CABINET
    assert not Establishment.objects.filter(finess_geo="869900050").exists()

    again, _ = run("import_finess", FINESS_FILE, "--no-progress")
    assert "créés : 0" in again and "mis à jour : 0" in again and "inchangés : 4" in again
    assert Establishment.objects.filter(finess_geo__startswith="8699").count() == 4


def test_finess_import_updates_a_changed_establishment_and_keeps_its_3c():
    run("import_finess", FINESS_FILE)
    chu = Establishment.objects.get(finess_geo="869900019")
    from tests.directory.factories import ThreeCFactory

    chu.name, chu.three_c = "ANCIEN NOM", ThreeCFactory()
    chu.save()
    report = import_finess(FINESS_FILE, batch_size=2)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    chu.refresh_from_db()
    assert chu.name == "CHU FICTIF POITIERS" and chu.three_c is not None


def test_rpps_import_professionals_and_places():
    run("import_finess", FINESS_FILE)
    out, _ = run("import_rpps", RPPS_FILE, "--batch-size", "2")
    assert "créés : 4" in out, out
    assert "lignes rejetées : 3" in out
    assert "ligne 7 : Le numéro RPPS est invalide (clé de contrôle incorrecte). (10999900046)" in out
    assert "ligne 8 : type d'identifiant « 0 » : seuls les RPPS (type 8) sont importés" in out
    assert "ligne 9 : nombre de colonnes incorrect" in out
    assert "lieux d'exercice non rattachés (FINESS site absent du DCC) : 1" in out
    gp = Professional.objects.get(rpps="10999900011")
    assert (gp.last_name, gp.first_name, gp.civility, gp.specialty_id, gp.is_liberal) == (
        "FICTIVAL", "Aude", "DR", "G15_10/SM54", True,
    )  # fmt: skip
    assert gp.is_general_practitioner
    assert list(gp.places.values_list("establishment__finess_geo", "role")) == [("869900043", PracticeRole.LIBERAL)]
    doctor = Professional.objects.get(rpps="10999900029")
    assert sorted(doctor.places.values_list("establishment__finess_geo", flat=True)) == ["869900019", "869900027"]
    nurse = Professional.objects.get(rpps="10999900037")
    assert nurse.profession == Profession.INFIRMIER and nurse.specialty_id == "G15_60"

    again = import_rpps(RPPS_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert PlaceOfPractice.objects.filter(professional__rpps__startswith="1099990").count() == 4


def test_rpps_import_updates_a_renamed_professional():
    import_rpps(RPPS_FILE)
    Professional.objects.filter(rpps="10999900029").update(last_name="NOM-AVANT", is_active=False)
    report = import_rpps(RPPS_FILE)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Professional.objects.get(rpps="10999900029").last_name == "TESTEMONT"
    assert Professional.objects.get(rpps="10999900029").is_active


def test_an_import_that_changes_professionals_says_so_to_whoever_caches_them():
    import_rpps(RPPS_FILE)
    heard = []

    def listener(sender, **kwargs):
        heard.append(sender)

    professionals_changed.connect(listener)
    try:
        import_rpps(RPPS_FILE)  # nothing changed
        assert heard == []
        Professional.objects.filter(rpps="10999900029").update(last_name="NOM-AVANT")
        import_rpps(RPPS_FILE)
        assert heard == [Professional]
    finally:
        professionals_changed.disconnect(listener)


def test_rpps_import_reads_the_zip_of_the_public_extraction(tmp_path):
    archive = tmp_path / "PS_LibreAcces_202612010000.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(RPPS_FILE, RPPS_FILE.name)
        zf.writestr("PS_LibreAcces_Dipl_AutExerc_202612010000.txt", "x|y|\n")
    assert import_rpps(archive).created == 4


def test_rpps_import_refuses_another_file_in_french(tmp_path):
    other = tmp_path / "autre.txt"
    other.write_text("Identification nationale PP|Code profession|\n810999900011|10|\n", encoding="utf-8")
    with pytest.raises(CommandError, match="colonne\\(s\\) absente\\(s\\) : « Type d'identifiant PP »"):
        run("import_rpps", other)
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_rpps", tmp_path / "absent.txt")
    with pytest.raises(CommandError, match="n'est pas une extraction FINESS"):
        run("import_finess", other)


def test_mss_address_import():
    run("import_finess", FINESS_FILE)
    import_rpps(RPPS_FILE)
    out, _ = run("import_mss_addresses", MSS_FILE)
    assert "créés : 5" in out, out
    assert "lignes rejetées : 4" in out
    assert "RPPS 10999900060 absent de l'annuaire du DCC" in out
    assert "adresse MSSanté invalide (« pas-une-adresse »)" in out
    assert "ni RPPS ni FINESS" in out
    assert "type de boîte « XYZ » inconnu" in out
    assert Professional.objects.get(rpps="10999900011").mss_address == "aude.fictival@medecin.mssante.fr"
    assert Professional.objects.get(rpps="10999900037").mss_address == "julie.essaimond@infirmier.mssante.fr"
    org = MssAddress.objects.get(address="rcp@chu-fictif.mssante.fr")
    assert org.establishment.finess_geo == "869900019" and org.professional is None

    again = import_mss_addresses(MSS_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_mss_import_does_not_bring_back_an_address_marked_invalid():
    run("import_finess", FINESS_FILE)
    import_rpps(RPPS_FILE)
    import_mss_addresses(MSS_FILE)
    MssAddress.objects.filter(address="julie.essaimond@infirmier.mssante.fr").update(status=MssAddressStatus.INVALID)
    Professional.objects.filter(rpps="10999900037").update(mss_address="")
    report = import_mss_addresses(MSS_FILE)
    assert any("a été marquée invalide" in reason for _, reason in report.rejected)
    assert Professional.objects.get(rpps="10999900037").mss_address == ""
