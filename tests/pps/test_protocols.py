"""The protocol base: CSV import (command and admin), all or nothing, French messages."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from pps.models import Protocol
from pps.protocol_import import protocols_import_csv

pytestmark = pytest.mark.django_db

GOOD = (
    "nom;medicaments;duree_cycle_jours;nombre_cycles;jours_administration;type\n"
    "CAELYX 28 j;CAELYX;28;6;1;chimiotherapie\n"
    "PACLITAXEL hebdo;PACLITAXEL;28;3;1, 8, 15;\n"
)


def test_a_good_file_creates_then_updates():
    assert protocols_import_csv(text=GOOD).created == 2
    result = protocols_import_csv(text=GOOD.replace(";6;", ";8;"))

    assert (result.created, result.updated) == (0, 2)
    caelyx = Protocol.objects.get(name="CAELYX 28 j")
    assert caelyx.cycles == 8
    assert Protocol.objects.get(name="PACLITAXEL hebdo").day_numbers == [1, 8, 15]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("ZERO;DRUG;21;0;1;", "zéro cycle refusé"),
        ("NEG;DRUG;21;-2;1;", "zéro cycle refusé"),
        ("LONG;DRUG;21;x;1;", "n'est pas un nombre entier"),
        ("DAYS;DRUG;21;4;1, 30;", "entre 1 et 21"),
        ("NODRUG;;21;4;1;", "médicament"),
        ("KIND;DRUG;21;4;1;radiotherapie", "type « radiotherapie » inconnu"),
        ("FOREVER;DRUG;365;10;1;", "plus de 5 ans"),
        ("CAELYX 28 j;CAELYX;28;6;1;", "deux fois"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_line(row, fragment):
    with pytest.raises(ValidationError) as caught:
        protocols_import_csv(text=GOOD + row + "\n")

    message = " ".join(caught.value.messages)
    assert "Ligne 4" in message
    assert fragment in message
    assert not Protocol.objects.exists()


def test_a_missing_column_is_reported():
    with pytest.raises(ValidationError, match="nombre_cycles"):
        protocols_import_csv(text="nom;medicaments;duree_cycle_jours;jours_administration\nA;B;21;1\n")


def test_the_management_command(tmp_path):
    path = tmp_path / "protocoles.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()

    call_command("import_protocols", str(path), stdout=out)

    assert "2 protocole(s) créé(s)" in out.getvalue()
    path.write_text(GOOD + "ZERO;DRUG;21;0;1;\n", encoding="utf-8")
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_protocols", str(path), stdout=out)


def test_the_admin_import(client, personas):
    url = reverse("admin:pps_protocol_import")
    client.force_login(personas["annonce_nurse"])
    assert client.get(url).status_code == 302  # the admin sends non-admins to its login
    client.force_login(personas["admin"])

    bad = client.post(url, {"file": SimpleUploadedFile("p.csv", (GOOD + "ZERO;DRUG;21;0;1;\n").encode())})
    assert bad.status_code == 400
    assert "zéro cycle refusé" in bad.content.decode()
    assert not Protocol.objects.exists()

    good = client.post(url, {"file": SimpleUploadedFile("p.csv", GOOD.encode("cp1252"))})
    assert good.status_code == 302
    assert Protocol.objects.count() == 2
    assert client.get(reverse("admin:pps_protocol_changelist")).status_code == 200


def test_the_model_refuses_zero_cycles():
    protocol = Protocol(name="X", drugs="Y", cycle_length_days=21, cycles=0, administration_days="1")
    with pytest.raises(ValidationError, match="zéro cycle"):
        protocol.full_clean()


def test_the_admin_maintains_the_regional_library(client, personas):
    from tests.pps.factories import seed_group

    group = seed_group()
    client.force_login(personas["admin"])

    assert client.get(reverse("admin:pps_edpgroup_change", args=[group.pk])).status_code == 200
    response = client.post(
        reverse("admin:pps_edpgroup_add"),
        {
            "name": "Radiothérapie sein", "patient_comment": "", "is_active": "on",
            "elements-TOTAL_FORMS": "1", "elements-INITIAL_FORMS": "0",
            "elements-0-position": "1", "elements-0-kind": "radiotherapie", "elements-0-rule_kind": "group_start",
            "elements-0-delay": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302
    from pps.models import EdpGroup

    assert EdpGroup.objects.get(name="Radiothérapie sein").scope == "regional"
