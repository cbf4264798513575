"""``make bench``'s fiche save posts what a browser would post, and the fiche is saved (it is a write of the mix)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.form_reader import form_fields
from rcp.models import Fiche
from rcp.models.dossiers import FICHE_CONTENT_FIELDS
from tests.rcp.factories import FILLED_FICHE, register_dossier

pytestmark = pytest.mark.django_db


def _content(fiche: Fiche) -> dict:
    return {name: getattr(fiche, name) for name in FICHE_CONTENT_FIELDS if name != "proposition"}


def test_the_bench_reads_the_fiche_form_and_its_post_changes_only_what_it_stamps(client, personas, world):
    call_command("load_value_sets", stdout=StringIO())
    dossier = register_dossier(world["session"], personas["doctor"])
    summary = "Résumé <b>gras</b> & « guillemets »\nsur deux lignes."
    Fiche.objects.filter(dossier=dossier).update(**{**FILLED_FICHE, "case_summary": summary})
    before = _content(Fiche.objects.get(dossier=dossier))
    url = reverse("rcp:fiche", args=[dossier.pk])
    client.force_login(personas["doctor"])
    page = client.get(url).content.decode()

    fields = form_fields(page, url, page=url)
    assert {"csrfmiddlewaretoken", "revision", "proposition", "case_summary", "treatment_1"} <= dict(fields).keys()
    assert form_fields(page, url) == []  # the form has no action: without its page nothing matches

    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append("Relu (charge 1)." if name == "proposition" else value)
    response = client.post(url, data)

    assert response.status_code == 302
    fiche = Fiche.objects.get(dossier=dossier)
    assert (fiche.proposition, fiche.revision) == ("Relu (charge 1).", 2)
    assert _content(fiche) == before  # every other field (selects, checkboxes, text) posted back as it was
