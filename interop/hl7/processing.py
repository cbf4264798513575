"""The processing of one received HL7 message, shared by the MLLP listener, ``hl7_ingest`` and the replay page.

``process(data)`` takes the bytes of one MLLP frame and returns the ACK text. It always stores the message
(raw text, partner, type, control id, outcome, the ACK) and never raises: every problem becomes an AE/AR
with a French ERR text. The message row and its effects commit together, so a message is either processed
and stored with its ACK or not at all (the sender, without an ACK, sends it again); a second message with
the same control id from the same partner gets the first one's ACK and is not processed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from interop.hl7 import documents_in, identity_feed
from interop.hl7.enums import AckCode, Direction, MessageKind, MessageOutcome
from interop.hl7.handling import Context, Outcome
from interop.hl7.models import Message, Partner
from interop.hl7.protocol import CHARSETS, Header, Hl7Problem, build_ack, decode, parse, read_header

logger = logging.getLogger(__name__)

RAW_KEEP_BYTES = 64 * 1024  # what is kept of a refused oversized or undecodable message


@dataclass(frozen=True)
class Processed:
    ack: str
    code: str
    message_id: int | None


# The dispatch table: (message type, trigger event) -> handler.
HANDLERS: dict[tuple[str, str], Callable[[Context], Outcome]] = {
    ("ADT", "A28"): identity_feed.handle_create_or_update,
    ("ADT", "A31"): identity_feed.handle_create_or_update,
    ("ADT", "A40"): identity_feed.handle_merge,
    ("ADT", "A47"): identity_feed.handle_identifier_change,
    ("MDM", "T02"): documents_in.handle_new,
    ("MDM", "T10"): documents_in.handle_replace,
    ("MDM", "T04"): documents_in.handle_withdraw,
    ("ORU", "R01"): documents_in.handle_oru,
}


def _text_for_storage(data: bytes) -> str:
    return data[:RAW_KEEP_BYTES].decode("utf-8", "replace").replace("\x00", "")


def _store(
    *,
    data: bytes,
    text: str | None,
    header: Header,
    partner: Partner | None,
    code: str,
    problem: Hl7Problem | None,
    peer: str,
    outcome: str,
    ack: str,
    replayed_from: Message | None = None,
    by=None,
    duplicate_of: Message | None = None,
    received_at=None,
    summary: str = "",
    patient=None,
    document=None,
) -> Message:
    return Message.objects.create(
        direction=Direction.INBOUND,
        partner=partner,
        sending_application=header.sending_application[:180],
        sending_facility=header.sending_facility[:180],
        message_type=header.type_label[:40],
        control_id=header.control_id[:199],
        raw=(text if text is not None else _text_for_storage(data)).replace("\x00", ""),
        size=len(data),
        peer=peer[:100],
        received_at=received_at or timezone.now(),
        processed_at=timezone.now(),
        outcome=outcome,
        ack_code=code,
        ack=ack,
        error_code=problem.code if problem else "",
        app_error_code=problem.app_code if problem else "",
        error_text=problem.text if problem else "",
        duplicate_of=duplicate_of,
        replayed_from=replayed_from,
        replayed_by=by,
        summary=summary[:255],
        patient=patient,
        document=document,
    )


def _refuse(data, text, header, partner, problem: Hl7Problem, peer, replayed_from=None, by=None) -> Processed:
    ack = build_ack(header, problem.ack, problem=problem)
    outcome = MessageOutcome.REJECTED if problem.ack == AckCode.REJECT else MessageOutcome.ERROR
    row = _store(
        data=data,
        text=text,
        header=header,
        partner=partner,
        code=problem.ack,
        problem=problem,
        peer=peer,
        outcome=outcome,
        ack=ack,
        replayed_from=replayed_from,
        by=by,
    )
    return Processed(ack, problem.ack, row.pk)


def _processed(control_id: str, partner: Partner):
    """The first processing of ``control_id`` from ``partner`` (unique: ``hl7_inbound_control_id_once``)."""
    return Message.objects.filter(
        direction=Direction.INBOUND,
        partner=partner,
        control_id=control_id,
        duplicate_of__isnull=True,
        replayed_from__isnull=True,
    )


def _first_of(partner: Partner, control_id: str) -> Message | None:
    return _processed(control_id, partner).only("pk", "ack", "ack_code").first()


_PARTNER_SQL: str = ""


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _instance(model, values: list):
    """A model instance from its ``concrete_fields`` columns, the field converters applied as the ORM would."""
    fields = model._meta.concrete_fields
    converted = []
    for field, item in zip(fields, values, strict=True):
        for converter in field.get_db_converters(connection):
            item = converter(item, field.cached_col, connection)
        converted.append(item)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def _partner_and_original(header: Header) -> tuple[Partner | None, int | None]:
    """The active partner of MSH-3/MSH-4 with its establishment, and the id of the first message with this
    MSH-10 (``hl7_inbound_control_id_once``), in one statement written once: the ORM would compile it again
    for every message."""
    global _PARTNER_SQL
    if not _PARTNER_SQL:
        establishment = Partner._meta.get_field("establishment").related_model
        messages = Message._meta.db_table
        _PARTNER_SQL = (
            f"SELECT {_columns(Partner, 'p')}, {_columns(establishment, 'e')}, "  # noqa: S608 - table/column names only
            f'(SELECT m."id" FROM "{messages}" m WHERE m."partner_id" = p."id" AND m."control_id" = %s '
            f'AND m."direction" = \'{Direction.INBOUND}\' AND m."duplicate_of_id" IS NULL '
            f'AND m."replayed_from_id" IS NULL LIMIT 1) '
            f'FROM "{Partner._meta.db_table}" p JOIN "{establishment._meta.db_table}" e '
            f'ON e."id" = p."establishment_id" '
            f'WHERE p."application" = %s AND p."facility" = %s AND p."is_active" ORDER BY p."id" LIMIT 1'
        )
    with connection.cursor() as cursor:
        cursor.execute(_PARTNER_SQL, [header.control_id, header.sending_application, header.sending_facility])
        row = cursor.fetchone()
    if row is None:
        return None, None
    count = len(Partner._meta.concrete_fields)
    partner = _instance(Partner, row[:count])
    establishment_model = Partner._meta.get_field("establishment").related_model
    partner.establishment = _instance(establishment_model, row[count:-1])
    return partner, row[-1]


def _replay(data, text, header, partner, original: Message, peer) -> Processed:
    row = _store(
        data=data,
        text=text,
        header=header,
        partner=partner,
        code=original.ack_code,
        problem=None,
        peer=peer,
        outcome=MessageOutcome.REPLAY,
        ack=original.ack,
        duplicate_of=original,
    )
    return Processed(original.ack, original.ack_code, row.pk)


def _check_header(header: Header) -> None:
    if not header.control_id:
        raise Hl7Problem(
            "Identifiant du message (MSH-10) absent : le message ne peut pas être acquitté ni dédoublonné.",
            code="101",
            ack="AR",
            location="MSH^1^10",
        )
    if not header.message_type:
        raise Hl7Problem("Type de message (MSH-9) absent.", code="101", ack="AR", location="MSH^1^9")
    if header.processing_id and header.processing_id not in {"P", "T", "D"}:
        raise Hl7Problem(
            f"Code de traitement « {header.processing_id} » (MSH-11) non supporté : P, T ou D attendu.",
            code="202",
            ack="AR",
            location="MSH^1^11",
        )
    if not header.version.startswith("2."):
        raise Hl7Problem(
            f"Version HL7 « {header.version or '(vide)'} » (MSH-12) non supportée : 2.5 ou 2.6 attendue.",
            code="203",
            ack="AR",
            location="MSH^1^12",
        )


def _check_type(header: Header, partner: Partner, handlers) -> Callable[[Context], Outcome]:
    if header.message_type not in MessageKind.values:
        raise Hl7Problem(
            f"Type de message « {header.message_type} » non supporté par le DCC (ADT, MDM ou ORU attendu).",
            code="200",
            ack="AR",
            location="MSH^1^9",
        )
    handler = handlers.get((header.message_type, header.trigger))
    if handler is None:
        supported = ", ".join(sorted(t for m, t in handlers if m == header.message_type))
        raise Hl7Problem(
            f"Évènement « {header.type_label} » non supporté par le DCC (pris en charge : {supported}).",
            code="201",
            ack="AR",
            location="MSH^1^9",
        )
    if not partner.may_send(header.message_type):
        raise Hl7Problem(
            f"Le partenaire {partner.application}@{partner.facility} n'est pas autorisé à envoyer des messages "
            f"{header.message_type} au DCC.",
            code="200",
            ack="AR",
            location="MSH^1^9",
        )
    return handler


def process(data: bytes, *, peer: str = "", replayed_from: Message | None = None, by=None) -> Processed:
    """Process one message; never raises (a database outage excepted: then no ACK, the sender retries)."""
    header, text, partner = Header(), None, None
    received_at = timezone.now()
    max_bytes = settings.DCC_MLLP_MAX_BYTES
    try:
        if len(data) > max_bytes:
            header = read_header(_text_for_storage(data))
            raise Hl7Problem(
                f"Message trop volumineux ({len(data) / 1048576:.1f} Mo) : la limite est de "
                f"{max_bytes / 1048576:.0f} Mo.",
                code="207",
                app_code="906",
                ack="AR",
            )
        try:
            text = decode(data)
        except Hl7Problem:
            header = read_header(_text_for_storage(data)) if data.startswith(b"MSH") else Header()
            raise
        header = read_header(text)
        _check_header(header)
        partner, original_pk = _partner_and_original(header)
        if partner is None:
            raise Hl7Problem(
                f"Partenaire inconnu : l'application « {header.sending_application} » de la structure "
                f"« {header.sending_facility} » (MSH-3/MSH-4) n'est pas déclarée auprès du DCC.",
                code="207",
                ack="AR",
                location="MSH^1^3",
            )
        if replayed_from is None and original_pk is not None:
            original = _first_of(partner, header.control_id)
            if original is not None:
                return _replay(data, text, header, partner, original, peer)
        parsed = parse(text)
        handler = _check_type(header, partner, HANDLERS)
    except Hl7Problem as problem:
        return _refuse(data, text, header, partner, problem, peer, replayed_from, by)
    return _run(data, text, header, partner, parsed, handler, peer, replayed_from, by, received_at)


def _run(data, text, header, partner, parsed, handler, peer, replayed_from, by, received_at) -> Processed:
    """The handler and the message row in one transaction: both commit, or neither (no ACK: the sender resends).

    A handler that raises rolls its writes back; the message is then stored alone with its AE (the database
    unreachable: that store fails too, no ACK). A message committed meanwhile by another connection with the
    same control id makes this one a replay.
    """
    store = {
        "data": data,
        "text": text,
        "header": header,
        "partner": partner,
        "peer": peer,
        "replayed_from": replayed_from,
        "by": by,
        "received_at": received_at,
    }
    context = Context(hl7=parsed, partner=partner, header=header)
    try:
        with transaction.atomic():
            outcome = handler(context)
            return _finish(store, context, outcome)
    except Hl7Problem as problem:
        outcome = Outcome(problem=problem)
    except ValidationError as error:
        outcome = Outcome(problem=Hl7Problem(_validation_text(error), code="207", app_code="906"))
    except Exception as error:  # a bug must not stop the listener: AE, the message kept for a replay
        if isinstance(error, IntegrityError) and replayed_from is None:
            original = _first_of(partner, header.control_id)
            if original is not None:  # the same control id committed meanwhile by another connection
                return _replay(data, text, header, partner, original, peer)
        logger.exception("HL7 %s %s : erreur interne", header.type_label, header.control_id)
        outcome = Outcome(
            problem=Hl7Problem(
                "Erreur interne du DCC pendant le traitement ; le message est conservé et sera rejoué.",
                code="207",
                app_code="906",
            )
        )
    try:
        with transaction.atomic():
            return _finish(store, Context(hl7=parsed, partner=partner, header=header), outcome)
    except IntegrityError:
        original = _first_of(partner, header.control_id) if replayed_from is None else None
        if original is None:
            raise
        return _replay(data, text, header, partner, original, peer)


def _finish(store: dict, context: Context, outcome: Outcome) -> Processed:
    """Store the message with its outcome and ACK (one INSERT), then the rows the handler left pending."""
    header, partner = store["header"], store["partner"]
    problem = outcome.problem
    code = problem.ack if problem else AckCode.ACCEPT
    ack = build_ack(header, code, problem=problem, facility=partner.establishment.finess_geo, warnings=outcome.warnings)
    if problem is None:
        state = MessageOutcome.PROCESSED
    else:
        state = MessageOutcome.REJECTED if code == AckCode.REJECT else MessageOutcome.ERROR
    row = _store(
        **store,
        code=code,
        problem=problem,
        outcome=state,
        ack=ack,
        patient=outcome.patient,
        document=outcome.document,
        summary=outcome.summary or (problem.text if problem else ""),
    )
    for item in context.pending:
        item.message = row
    if context.pending:
        type(context.pending[0]).objects.bulk_create(context.pending)
    return Processed(ack, code, row.pk)


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{message}" for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def replay_stored(*, message: Message, by) -> Processed:
    """Run a stored inbound message again (monitoring page), e.g. after declaring its partner or patient.

    Only a message that was not accepted may be replayed: an accepted one would be applied twice.
    """
    if message.direction != Direction.INBOUND:
        raise ValueError("Seul un message reçu peut être rejoué.")
    if message.ack_code == AckCode.ACCEPT or message.replays.filter(ack_code=AckCode.ACCEPT).exists():
        raise ValueError("Ce message a déjà été accepté : le rejouer l'appliquerait deux fois.")
    if message.size > len(message.raw.encode("utf-8")) + 16:
        raise ValueError(
            "Ce message n'a été conservé qu'en partie (trop volumineux ou illisible) : il ne peut pas être rejoué."
        )
    original = message.duplicate_of or message
    charset = CHARSETS.get(read_header(message.raw).charset.split("^")[0].strip().upper(), "utf-8")
    try:
        data = message.raw.encode(charset)
    except UnicodeEncodeError:
        data = message.raw.encode("utf-8")
    return process(data, peer="rejeu", replayed_from=original, by=by)


def refuse_oversized(*, head: bytes, size: int, peer: str = "") -> Processed:
    """A frame larger than ``DCC_MLLP_MAX_BYTES``: only its beginning was kept, the rest read and dropped."""
    header = read_header(_text_for_storage(head)) if head.startswith(b"MSH") else Header()
    problem = Hl7Problem(
        f"Message trop volumineux ({size / 1048576:.1f} Mo) : la limite est de "
        f"{settings.DCC_MLLP_MAX_BYTES / 1048576:.0f} Mo.",
        code="207",
        app_code="906",
        ack="AR",
    )
    partner = Partner.objects.filter(
        application=header.sending_application, facility=header.sending_facility, is_active=True
    ).first()
    ack = build_ack(header, problem.ack, problem=problem)
    row = _store(
        data=head,
        text=None,
        header=header,
        partner=partner,
        code=problem.ack,
        problem=problem,
        peer=peer,
        outcome=MessageOutcome.REJECTED,
        ack=ack,
    )
    row.size = size
    row.save(update_fields=["size"])
    return Processed(ack, problem.ack, row.pk)


def refuse_truncated(*, data: bytes, peer: str = "") -> Processed:
    """A frame cut by the connection closing before its end block: stored, its AR cannot be delivered."""
    header = read_header(_text_for_storage(data)) if data.startswith(b"MSH") else Header()
    problem = Hl7Problem(
        "Trame MLLP tronquée : la connexion a été fermée avant la fin du message (0x1C 0x0D) ; renvoyez-le.",
        code="100",
        ack="AR",
    )
    partner = Partner.objects.filter(
        application=header.sending_application, facility=header.sending_facility, is_active=True
    ).first()
    ack = build_ack(header, problem.ack, problem=problem)
    row = _store(
        data=data,
        text=None,
        header=header,
        partner=partner,
        code=problem.ack,
        problem=problem,
        peer=peer,
        outcome=MessageOutcome.REJECTED,
        ack=ack,
    )
    return Processed(ack, problem.ack, row.pk)
