"""The DCC's mixed workload for Locust: logged-in personas replaying the key pages and actions.

Driven by ``bench/load.py`` (``make bench``), which fills ``TARGETS`` with what each persona may open
(``bench/load_targets.py``) and sets ``PERSONAS``. It can also be used alone (``locust -f bench/locustfile.py``)
with ``DCC_BENCH_TARGETS`` naming that JSON file.

Every user logs in once (allauth form, CSRF), then loops without pause (a closed loop: 20 users = 20 connections
always busy) over a weighted mix: home, agenda, patient search, dossier, fiche form and fiche save (a real form
post, the fields read from the page as a browser would send them), live-session follow polling (htmx), PPS page
and PPS comment edit, the patient record's documents and a document page. A response other than the expected
status is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from urllib.parse import urlencode

from locust import FastHttpUser, constant, task

from bench.form_reader import form_fields

PASSWORD = os.environ.get("DCC_BENCH_PASSWORD", "Demo-DCC-2026!")
PERSONAS: list[str] = os.environ.get(
    "DCC_BENCH_PERSONAS",
    "medecin@demo.dcc.test,secretaire.3c@demo.dcc.test,annonce@demo.dcc.test,secretaire.medicale@demo.dcc.test",
).split(",")
TARGETS: dict = {}
if os.environ.get("DCC_BENCH_TARGETS"):
    with open(os.environ["DCC_BENCH_TARGETS"], encoding="utf-8") as handle:
        TARGETS = json.load(handle)
_counter = itertools.count()
FICHES_PER_USER = 3
CLAIMED: set[int] = set()  # the dossiers whose fiche a user of this run edits
LOGGED_IN: list[str] = []  # one entry per user whose login finished (the driver waits for all of them)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Clinician(FastHttpUser):
    """One logged-in persona; closed loop (no think time) so the server is always busy."""

    wait_time = constant(0)
    network_timeout = 180.0
    connection_timeout = 180.0

    def on_start(self):
        number = next(_counter)
        self.email = PERSONAS[number % len(PERSONAS)]
        mine = TARGETS.get(self.email, {})
        self.t = mine
        # Each user edits fiches no other user edits (several personas may edit the same dossier): saves never
        # conflict with each other (a conflict is a 409, as it should be).
        free = [pk for pk in mine.get("editable_dossiers", []) if pk not in CLAIMED]
        self.editable = free[:FICHES_PER_USER]
        CLAIMED.update(self.editable)
        self.login()

    def login(self):
        """The allauth form, retried (a login waits behind Argon2 hashing on a loaded machine)."""
        for _attempt in range(3):
            page = self.client.get("/compte/login/", name="login (GET)")
            token = CSRF.search(page.text or "")
            form = {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
            with self.client.post(
                "/compte/login/",
                data=form,
                headers={"Referer": self.host + "/compte/login/"},
                name="login (POST)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    break
                response.failure(f"connexion refusée pour {self.email} ({response.status_code})")
        LOGGED_IN.append(self.email)

    def _pick(self, key: str):
        values = self.t.get(key) or []
        return random.choice(values) if values else None

    def _get(self, path: str, name: str, *, headers=None):
        with self.client.get(path, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} sur {path}" + (f" → {where}" if where else ""))
            return response

    def _post(self, path: str, data, name: str, *, referer: str):
        with self.client.post(
            path,
            data=data,
            name=name,
            headers={"Referer": self.host + referer, "Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} sur {path}")
            return response

    @task(8)
    def home(self):
        self._get("/", "accueil")

    @task(8)
    def agenda(self):
        self._get("/rcp/agenda/", "agenda RCP")

    @task(8)
    def search(self):
        name = self._pick("names") or "MART"
        self._get(f"/patients/?q={name}", "recherche patient")

    @task(12)
    def dossier(self):
        pk = self._pick("dossiers")
        if pk:
            self._get(f"/rcp/dossiers/{pk}/", "dossier RCP")

    @task(6)
    def fiche_form(self):
        pk = random.choice(self.editable) if self.editable else None
        if pk:
            self._get(f"/rcp/dossiers/{pk}/fiche/", "fiche RCP (formulaire)")

    @task(3)
    def fiche_save(self):
        if not self.editable:
            return
        pk = random.choice(self.editable)
        path = f"/rcp/dossiers/{pk}/fiche/"
        page = self._get(path, "fiche RCP (formulaire)")
        fields = form_fields(page.text or "", path, page=path)
        if not fields:
            return
        stamp = f"Relu (charge {random.randint(1, 10**6)})."
        # Encoded here: Locust's FastHttpUser takes a dict, not repeated fields (a fiche has several).
        body = urlencode([(name, stamp if name == "proposition" else value) for name, value in fields])
        self._post(path, body, "fiche RCP (enregistrement)", referer=path)

    @task(16)
    def follow(self):
        pk = self._pick("sessions")
        if pk:
            self._get(f"/rcp/seances/{pk}/suivre/", "séance en direct (suivi htmx)", headers={"HX-Request": "true"})

    @task(4)
    def pps_list(self):
        if self.t.get("pps_author"):
            self._get("/pps/", "PPS (liste)")

    @task(6)
    def pps_page(self):
        pk = self._pick("pps")
        if pk:
            self._get(f"/pps/{pk}/", "PPS")

    @task(2)
    def pps_edit(self):
        pk = self._pick("draft_pps")
        if not pk:
            return
        page = self._get(f"/pps/{pk}/", "PPS")
        token = CSRF.search(page.text or "")
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "commentaire-patient_comment": f"Rendez-vous d'annonce confirmé ({random.randint(1, 10**6)}).",
        }
        self._post(f"/pps/{pk}/commentaire/", data, "PPS (commentaire)", referer=f"/pps/{pk}/")

    @task(6)
    def record(self):
        pk = self._pick("document_patients")
        if pk:
            self._get(f"/dossier/patients/{pk}/documents/", "dossier patient (documents)")

    @task(3)
    def document(self):
        pk = self._pick("documents")
        if pk:
            self._get(f"/dossier/documents/{pk}/", "document")


class Minimal(FastHttpUser):
    """The baseline: a view returning "ok" through the same middleware, served by the same gunicorn settings."""

    wait_time = constant(0)

    @task
    def minimal(self):
        self._get()

    def _get(self):
        with self.client.get("/bench/minimal/", name="vue minimale", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(str(response.status_code))
