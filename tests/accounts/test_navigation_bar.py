"""The navigation bar drawn by ``{% main_navigation %}``: entries, current section, escaping, logout."""

import lxml.html
import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from dcc.accounts.navigation import NavItem, nav_items

pytestmark = pytest.mark.django_db


def _bar(html: str):
    return lxml.html.document_fromstring(html).find(".//nav[@aria-label='Navigation principale']")


def test_the_bar_lists_the_users_entries_and_marks_the_current_section(client, personas):
    doctor = personas["doctor"]
    client.force_login(doctor)

    bar = _bar(client.get(reverse("rcp:agenda")).content.decode())

    links = bar.findall(".//ul/li/a")
    expected = nav_items(doctor)
    assert [(a.text, a.get("href")) for a in links] == [(item.label, item.url) for item in expected]
    current = [a for a in links if a.get("aria-current") == "page"]
    assert [a.text for a in current] == ["RCP"]
    assert [a.text for a in links if "active" in a.get("class").split()] == ["RCP"]
    assert bar.find(".//*[@data-testid='current-user']").text == doctor.display_name


def test_names_labels_and_addresses_are_escaped():
    class Someone:
        is_authenticated = True
        display_name = "<script>alert(1)</script> & Cie"

    html = Template("{% load navigation_bar %}{% main_navigation %}").render(
        Context(
            {
                "user": Someone(),
                "nav_items": [NavItem("A<b>", '/x?a=1&b="2"', "s"), NavItem("Autre", "/autre/", "t")],
                "nav_section": "s",
                "region_name": "R&D",
                "csrf_token": 'jeton"<',
            }
        )
    )

    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html
    assert '<a class="nav-link active" href="/x?a=1&amp;b=&quot;2&quot;" aria-current="page">A&lt;b&gt;</a>' in html
    assert '<a class="nav-link" href="/autre/">Autre</a>' in html
    assert '<span class="fw-normal">R&amp;D</span>' in html
    assert 'name="csrfmiddlewaretoken" value="jeton&quot;&lt;"' in html


def test_a_page_without_a_signed_in_user_shows_the_brand_only(client):
    bar = _bar(client.get(reverse("account_login")).content.decode())

    assert bar.find(".//a[@class='navbar-brand fw-semibold']").get("href") == reverse("home")
    assert bar.find(".//*[@id='menu-principal']") is None
    assert bar.find(".//button") is None


def test_the_logout_form_carries_a_valid_token_and_signs_out(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["doctor"])
    form = _bar(client.get(reverse("home")).content.decode()).find(".//form")

    token = form.find("input[@name='csrfmiddlewaretoken']").get("value")
    response = client.post(form.get("action"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # signed out: the home page sends to the login page


@pytest.mark.parametrize(
    ("persona", "url_name", "current"),
    [
        ("annonce_nurse", "home", "Accueil"),
        ("annonce_nurse", "identity:search", "Patients"),
        ("annonce_nurse", "pps:home", "PPS"),
        ("admin", "records:trail", "Traçabilité"),
        ("admin", "records:quarantine", "Quarantaine"),  # same namespace: the entry of the view wins
        ("admin", "deliverability:quality", "Qualité MSSanté"),
    ],
)
def test_each_sections_pages_mark_their_entry(client, personas, persona, url_name, current):
    client.force_login(personas[persona])

    bar = _bar(client.get(reverse(url_name)).content.decode())

    assert [a.text for a in bar.findall(".//ul/li/a[@aria-current='page']")] == [current]
