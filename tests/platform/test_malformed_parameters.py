"""Issue 16, finding 8: every view reading query or POST parameters answers malformed ones without a 500.

Hypothesis draws hostile values (letters for numbers, negative and 20-digit numbers, impossible dates, NUL bytes,
long strings) for each parameter of each view listed here; the answer must be below 500, and a 400 must carry a
French message. The named cases of the issue are asserted exactly too.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcc.directory.forms import EstablishmentSearchForm, ProfessionalSearchForm
from dcc.records.forms import TrailFilterForm
from identity.forms import PatientSearchForm
from rcp.forms import CodeSearchForm, FinderForm
from tests.identity.factories import PatientFactory
from tests.pps.factories import EdpGroupFactory
from tests.rcp.conftest import rcp_reference_data, world  # noqa: F401
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.sampled_from(
        ["abc", "-1", "0", "1", "99999999999999999999", "1e10", "2026-13-45", "0000-00-00", "99999-01-01", "up", "\x00",
         "１２", "' OR 1=1 --", "<script>", "x" * 5000, "next", "prev", " ", "2026-02-30", "-99999999999999999999"]
    ),
    st.integers().map(str),
    st.text(max_size=40),
)  # fmt: skip


def _fields(form) -> list[str]:
    return list(form.base_fields)


@pytest.fixture
def scene(world, personas):  # noqa: F811
    patient = PatientFactory()
    dossier = register_dossier(world["session"], personas["doctor"], patient=patient)
    group = EdpGroupFactory()
    session = world["session"]
    # (persona, method, url, parameter names)
    return [
        ("doctor", "get", reverse("identity:search"), _fields(PatientSearchForm)),
        ("doctor", "get", reverse("rcp:dossier_register", args=[session.pk]), ["q", "birth_date", "patient"]),
        ("doctor", "post", reverse("rcp:dossier_register", args=[session.pk]), ["patient", "motive", "question"]),
        ("doctor", "get", reverse("rcp:catalogue"), [*_fields(FinderForm), "page"]),
        ("doctor", "get", reverse("rcp:agenda"), ["vue", "date", "mes", "3c"]),
        ("doctor", "get", reverse("rcp:code_search", args=["jdv-tumeur-cisis"]), [*_fields(CodeSearchForm), "page"]),
        ("doctor", "post", reverse("rcp:fiche_copy_forward", args=[dossier.pk]), ["revision"]),
        ("doctor", "post", reverse("rcp:fiche", args=[dossier.pk]), ["revision", "nature", "tnm_edition"]),
        ("secretary_3c", "post", reverse("rcp:session_reorder", args=[session.pk]), ["dossier", "direction"]),
        ("secretary_3c", "post", reverse("rcp:session_live_goto", args=[session.pk]), ["dossier"]),
        ("secretary_3c", "post", reverse("rcp:session_attendance", args=[session.pk]), ["invite", "invite-presence"]),
        ("admin", "get", reverse("pps:statistics"), ["annee"]),
        ("doctor", "get", reverse("pps:home"), ["q"]),
        ("doctor", "get", reverse("pps:group_preview", args=[group.pk]), ["start"]),
        ("admin", "get", reverse("records:trail"), [*_fields(TrailFilterForm), "page"]),
        ("secretary_3c", "get", reverse("records:patient_access_log", args=[patient.pk]), ["page"]),
        ("doctor", "get", reverse("directory:professionals"), [*_fields(ProfessionalSearchForm), "page"]),
        ("doctor", "get", reverse("directory:establishments"), [*_fields(EstablishmentSearchForm), "page"]),
    ]


def test_the_issues_examples_are_french_400s(client, personas, scene, world):  # noqa: F811
    client.force_login(personas["doctor"])
    session = world["session"]
    response = client.get(reverse("rcp:dossier_register", args=[session.pk]), {"patient": "abc"})
    assert response.status_code == 400 and "Paramètre « patient » invalide" in response.content.decode()
    dossier_url = scene[6][2]
    response = client.post(dossier_url, {"revision": "abc"})
    assert response.status_code == 400 and "révision" in response.content.decode()
    client.force_login(personas["admin"])
    for year in ("-1", "9" * 20):
        response = client.get(reverse("pps:statistics"), {"annee": year})
        assert response.status_code == 400 and "année" in response.content.decode()
    assert client.get(reverse("pps:statistics"), {"annee": "2026"}).status_code == 200


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_parameter_makes_a_500(client, personas, scene, data):
    persona, method, url, names = data.draw(st.sampled_from(scene), label="vue")
    params = {name: data.draw(HOSTILE, label=name) for name in names}
    client.force_login(personas[persona])
    response = getattr(client, method)(url, params)
    assert response.status_code < 500, (method, url, params)
    if response.status_code == 400:
        assert "invalide" in response.content.decode()
