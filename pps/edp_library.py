"""Writes of the EDP library: groups of care elements (personal, 3C or regional), their elements and favourites."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from pps.dates import Rule, rule_errors
from pps.edp_types import EDP_TYPES
from pps.enums import GroupScope, RuleKind
from pps.models import EdpGroup, EdpGroupElement, EdpGroupFavourite


@transaction.atomic
def edp_group_create(*, name: str, patient_comment: str = "", scope: str, owner) -> EdpGroup:
    if not name.strip():
        raise ValidationError({"name": "Le nom du groupement est obligatoire."})
    return EdpGroup.objects.create(
        name=name.strip(),
        patient_comment=patient_comment,
        scope=scope,
        owner=owner if scope == GroupScope.PERSONAL else None,
    )


@transaction.atomic
def edp_group_update(*, group: EdpGroup, name: str, patient_comment: str) -> EdpGroup:
    if not name.strip():
        raise ValidationError({"name": "Le nom du groupement est obligatoire."})
    group.name = name.strip()
    group.patient_comment = patient_comment
    group.save(update_fields=["name", "patient_comment", "updated_at"])
    return group


@transaction.atomic
def edp_group_element_add(
    *,
    group: EdpGroup,
    kind: str,
    rule_kind: str,
    delay: int = 0,
    label: str = "",
    rhythm: str = "",
    place: str = "",
    comment: str = "",
) -> EdpGroupElement:
    """Append an element; the first element of a groupement always falls on its start date."""
    if kind not in EDP_TYPES:
        raise ValidationError({"kind": "Type d'EDP inconnu."})
    group = EdpGroup.objects.select_for_update().get(pk=group.pk)
    position = (group.elements.aggregate(last=Max("position"))["last"] or 0) + 1
    if position == 1:
        rule_kind, delay = RuleKind.GROUP_START, 0
    elif rule_kind == RuleKind.GROUP_START:
        delay = 0
    errors = rule_errors([Rule(rule_kind, delay)])
    if errors:
        raise ValidationError({"delay": errors[0]})
    return EdpGroupElement.objects.create(
        group=group,
        position=position,
        kind=kind,
        rule_kind=rule_kind,
        delay=delay,
        label=label,
        rhythm=rhythm,
        place=place,
        comment=comment,
    )


@transaction.atomic
def edp_group_element_remove(*, element: EdpGroupElement) -> None:
    group = element.group
    element.delete()
    _renumber(list(group.elements.order_by("position")))


@transaction.atomic
def edp_group_element_move(*, element: EdpGroupElement, up: bool) -> None:
    elements = list(element.group.elements.order_by("position"))
    index = next(i for i, item in enumerate(elements) if item.pk == element.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(elements):
        elements[index], elements[other] = elements[other], elements[index]
        _renumber(elements)


def _renumber(elements: list[EdpGroupElement]) -> None:
    # Two passes keep the (group, position) constraint satisfied at every statement.
    for offset, element in enumerate(elements, start=1):
        element.position = 1000 + offset
        element.save(update_fields=["position"])
    for offset, element in enumerate(elements, start=1):
        element.position = offset
        if offset == 1:
            element.rule_kind, element.delay = RuleKind.GROUP_START, 0
        elif element.rule_kind == RuleKind.GROUP_START:
            element.rule_kind = RuleKind.WORKING_AFTER_START
        element.save(update_fields=["position", "rule_kind", "delay"])


@transaction.atomic
def edp_group_favourite_toggle(*, group: EdpGroup, user) -> bool:
    """Add or remove ``group`` from the user's favourites; True when it is now a favourite."""
    deleted, _ = EdpGroupFavourite.objects.filter(user=user, group=group).delete()
    if deleted:
        return False
    EdpGroupFavourite.objects.create(user=user, group=group)
    return True
