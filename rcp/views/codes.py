"""The options of the fiche's large value sets (topography, morphology), loaded on demand by the fiche form.

The fiche form used to carry 1,756 ``<option>`` in two ``<datalist>`` (about 150 kB of its 157 kB) and to load
those rows on every display. The form now leaves the datalists empty and htmx fills them from here once the page
is shown; the fragment is rendered once per value-set version (cached) and the browser keeps it for an hour.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html_join

from dcc.decorators import require
from rcp import perms, selectors
from rcp.models import CodeListEntry
from rcp.value_sets import FICHE_VALUE_SETS

# The value sets drawn as datalists on the fiche form, loaded on demand.
DATALIST_VALUE_SETS = ("tumeur", "morphologie")


def options_html(key: str) -> str:
    name = FICHE_VALUE_SETS[key].filename.removesuffix(".xml")
    version = CodeListEntry.objects.filter(value_set_name=name).aggregate(count=Count("pk"), last=Max("pk"))
    cache_key = f"dcc:code-options:{key}:{version['count']}:{version['last']}"
    html = cache.get(cache_key)
    if html is None:
        entries = selectors.fiche_code_lists([key])[key]
        html = format_html_join("", '<option value="{}">{}</option>', ((e.code, e.label) for e in entries))
        cache.set(cache_key, str(html), 24 * 3600)
    return html


@require(perms.can_view_catalogue)
def code_options(request, key: str):
    """``<option>`` lines of one value set (htmx fragment for a ``<datalist>``)."""
    if key not in DATALIST_VALUE_SETS:
        raise Http404
    response = HttpResponse(options_html(key))
    patch_cache_control(response, private=True, max_age=3600)
    return response
