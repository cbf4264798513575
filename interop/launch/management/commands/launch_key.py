"""``python manage.py launch_key add|list|revoke|simulate``: the establishments' contextual-launch keys."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from dcc.directory.models import Establishment
from interop.launch import services
from interop.launch.enums import LaunchTarget
from interop.launch.keys import KeyRefused
from interop.launch.models import LaunchKey, SimulatorKey


class Command(BaseCommand):
    help = "Gère les clés d'appel contextuel des établissements (ajout, liste, révocation, lien de démonstration)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="enregistre une clé publique (Ed25519 ou ES256, PEM)")
        add.add_argument("--establishment", required=True, help="FINESS géographique")
        add.add_argument("--public-key", required=True, help="fichier PEM de la clé publique")
        add.add_argument("--kid", default="", help="identifiant de clé (défaut : empreinte RFC 7638)")
        add.add_argument("--label", default="")
        listing = sub.add_parser("list", help="liste les clés")
        listing.add_argument("--establishment", default="")
        revoke = sub.add_parser("revoke", help="révoque une clé")
        revoke.add_argument("--kid", required=True)
        simulate = sub.add_parser("simulate", help="lien signé avec la clé de démonstration (simulateur DPI)")
        simulate.add_argument("--establishment", required=True, help="FINESS géographique")
        simulate.add_argument("--rpps", required=True)
        simulate.add_argument("--ipp", required=True)
        simulate.add_argument("--ins", default="")
        simulate.add_argument("--target", default=LaunchTarget.PATIENT, choices=LaunchTarget.values)
        simulate.add_argument("--base-url", default="http://127.0.0.1:8000")

    def _establishment(self, finess: str) -> Establishment:
        establishment = Establishment.objects.filter(finess_geo=finess).first()
        if establishment is None:
            raise CommandError(f"Établissement inconnu : FINESS {finess}")
        return establishment

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _add(self, *, establishment, public_key, kid, label, **_):
        path = Path(public_key)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            key = services.launch_key_add(
                establishment=self._establishment(establishment),
                public_key_pem=path.read_text(encoding="ascii", errors="replace"),
                kid=kid,
                label=label,
            )
        except KeyRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Clé enregistrée : kid {key.kid} ({key.algorithm}) pour {key.establishment.name}")

    def _list(self, *, establishment, **_):
        keys = LaunchKey.objects.select_related("establishment").order_by("establishment__name", "created_at")
        if establishment:
            keys = keys.filter(establishment__finess_geo=establishment)
        for key in keys:
            state = f"révoquée le {key.revoked_at:%d/%m/%Y}" if key.revoked_at else "active"
            self.stdout.write(f"{key.establishment.finess_geo}\t{key.kid}\t{key.algorithm}\t{state}\t{key.label}")

    def _revoke(self, *, kid, **_):
        key = LaunchKey.objects.filter(kid=kid).first()
        if key is None:
            raise CommandError(f"Clé inconnue : {kid}")
        services.launch_key_revoke(key=key)
        self.stdout.write(f"Clé révoquée : {kid}")

    def _simulate(self, *, establishment, rpps, ipp, ins, target, base_url, **_):
        simulator = (
            SimulatorKey.objects.filter(key__establishment__finess_geo=establishment, key__revoked_at__isnull=True)
            .select_related("key__establishment")
            .first()
        )
        if simulator is None:
            raise CommandError(f"Aucune clé de démonstration pour le FINESS {establishment} (lancez seed_demo).")
        token = services.simulator_token(simulator=simulator, rpps=rpps, ipp=ipp, ins=ins, target=target)
        self.stdout.write(f"{base_url.rstrip('/')}{reverse('launch:launch')}?jwt={token}")
