"""Demo HL7 traffic: partners of the demo hospitals and a few messages run through the listener's processing.

Two identity feeds (A28 creations, with a Corsica-born INS and accented names; an A31), refusals the monitoring
page shows (unknown partner, unsupported event) and one identity-vigilance item (an INS already carried by a
demo patient with other traits).

The CHU's integration engine (``EAI-DEMO@CHU-POITIERS``) is subscribed to the DCC's documents: each FRCP, PPS or
PPAC produced for a CHU patient (a fiche validated with ``make run``) is sent as MDM^T02 (T10 for a new version)
to the test receiver ``make run`` starts (``interop.hl7.demo_receiver``, ``DCC_HL7_DEMO_RECEIVER_PORT``).
"""

from __future__ import annotations

from django.conf import settings

from interop.hl7.services import partner_register

ORDER = 70

CHU = "CHU LA MILETRIE - POITIERS"
DAX = "CH DE DAX"
RECEIVER_APPLICATION = "EAI-DEMO"


def _nir(body: str) -> str:
    from identity.nir import compute_key

    return body + compute_key(body)


def _adt(
    trigger: str,
    control_id: str,
    *,
    app: str,
    facility: str,
    oid: str,
    ipp: str,
    name: str,
    first: str,
    birth: str,
    sex: str,
    place: str,
    ins: str = "",
    used: str = "",
) -> bytes:
    ids = f"{ipp}^^^{facility}&{oid}&ISO^PI"
    if ins:
        ids += f"~{ins}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS^^20240101"
    names = f"{name}^{first}^{first}^^^^L" + (f"~{used}^{first}^^^^^D" if used else "")
    text = (
        f"MSH|^~\\&|{app}|{facility}|DCC|ARS|20261201093000||ADT^{trigger}^ADT_A05|{control_id}|P|2.5^FRA^2.11|||||FRA|"
        f"UNICODE UTF-8||||2.11^IHE_FRANCE-2.11-PAM\rEVN||20261201093000\r"
        f"PID|1||{ids}||{names}||{birth}|{sex}|||^^^^^^BDL^^{place}|||||||||||||||||||||VALI\rPV1|1|N\r"
    )
    return text.encode("utf-8")


def subscribe_documents(establishment, log) -> None:
    """The demo establishment's engine receives the DCC's documents at the test receiver (idempotent)."""
    partner, created = partner_register(
        application=RECEIVER_APPLICATION,
        facility="CHU-POITIERS",
        establishment=establishment,
        kinds=["MDM"],
        receives_documents=True,
        host="127.0.0.1",
        port=settings.DCC_HL7_DEMO_RECEIVER_PORT,
    )
    if created:
        log(
            f"HL7 : {establishment.name} abonné aux documents du DCC ({partner.application}@{partner.facility} → "
            f"récepteur de démonstration 127.0.0.1:{partner.port})"
        )


def seed(context: dict) -> None:
    from dcc.directory.models import Establishment
    from identity.models import Patient
    from interop.hl7.models import Partner
    from interop.hl7.processing import process

    log = context["log"]
    chu = Establishment.objects.filter(name=CHU).first() or Establishment.objects.order_by("pk").first()
    if chu is None:
        log("HL7 : aucun établissement, rien à semer")
        return
    subscribe_documents(chu, log)  # also on a database seeded before the subscription existed
    if Partner.objects.filter(receives_documents=False).exists():
        log(f"HL7 : déjà présent ({Partner.objects.count()} partenaires)")
        return
    dax = Establishment.objects.filter(name__icontains="DAX").first() or chu
    partner_register(application="GAM", facility="CHU-POITIERS", establishment=chu, kinds=["ADT", "MDM", "ORU"])
    partner_register(application="DPI-DAX", facility="CH-DAX", establishment=dax, kinds=["ADT", "MDM"])
    oid = chu.oid or "1.2.250.1.999.1.1"
    common = {"app": "GAM", "facility": "CHU-POITIERS", "oid": oid}
    messages = [
        _adt(
            "A28",
            "GAM-0001",
            ipp="90001",
            name="SANTONI",
            first="Pàsquale",
            birth="19580314",
            sex="M",
            place="2A004",
            ins=_nir("158032A004117"),
            **common,
        ),
        _adt(
            "A28",
            "GAM-0002",
            ipp="90002",
            name="D'ARTOIS-LEFÈVRE",
            first="Hélène",
            birth="19670921",
            sex="F",
            place="86194",
            used="MOREAU",
            **common,
        ),
        _adt(
            "A31",
            "GAM-0003",
            ipp="90002",
            name="D'ARTOIS-LEFÈVRE",
            first="Hélène",
            birth="19670921",
            sex="F",
            place="86194",
            used="MOREAU-DURAND",
            **common,
        ),
        _adt(
            "A28",
            "X-77",
            app="LABO",
            facility="INCONNU",
            oid="1.2.3",
            ipp="1",
            name="TEST",
            first="Léa",
            birth="19900101",
            sex="F",
            place="86194",
        ),
    ]
    holder = Patient.objects.current().exclude(ins_matricule="").order_by("pk").first()
    if holder is not None:
        messages.append(
            _adt(
                "A28",
                "GAM-0004",
                ipp="90004",
                name="HOMONYME",
                first=holder.first_given_name.title(),
                birth=f"{holder.birth_date:%Y%m%d}",
                sex=holder.sex,
                place=holder.birth_place_code or "86194",
                ins=holder.ins_matricule,
                **common,
            )
        )
    admission = _adt(
        "A28", "GAM-0005", ipp="90005", name="BLANC", first="Rémi", birth="19500101", sex="M", place="86194", **common
    ).replace(b"ADT^A28^ADT_A05", b"ADT^A01^ADT_A01")
    messages.append(admission)
    codes = [process(data, peer="démo").code for data in messages]
    log(f"HL7 : 2 partenaires, {len(codes)} messages ({', '.join(codes)}), écoute MLLP sur le port affiché")
