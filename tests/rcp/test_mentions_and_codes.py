"""Mentions/tags pages (regional admin edits) and the code-list pages."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from rcp.models import MentionCategory, SpecialtyTag
from rcp.selectors import code_labels
from tests.helpers import assert_access

pytestmark = pytest.mark.django_db

EVERYONE = {
    "secretary_3c",
    "doctor",
    "doctor_other_3c",
    "medical_secretary",
    "annonce_nurse",
    "gp",
    "registry",
    "admin",
}


def test_the_reform_mentions_and_tags_are_loaded():
    assert list(MentionCategory.objects.values_list("code", flat=True)) == [
        "A", "B", "Pôle régional", "Rare labellisé", "C",
    ]  # fmt: skip
    assert SpecialtyTag.objects.get(code="B1").mention.code == "B"
    assert SpecialtyTag.objects.get(code="CRSC").label == "Recours régional compétence rare / situation complexe"


def test_mentions_page_access(client, personas):
    assert_access(client, personas, reverse("rcp:mentions"), allowed=EVERYONE)
    mention = MentionCategory.objects.get(code="A")
    tag = SpecialtyTag.objects.get(code="A1")
    for url in [
        reverse("rcp:mention_create"),
        reverse("rcp:mention_edit", args=[mention.pk]),
        reverse("rcp:tag_create"),
        reverse("rcp:tag_edit", args=[tag.pk]),
    ]:
        assert_access(client, personas, url, allowed={"admin"})


def test_admin_edits_a_mention_description_and_adds_a_tag(client, personas):
    mention = MentionCategory.objects.get(code="C")
    client.force_login(personas["admin"])
    response = client.post(
        reverse("rcp:mention_edit", args=[mention.pk]),
        {"code": "C", "label": "Pédiatrique", "information": "Moins de 18 ans.", "position": 5},
    )
    assert response.status_code == 302
    mention.refresh_from_db()
    assert (mention.label, mention.information) == ("Pédiatrique", "Moins de 18 ans.")
    client.post(
        reverse("rcp:tag_create"), {"code": "C1", "label": "Tumeurs solides", "mention": mention.pk, "position": 1}
    )
    assert SpecialtyTag.objects.get(code="C1").mention == mention


def test_duplicate_codes_are_refused_in_french(client, personas):
    client.force_login(personas["admin"])
    response = client.post(reverse("rcp:tag_create"), {"code": "A1", "label": "Doublon", "position": 1})
    assert response.status_code == 200
    assert "Le tag « A1 » existe déjà." in response.content.decode()
    assert SpecialtyTag.objects.filter(code="A1").count() == 1
    response = client.post(reverse("rcp:mention_create"), {"code": "B", "label": "Doublon", "position": 1})
    assert "La mention « B » existe déjà." in response.content.decode()


def test_the_secretary_cannot_edit_a_mention(client, personas):
    mention = MentionCategory.objects.get(code="A")
    client.force_login(personas["secretary_3c"])
    response = client.post(reverse("rcp:mention_edit", args=[mention.pk]), {"code": "Z", "label": "x", "position": 1})
    assert response.status_code == 403
    mention.refresh_from_db()
    assert mention.code == "A"


def test_code_list_pages(client, personas):
    call_command("load_value_sets", stdout=StringIO())
    assert_access(client, personas, reverse("rcp:code_lists"), allowed=EVERYONE)
    assert_access(client, personas, reverse("rcp:code_search", args=["morphologie"]), allowed=EVERYONE)
    client.force_login(personas["doctor"])
    page = client.get(reverse("rcp:code_lists")).content.decode()
    assert "724" in page and "1032" in page
    response = client.get(reverse("rcp:code_search", args=["morphologie"]), {"q": "adenocarcinome"},
                          headers={"HX-Request": "true"})  # fmt: skip
    codes = [entry.code for entry in response.context["results"]]
    assert "8140/3" in codes
    assert client.get(reverse("rcp:code_search", args=["inconnu"])).status_code == 404


def test_code_labels_answer_the_pairs_asked_for_in_one_query(django_assert_num_queries):
    """122489005 (système urinaire) is in both the appareil and the organe value sets: only the pair asked for."""
    call_command("load_value_sets", stdout=StringIO())
    pairs = [("rcp_appareil", "122489005"), ("rcp_organe", "39937001"), ("rcp_organe", ""), ("ecog", "nope")]
    with django_assert_num_queries(1):
        labels = code_labels(pairs)
    assert labels == {("rcp_appareil", "122489005"): "système urinaire", ("rcp_organe", "39937001"): "peau"}
