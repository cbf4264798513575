"""``{% load diffusion %}{% diffusion document %}``: the « Diffusion » block of a document, on any page."""

from __future__ import annotations

from django import template

from interop.mss.selectors import diffusion_context

register = template.Library()


@register.inclusion_tag("outbox/_diffusion.html", takes_context=True)
def diffusion(context, document):
    request = context.get("request")
    values = diffusion_context(user=request.user, document=document)
    values["request"] = request
    values["csrf_token"] = context.get("csrf_token")
    return values
