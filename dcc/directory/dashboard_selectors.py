"""Directory reads for the dashboards' filters (``dcc.dashboards``)."""

from __future__ import annotations

from dcc.directory.models import Establishment, ThreeC


def three_cs_in_scope(three_c_ids=None):
    three_cs = ThreeC.objects.order_by("name")
    return three_cs.filter(pk__in=three_c_ids) if three_c_ids is not None else three_cs


def establishments_in_scope(three_c_ids=None):
    establishments = Establishment.objects.filter(three_c__isnull=False).order_by("name")
    return establishments.filter(three_c_id__in=three_c_ids) if three_c_ids is not None else establishments
