"""The regional directory's pages (professionals, establishments, 3C): the directory's data, open to anyone
holding a profile. Here rather than in ``dcc.directory``, which sits below accounts and its rights table."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from dcc.accounts.perms import can_browse_directory
from dcc.decorators import require
from dcc.directory import selectors
from dcc.directory.forms import EstablishmentSearchForm, ProfessionalSearchForm
from dcc.directory.models import Professional

PAGE_SIZE = 25


@require(can_browse_directory)
def professionals(request):
    form = ProfessionalSearchForm(request.GET or None)
    results = selectors.search_professionals()
    if form.is_valid():
        data = form.cleaned_data
        results = selectors.search_professionals(
            query=data["q"] or "",
            specialty=data["specialty"].pk if data["specialty"] else "",
            establishment_id=data["establishment"].pk if data["establishment"] else None,
        )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "directory/_professional_results.html" if request.htmx else "directory/professionals.html"
    return render(request, template, {"form": form, "page": page})


@require(can_browse_directory)
def professional(request, pk: int):
    try:
        item = selectors.professional_detail(pk)
    except Professional.DoesNotExist:
        item = get_object_or_404(Professional, pk=-1)
    return render(request, "directory/professional.html", {"professional": item})


@require(can_browse_directory)
def establishments(request):
    form = EstablishmentSearchForm(request.GET or None)
    results = selectors.search_establishments()
    if form.is_valid():
        data = form.cleaned_data
        results = selectors.search_establishments(
            query=data["q"] or "", three_c_id=data["three_c"].pk if data["three_c"] else None
        )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "directory/_establishment_results.html" if request.htmx else "directory/establishments.html"
    return render(request, template, {"form": form, "page": page})


@require(can_browse_directory)
def three_cs(request):
    return render(request, "directory/three_cs.html", {"summaries": selectors.three_c_summaries()})
