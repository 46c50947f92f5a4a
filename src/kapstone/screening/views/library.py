"""The evidence library and the rule set, for staff to read; the public page's text, for admins to edit."""

from collections import defaultdict

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clinical.eligibility import bundled_ruleset, bundled_ruleset_versions, load_evidence
from kapstone.clinical.eligibility.evidence import KINDS
from kapstone.practice.permissions import Capability, capability_required

from ..content import DEFAULT_ABOUT, DEFAULT_EVIDENCE, about_text
from ..forms import AboutPageForm
from ..models import AboutPage
from ..presenters import SEVERITY_CLASS, SEVERITY_WORDS

KIND_WORDS = {
    "label": "Product labels",
    "guideline": "Guidelines",
    "study": "Studies",
    "review": "Reviews and meta-analyses",
    "consensus": "Consensus statements",
    "regulation": "Regulations",
    "service": "Published policies of KAP services",
}
ACCESS_WORDS = {
    "primary": "read in the original",
    "secondary": "known through a summary",
    "unverified": "not yet verified",
}


def _citing(ruleset):
    citing = defaultdict(list)
    for rule in ruleset.rules:
        for source_id in rule.citations:
            citing[source_id].append(rule)
    return citing


@capability_required(Capability.VIEW_CLIENT)
def evidence_list(request):
    ruleset = bundled_ruleset()
    citing = _citing(ruleset)
    by_kind = defaultdict(list)
    for source in load_evidence():
        by_kind[source.kind].append((source, citing.get(source.id, [])))
    groups = [
        (KIND_WORDS[kind], sorted(by_kind[kind], key=lambda row: (row[0].year or 0, row[0].short)))
        for kind in KINDS
        if by_kind.get(kind)
    ]
    context = {"groups": groups, "ruleset": ruleset, "access_words": ACCESS_WORDS}
    return render(request, "screening/evidence_list.html", context)


@capability_required(Capability.VIEW_CLIENT)
def evidence_detail(request, evidence_id):
    library = load_evidence()
    if evidence_id not in library:
        raise Http404("No such source in the evidence library.")
    source = library[evidence_id]
    ruleset = bundled_ruleset()
    rules = [
        (rule, SEVERITY_WORDS[rule.severity], SEVERITY_CLASS[rule.severity])
        for rule in ruleset.rules_citing(source.id)
    ]
    context = {
        "source": source,
        "kind_words": KIND_WORDS.get(source.kind, source.kind),
        "access_words": ACCESS_WORDS.get(source.access, source.access),
        "rules": rules,
        "ruleset": ruleset,
        "on_public_page": any(cited.id == source.id for cited in about_text(request.practice)["evidence"]),
    }
    return render(request, "screening/evidence_detail.html", context)


@capability_required(Capability.VIEW_CLIENT)
def rules(request):
    ruleset = bundled_ruleset()
    library = load_evidence()
    rows = [
        (
            rule,
            SEVERITY_WORDS[rule.severity],
            SEVERITY_CLASS[rule.severity],
            [library[c] for c in rule.citations],
        )
        for rule in ruleset.rules
    ]
    context = {"ruleset": ruleset, "rows": rows, "versions": bundled_ruleset_versions()}
    return render(request, "screening/rules.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def about_edit(request):
    page = AboutPage.objects.filter(practice=request.practice).first()
    initial = None if page else {**DEFAULT_ABOUT, "evidence_ids": DEFAULT_EVIDENCE}
    form = AboutPageForm(request.POST or None, instance=page, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.practice = request.practice
        saved.updated_at, saved.updated_by = timezone.now(), request.user
        saved.save()
        log_event(request, "screening.about.updated", obj=saved, data={"fields": sorted(form.changed_data)})
        messages.success(request, "The public page is updated.")
        return redirect("screening:about_edit")
    return render(request, "screening/about_edit.html", {"form": form, "page": page})
