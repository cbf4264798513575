"""Demo HL7 traffic: partners of the demo hospitals and a few messages run through the listener's processing.

Two identity feeds (A28 creations, with a Corsica-born INS and accented names; an A31), refusals the monitoring
page shows (unknown partner, unsupported event) and one identity-vigilance item (an INS already carried by a
demo patient with other traits).
"""

from __future__ import annotations

ORDER = 70

CHU = "CHU LA MILETRIE - POITIERS"
DAX = "CH DE DAX"


def _nir(body: str) -> str:
    from identity.nir import compute_key

    return body + compute_key(body)


def _adt(trigger: str, control_id: str, *, app: str, facility: str, oid: str, ipp: str, name: str, first: str,
         birth: str, sex: str, place: str, ins: str = "", used: str = "") -> bytes:  # fmt: skip
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


def seed(context: dict) -> None:
    from dcc.directory.models import Establishment
    from identity.models import Patient
    from interop.hl7.models import Partner
    from interop.hl7.processing import process
    from interop.hl7.services import partner_register

    log = context["log"]
    if Partner.objects.exists():
        log(f"HL7 : déjà présent ({Partner.objects.count()} partenaires)")
        return
    chu = Establishment.objects.filter(name=CHU).first() or Establishment.objects.order_by("pk").first()
    dax = Establishment.objects.filter(name__icontains="DAX").first() or chu
    if chu is None:
        log("HL7 : aucun établissement, rien à semer")
        return
    partner_register(application="GAM", facility="CHU-POITIERS", establishment=chu, kinds=["ADT", "MDM", "ORU"])
    partner_register(application="DPI-DAX", facility="CH-DAX", establishment=dax, kinds=["ADT", "MDM"])
    oid = chu.oid or "1.2.250.1.999.1.1"
    common = {"app": "GAM", "facility": "CHU-POITIERS", "oid": oid}
    messages = [
        _adt("A28", "GAM-0001", ipp="90001", name="SANTONI", first="Pàsquale", birth="19580314", sex="M",
             place="2A004", ins=_nir("158032A004117"), **common),
        _adt("A28", "GAM-0002", ipp="90002", name="D'ARTOIS-LEFÈVRE", first="Hélène", birth="19670921", sex="F",
             place="86194", used="MOREAU", **common),
        _adt("A31", "GAM-0003", ipp="90002", name="D'ARTOIS-LEFÈVRE", first="Hélène", birth="19670921", sex="F",
             place="86194", used="MOREAU-DURAND", **common),
        _adt("A28", "X-77", app="LABO", facility="INCONNU", oid="1.2.3", ipp="1", name="TEST", first="Léa",
             birth="19900101", sex="F", place="86194"),
    ]  # fmt: skip
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
    admission = _adt("A28", "GAM-0005", ipp="90005", name="BLANC", first="Rémi", birth="19500101", sex="M",
                     place="86194", **common).replace(b"ADT^A28^ADT_A05", b"ADT^A01^ADT_A01")  # fmt: skip
    messages.append(admission)
    codes = [process(data, peer="démo").code for data in messages]
    log(f"HL7 : 2 partenaires, {len(codes)} messages ({', '.join(codes)}), écoute MLLP sur le port affiché")
