"""Writes of the RCP catalogue: RCPs, members, quorum rule, mentions and tags, code lists. Atomic, keyword-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from dcc.directory.models import Establishment, Professional, Specialty, ThreeC
from rcp.enums import MemberRole
from rcp.models import CodeListEntry, MentionCategory, Rcp, RcpMember, SpecialtyTag
from rcp.quorum import QuorumRule
from rcp.value_sets import parse_value_set

# --- Catalogue ------------------------------------------------------------------------------


@dataclass
class RcpData:
    title: str
    three_c: ThreeC
    establishment: Establishment
    nature: str
    organ: str = ""
    is_haematology: bool = False
    is_recourse: bool = False
    is_paediatric: bool = False
    default_place: str = ""
    video_link: str = ""
    registration_deadline_days: int = 2
    max_dossiers: int = 30
    is_active: bool = True


def _check_establishment(data: RcpData) -> None:
    if data.establishment.three_c_id != data.three_c.pk:
        raise ValidationError(
            {"establishment": f"L'établissement {data.establishment.name} ne relève pas du {data.three_c.name}."}
        )


@transaction.atomic
def rcp_create(*, data: RcpData, tags: Iterable[SpecialtyTag] = (), quorum: QuorumRule | None = None) -> Rcp:
    """A new RCP, with the INCa default quorum rule unless one is given."""
    _check_establishment(data)
    quorum = quorum or QuorumRule.inca_default(is_haematology=data.is_haematology)
    rcp = Rcp(
        **vars(data),
        quorum_min_specialties=quorum.min_specialties,
        quorum_requires_treating_specialty=quorum.requires_treating_specialty,
        quorum_requires_surgeon=quorum.requires_surgeon,
    )
    rcp.full_clean()
    rcp.save()
    rcp.tags.set(list(tags))
    rcp.quorum_required_specialties.set(list(quorum.required_specialties))
    return rcp


@transaction.atomic
def rcp_update(*, rcp: Rcp, data: RcpData, tags: Iterable[SpecialtyTag]) -> Rcp:
    _check_establishment(data)
    for name, value in vars(data).items():
        setattr(rcp, name, value)
    rcp.full_clean()
    rcp.save()
    rcp.tags.set(list(tags))
    return rcp


@transaction.atomic
def rcp_set_quorum_rule(*, rcp: Rcp, rule: QuorumRule) -> Rcp:
    if rule.min_specialties < 1:
        raise ValidationError({"quorum_min_specialties": "Le quorum exige au moins une spécialité."})
    rcp.quorum_min_specialties = rule.min_specialties
    rcp.quorum_requires_treating_specialty = rule.requires_treating_specialty
    rcp.quorum_requires_surgeon = rule.requires_surgeon
    rcp.save(update_fields=["quorum_min_specialties", "quorum_requires_treating_specialty", "quorum_requires_surgeon"])
    rcp.quorum_required_specialties.set(Specialty.objects.filter(pk__in=rule.required_specialties))
    return rcp


@transaction.atomic
def member_add(
    *,
    rcp: Rcp,
    professional: Professional,
    role: str = MemberRole.MEMBER,
    specialty: Specialty | None = None,
    is_fixed_participant: bool = True,
) -> RcpMember:
    if RcpMember.objects.filter(rcp=rcp, professional=professional).exists():
        raise ValidationError({"professional": f"{professional.display_name} est déjà membre de cette RCP."})
    if not professional.is_active:
        raise ValidationError({"professional": f"{professional.display_name} n'est plus en activité."})
    return RcpMember.objects.create(
        rcp=rcp,
        professional=professional,
        role=role,
        specialty=specialty or professional.specialty,
        is_fixed_participant=is_fixed_participant,
    )


@transaction.atomic
def member_remove(*, member: RcpMember) -> None:
    member.delete()


@transaction.atomic
def mention_save(*, mention: MentionCategory | None, code: str, label: str, information: str, position: int):
    """Create or edit a mention category (regional admin); codes stay unique."""
    mention = mention or MentionCategory()
    if MentionCategory.objects.filter(code=code).exclude(pk=mention.pk).exists():
        raise ValidationError({"code": f"La mention « {code} » existe déjà."})
    mention.code, mention.label, mention.information, mention.position = (
        code.strip(),
        label.strip(),
        information,
        position,
    )
    mention.full_clean()
    mention.save()
    return mention


@transaction.atomic
def tag_save(
    *, tag: SpecialtyTag | None, code: str, label: str, mention: MentionCategory | None, position: int
) -> SpecialtyTag:
    tag = tag or SpecialtyTag()
    if SpecialtyTag.objects.filter(code=code).exclude(pk=tag.pk).exists():
        raise ValidationError({"code": f"Le tag « {code} » existe déjà."})
    tag.code, tag.label, tag.mention, tag.position = code.strip(), label.strip(), mention, position
    tag.full_clean()
    tag.save()
    return tag


# --- Code lists -----------------------------------------------------------------------------


@transaction.atomic
def value_set_load(*, path: Path) -> tuple[str, int]:
    """Insert or refresh one value set's concepts; concepts no longer published are removed."""
    parsed = parse_value_set(path)
    CodeListEntry.objects.bulk_create(
        [
            CodeListEntry(
                value_set_oid=parsed.oid,
                value_set_name=parsed.name,
                code=code,
                code_system=system,
                label=label[:500],
                position=index,
            )
            for index, (code, system, label) in enumerate(parsed.concepts)
        ],
        update_conflicts=True,
        unique_fields=["value_set_oid", "code_system", "code"],
        update_fields=["value_set_name", "label", "position"],
    )
    keys = {(system, code) for code, system, _ in parsed.concepts}
    stale = [
        pk
        for pk, system, code in CodeListEntry.objects.filter(value_set_oid=parsed.oid).values_list(
            "pk", "code_system", "code"
        )
        if (system, code) not in keys
    ]
    CodeListEntry.objects.filter(pk__in=stale).delete()
    return parsed.name, len(parsed.concepts)
