"""``{% attached_studies dossier %}``: the imaging studies joined to a demande d'avis (live session pages).

Read from the database only (never the PACS): the RCP sees them even when the PACS is down.
"""

from django import template

from interop.imaging.selectors import attached_studies as _attached_studies

register = template.Library()


@register.inclusion_tag("imaging/_attached_list.html")
def attached_studies(dossier):
    return {"attached": _attached_studies("rcp.dossier", dossier.pk)}
