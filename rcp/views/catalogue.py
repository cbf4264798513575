"""The RCP catalogue: finder, RCP pages and forms, members, mentions and tags, code lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dcc.decorators import require
from rcp import forms, perms, selectors
from rcp.models import CodeListEntry, MentionCategory, Rcp, RcpMember, SpecialtyTag
from rcp.quorum import QuorumRule
from rcp.services import catalogue as catalogue_services
from rcp.value_sets import FICHE_VALUE_SETS
from rcp.views.helpers import editable_three_cs, errors_to_form, rcp_for_edit

PAGE_SIZE = 25


# --- Catalogue ------------------------------------------------------------------------------


@require(perms.can_view_catalogue)
def catalogue(request):
    form = forms.FinderForm(request.GET or None)
    own = selectors.user_three_c_ids(request.user)
    results = selectors.search_rcps(prefer_three_c_ids=own)
    if form.is_valid():
        data = form.cleaned_data
        results = selectors.search_rcps(
            query=data["q"] or "",
            tag_id=data["tag"].pk if data["tag"] else None,
            three_c_id=data["three_c"].pk if data["three_c"] else None,
            prefer_three_c_ids=own,
        )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_create": perms.can_manage_catalogue(request.user)}
    template = "rcp/_finder_results.html" if request.htmx else "rcp/catalogue.html"
    return render(request, template, context)


@require(perms.can_manage_catalogue)
def rcp_create(request):
    three_cs = editable_three_cs(request.user)
    initial = {"is_active": True, "registration_deadline_days": 2, "max_dossiers": 30}
    if len(three_cs) == 1:
        initial["three_c"] = three_cs[0]
    form = forms.RcpForm(request.POST or None, three_cs=three_cs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rcp = catalogue_services.rcp_create(data=form.rcp_data(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, f"La RCP « {rcp.title} » est créée.")
            return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/rcp_form.html", {"form": form, "rcp": None})


@require(perms.can_view_catalogue)
def rcp_detail(request, pk: int):
    try:
        rcp = selectors.rcp_detail(pk)
    except Rcp.DoesNotExist:
        raise Http404 from None
    context = {
        "rcp": rcp,
        "can_edit": perms.can_edit_rcp(request.user, rcp),
        "upcoming": selectors.upcoming_sessions(rcp),
        "past": selectors.past_sessions(rcp),
        "member_form": forms.MemberForm(rcp=rcp) if perms.can_edit_rcp(request.user, rcp) else None,
    }
    return render(request, "rcp/rcp_detail.html", context)


@require(perms.can_manage_catalogue)
def rcp_edit(request, pk: int):
    rcp = rcp_for_edit(request, pk)
    initial = {name: getattr(rcp, name) for name in catalogue_services.RcpData.__dataclass_fields__}
    initial["tags"] = list(rcp.tags.all())
    form = forms.RcpForm(request.POST or None, three_cs=editable_three_cs(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue_services.rcp_update(rcp=rcp, data=form.rcp_data(), tags=form.cleaned_data["tags"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, "La RCP est enregistrée.")
            return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/rcp_form.html", {"form": form, "rcp": rcp})


@require(perms.can_manage_catalogue)
def rcp_quorum(request, pk: int):
    rcp = rcp_for_edit(request, pk)
    initial = {
        "min_specialties": rcp.quorum_min_specialties,
        "requires_treating_specialty": rcp.quorum_requires_treating_specialty,
        "requires_surgeon": rcp.quorum_requires_surgeon,
        "required_specialties": list(rcp.quorum_required_specialties.all()),
    }
    form = forms.QuorumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rule = QuorumRule(
            min_specialties=data["min_specialties"],
            requires_treating_specialty=data["requires_treating_specialty"],
            requires_surgeon=data["requires_surgeon"],
            required_specialties=frozenset(s.pk for s in data["required_specialties"]),
        )
        catalogue_services.rcp_set_quorum_rule(rcp=rcp, rule=rule)
        messages.success(request, "La règle de quorum est enregistrée.")
        return redirect("rcp:detail", rcp.pk)
    return render(request, "rcp/quorum_form.html", {"form": form, "rcp": rcp})


@require(perms.can_manage_catalogue)
@require_POST
def member_add(request, pk: int):
    rcp = rcp_for_edit(request, pk)
    form = forms.MemberForm(request.POST, rcp=rcp)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = catalogue_services.member_add(
                rcp=rcp,
                professional=data["professional"],
                role=data["role"],
                specialty=data["specialty"],
                is_fixed_participant=data["is_fixed_participant"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{member.professional.display_name} est ajouté(e) aux membres.")
    else:
        messages.error(request, "Choisissez un professionnel de l'annuaire exerçant dans ce 3C.")
    return redirect("rcp:detail", rcp.pk)


@require(perms.can_manage_catalogue)
@require_POST
def member_remove(request, pk: int, member_id: int):
    rcp = rcp_for_edit(request, pk)
    member = get_object_or_404(RcpMember, pk=member_id, rcp=rcp)
    catalogue_services.member_remove(member=member)
    messages.success(request, f"{member.professional.display_name} ne fait plus partie des membres.")
    return redirect("rcp:detail", rcp.pk)


# --- Mentions and tags (regional admin) -----------------------------------------------------


@require(perms.can_view_catalogue)
def mentions(request):
    context = {
        "mentions": MentionCategory.objects.prefetch_related("tags").order_by("position", "code"),
        "orphan_tags": SpecialtyTag.objects.filter(mention__isnull=True).order_by("position", "code"),
        "can_edit": perms.can_manage_mentions(request.user),
    }
    return render(request, "rcp/mentions.html", context)


def _reference_page(request, *, kind: str, item, form_class, initial: dict, save, saved: str):
    """Create or edit a mention or a specialty tag (the same form page, the same save-and-return flow)."""
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(**{kind: item}, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, saved)
            return redirect("rcp:mentions")
    return render(request, "rcp/mention_form.html", {"form": form, "item": item, "kind": kind})


@require(perms.can_manage_mentions)
def mention_edit(request, pk: int | None = None):
    mention = get_object_or_404(MentionCategory, pk=pk) if pk else None
    initial = (
        {"code": mention.code, "label": mention.label, "information": mention.information, "position": mention.position}
        if mention
        else {"position": MentionCategory.objects.count() + 1}
    )
    return _reference_page(
        request,
        kind="mention",
        item=mention,
        form_class=forms.MentionForm,
        initial=initial,
        save=catalogue_services.mention_save,
        saved="Mention enregistrée.",
    )


@require(perms.can_manage_mentions)
def tag_edit(request, pk: int | None = None):
    tag = get_object_or_404(SpecialtyTag, pk=pk) if pk else None
    initial = (
        {"code": tag.code, "label": tag.label, "mention": tag.mention_id, "position": tag.position}
        if tag
        else {"position": SpecialtyTag.objects.count() + 1}
    )
    return _reference_page(
        request,
        kind="tag",
        item=tag,
        form_class=forms.TagForm,
        initial=initial,
        save=catalogue_services.tag_save,
        saved="Tag enregistré.",
    )


# --- Code lists (value sets of the fiche) ---------------------------------------------------


@require(perms.can_view_catalogue)
def code_lists(request):
    counts = dict(
        CodeListEntry.objects.values_list("value_set_name")
        .annotate(total=Count("pk"))
        .values_list("value_set_name", "total")
    )
    rows = [
        (value_set, counts.get(value_set.filename.removesuffix(".xml"), 0)) for value_set in FICHE_VALUE_SETS.values()
    ]
    return render(request, "rcp/code_lists.html", {"rows": rows})


@require(perms.can_view_catalogue)
def code_search(request, key: str):
    """Codes of one value set matching the words typed (htmx fragment, also a plain page)."""
    if key not in FICHE_VALUE_SETS:
        raise Http404
    form = forms.CodeSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "key": key,
        "value_set": FICHE_VALUE_SETS[key],
        "results": selectors.search_codes(key, query or "", limit=30),
    }
    template = "rcp/_code_results.html" if request.htmx else "rcp/code_search.html"
    return render(request, template, context)
