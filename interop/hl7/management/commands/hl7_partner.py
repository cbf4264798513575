"""Declare an HL7 partner.

``hl7_partner add --application APP --facility FAC --establishment FINESS [--send ADT …]``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dcc.directory.models import Establishment
from interop.hl7.enums import MessageKind
from interop.hl7.models import Partner
from interop.hl7.services import partner_register


class Command(BaseCommand):
    help = "Déclare (add), liste (list) ou désactive (disable) un partenaire HL7 (MSH-3/MSH-4) d'un établissement."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="déclarer ou mettre à jour un partenaire")
        add.add_argument("--application", required=True, help="application émettrice (MSH-3)")
        add.add_argument("--facility", required=True, help="structure émettrice (MSH-4)")
        add.add_argument("--establishment", required=True, help="FINESS géographique de l'établissement")
        add.add_argument(
            "--send",
            action="append",
            default=None,
            help=f"types de messages autorisés ({', '.join(MessageKind.values)}), répétable ou séparés par virgules",
        )
        add.add_argument("--receive-documents", action="store_true", help="abonner aux documents du DCC")
        add.add_argument("--host", default="", help="hôte MLLP du partenaire (documents émis)")
        add.add_argument("--port", type=int, default=None, help="port MLLP du partenaire")
        sub.add_parser("list", help="lister les partenaires")
        disable = sub.add_parser("disable", help="désactiver un partenaire")
        disable.add_argument("--application", required=True)
        disable.add_argument("--facility", required=True)

    def handle(self, *args, action, **options):
        if action == "list":
            for partner in Partner.objects.select_related("establishment"):
                state = "actif" if partner.is_active else "inactif"
                self.stdout.write(
                    f"{partner.application}@{partner.facility}\t{partner.establishment.finess_geo}\t"
                    f"{','.join(partner.allowed_kinds)}\t{state}"
                )
            return
        if action == "disable":
            count = Partner.objects.filter(application=options["application"], facility=options["facility"]).update(
                is_active=False
            )
            if not count:
                raise CommandError("Partenaire inconnu.")
            self.stdout.write("Partenaire désactivé.")
            return
        establishment = Establishment.objects.filter(finess_geo=options["establishment"]).first()
        if establishment is None:
            raise CommandError(f"Aucun établissement de FINESS {options['establishment']}.")
        kinds = None
        if options["send"]:
            kinds = [kind for value in options["send"] for kind in value.split(",")]
        try:
            partner, created = partner_register(
                application=options["application"],
                facility=options["facility"],
                establishment=establishment,
                kinds=kinds,
                receives_documents=options["receive_documents"],
                host=options["host"],
                port=options["port"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "déclaré" if created else "mis à jour"
        self.stdout.write(
            f"Partenaire {partner.application}@{partner.facility} {verb} pour {establishment.name} "
            f"(messages : {', '.join(partner.allowed_kinds)})."
        )
