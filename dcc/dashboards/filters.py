"""The dashboards' filters: period (a year or two dates), 3C, establishment, RCP, specialty.

``resolve_filters(user, query)`` reads the query string and answers a :class:`StatsScope` or French errors;
a 3C, establishment or RCP outside the user's scope raises ``PermissionDenied`` (403).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dcc.accounts.enums import Permission
from dcc.dashboards import perms

FIRST_YEAR = 2000
MAX_SPAN_DAYS = 366 * 11


def shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class StatsScope:
    """What the figures are computed on: a period and the filters, within the user's 3C scope."""

    start: datetime.date
    end: datetime.date
    three_c_ids: frozenset[int] | None = None  # None: the whole region
    establishment_id: int | None = None
    rcp_id: int | None = None
    organ: str = ""
    labels: dict = field(default_factory=dict, compare=False, hash=False)

    def filters(self) -> dict:
        """The keyword filters every app's dashboard selectors take."""
        return {
            "start": self.start,
            "end": self.end,
            "three_c_ids": self.three_c_ids,
            "establishment_id": self.establishment_id,
            "rcp_id": self.rcp_id,
            "organ": self.organ,
        }

    def previous(self) -> StatsScope:
        """The same span one year earlier (the variation's reference)."""
        return replace(self, start=shift_year(self.start, -1), end=shift_year(self.end, -1))

    @property
    def is_calendar_year(self) -> bool:
        return self.start == datetime.date(self.start.year, 1, 1) and self.end == datetime.date(self.start.year, 12, 31)

    @property
    def period_label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    @property
    def previous_label(self) -> str:
        return self.previous().period_label

    def describe(self) -> str:
        """The filters in plain French (export trace, file headers)."""
        parts = [f"Période : {self.period_label}"]
        for key, label in (("three_c", "3C"), ("establishment", "Établissement"), ("rcp", "RCP")):
            if self.labels.get(key):
                parts.append(f"{label} : {self.labels[key]}")
        if self.three_c_ids is not None and not self.labels.get("three_c"):
            parts.append(f"3C du périmètre : {self.labels.get('scope', len(self.three_c_ids))}")
        if self.organ:
            parts.append(f"Spécialité : {self.organ}")
        return " ; ".join(parts)

    def as_query(self) -> dict:
        """The query string that gives this scope back (links to exports)."""
        query = {}
        if self.is_calendar_year:
            query["annee"] = self.start.year
        else:
            query["debut"] = self.start.isoformat()
            query["fin"] = self.end.isoformat()
        for key, value in (
            ("3c", self.labels.get("three_c_id")),
            ("etablissement", self.establishment_id),
            ("rcp", self.rcp_id),
            ("specialite", self.organ),
        ):
            if value:
                query[key] = value
        return query


class FilterForm(forms.Form):
    annee = forms.IntegerField(label="Année", required=False)
    debut = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    fin = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    three_c = forms.IntegerField(label="3C", required=False)
    etablissement = forms.IntegerField(label="Établissement", required=False)
    rcp = forms.IntegerField(label="RCP", required=False)
    specialite = forms.CharField(label="Spécialité (organe)", required=False, max_length=120)

    error_messages = {
        "year": "L'année doit être comprise entre %(low)s et %(high)s.",
    }

    def __init__(self, data=None, **kwargs):
        if data is not None and "3c" in data:
            data = data.copy()
            data["three_c"] = data.get("3c")
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        year, start, end = cleaned.get("annee"), cleaned.get("debut"), cleaned.get("fin")
        high = today.year + 1
        if year is not None and not FIRST_YEAR <= year <= high:
            self.add_error("annee", f"L'année doit être comprise entre {FIRST_YEAR} et {high}.")
            return cleaned
        if (start is None) != (end is None):
            raise forms.ValidationError("Indiquez les deux dates de la période (du … au …), ou seulement l'année.")
        if start is not None and end is not None:
            if end < start:
                raise forms.ValidationError("La fin de la période précède son début.")
            if start.year < FIRST_YEAR or end > shift_year(today, 1):
                raise forms.ValidationError(
                    f"La période doit être comprise entre le 01/01/{FIRST_YEAR} et le {shift_year(today, 1):%d/%m/%Y}."
                )
            if (end - start).days > MAX_SPAN_DAYS:
                raise forms.ValidationError("La période ne peut pas dépasser dix ans.")
        elif year is not None:
            cleaned["debut"], cleaned["fin"] = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        else:
            cleaned["debut"], cleaned["fin"] = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        return cleaned


def resolve_filters(user, data, *, permission: str = Permission.STATS_READ) -> tuple[FilterForm, StatsScope | None]:
    """The bound form and the scope (``None`` when the form has errors). Out of scope → ``PermissionDenied``."""
    from dcc.directory.models import Establishment, ThreeC
    from rcp.dashboard_selectors import rcps_in_scope

    form = FilterForm(data)
    allowed = perms.three_c_scope(user, permission)
    if allowed is not None and not allowed:
        raise PermissionDenied
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    labels: dict = {}
    three_c_ids = allowed
    if cleaned.get("three_c"):
        three_c = ThreeC.objects.filter(pk=cleaned["three_c"]).first()
        if three_c is None:
            form.add_error("three_c", "Ce 3C n'existe pas.")
            return form, None
        if allowed is not None and three_c.pk not in allowed:
            raise PermissionDenied("Ce 3C est hors de votre périmètre.")
        three_c_ids = frozenset({three_c.pk})
        labels["three_c"], labels["three_c_id"] = three_c.name, three_c.pk
    elif allowed is not None:
        labels["scope"] = ", ".join(
            ThreeC.objects.filter(pk__in=allowed).order_by("name").values_list("name", flat=True)
        )
    establishment_id = cleaned.get("etablissement")
    if establishment_id:
        establishment = Establishment.objects.filter(pk=establishment_id).first()
        if establishment is None:
            form.add_error("etablissement", "Cet établissement n'existe pas.")
            return form, None
        if three_c_ids is not None and establishment.three_c_id not in three_c_ids:
            if allowed is not None and establishment.three_c_id not in allowed:
                raise PermissionDenied("Cet établissement est hors de votre périmètre.")
            form.add_error("etablissement", "Cet établissement n'appartient pas au 3C choisi.")
            return form, None
        labels["establishment"] = establishment.name
    rcp_id = cleaned.get("rcp")
    if rcp_id:
        rcp = rcps_in_scope().filter(pk=rcp_id).first()
        if rcp is None:
            form.add_error("rcp", "Cette RCP n'existe pas.")
            return form, None
        if allowed is not None and rcp.three_c_id not in allowed:
            raise PermissionDenied("Cette RCP est hors de votre périmètre.")
        if three_c_ids is not None and rcp.three_c_id not in three_c_ids:
            form.add_error("rcp", "Cette RCP n'appartient pas au 3C choisi.")
            return form, None
        labels["rcp"] = rcp.title
    scope = StatsScope(
        start=cleaned["debut"],
        end=cleaned["fin"],
        three_c_ids=three_c_ids,
        establishment_id=establishment_id or None,
        rcp_id=rcp_id or None,
        organ=(cleaned.get("specialite") or "").strip(),
        labels=labels,
    )
    return form, scope


def scope_from_export(export) -> StatsScope:
    """The scope an export was asked with (its stored query and the user's 3C scope at that time)."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in (export.filters or {}).items():
        query[key] = str(value)
    form = FilterForm(query)
    if not form.is_valid():
        raise ValueError("Les filtres enregistrés de cet export ne sont plus valides.")
    cleaned = form.cleaned_data
    allowed = frozenset(export.scope_three_c_ids) if export.scope_three_c_ids is not None else None
    three_c_ids = allowed
    if cleaned.get("three_c"):
        if allowed is not None and cleaned["three_c"] not in allowed:
            raise ValueError("Ce 3C est hors du périmètre de l'export.")
        three_c_ids = frozenset({cleaned["three_c"]})
    return StatsScope(
        start=cleaned["debut"],
        end=cleaned["fin"],
        three_c_ids=three_c_ids,
        establishment_id=cleaned.get("etablissement") or None,
        rcp_id=cleaned.get("rcp") or None,
        organ=(cleaned.get("specialite") or "").strip(),
        labels={"three_c_id": cleaned.get("three_c")} if cleaned.get("three_c") else {},
    )
