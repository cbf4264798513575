"""``make bench``'s fiche save posts what a browser would post, and the fiche is saved (it is a write of the mix)."""

import pytest
from django.urls import reverse

from bench.form_reader import form_fields
from rcp.models import Fiche
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db


def test_the_bench_reads_the_fiche_form_and_its_post_saves_the_fiche(client, personas, world):
    dossier = register_dossier(world["session"], personas["doctor"])
    url = reverse("rcp:fiche", args=[dossier.pk])
    client.force_login(personas["doctor"])
    page = client.get(url).content.decode()

    fields = form_fields(page, url, page=url)
    names = {name for name, _value in fields}
    assert {"csrfmiddlewaretoken", "revision", "proposition", "case_summary"} <= names
    assert form_fields(page, url) == []  # the form has no action: without its page nothing matches

    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append("Relu (charge 1)." if name == "proposition" else value)
    response = client.post(url, data)

    assert response.status_code == 302
    fiche = Fiche.objects.get(dossier=dossier)
    assert (fiche.proposition, fiche.revision) == ("Relu (charge 1).", 2)
