"""Front-desk pages: the inquiry list, one inquiry with its triage, and converting it into a client.

Inquiries belong to the practice (nobody is on a care team yet): every member who may create clients
may triage them (``Capability.CREATE_CLIENT`` until a dedicated capability exists). The self-check
answers are health information: only clinical roles see them.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.audit.services import log_event
from kapstone.clients.access import visible_clients
from kapstone.clients.forms import ClientForm
from kapstone.practice.permissions import Capability, can, capability_required, require

from .. import services
from ..content import SELF_CHECK, SELF_CHECK_ANSWERS
from ..forms import CareTeamChoiceForm, InquiryFilterForm, TriageForm
from ..models import OPEN_INQUIRY_STATUSES, Inquiry, InquiryStatus

TRIAGE = Capability.CREATE_CLIENT
PAGE_SIZE = 25


@capability_required(TRIAGE)
def inquiry_list(request):
    form = InquiryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    inquiries = Inquiry.objects.all()
    if status == "all":
        pass
    elif status:
        inquiries = inquiries.filter(status=status)
    else:
        inquiries = inquiries.filter(status__in=OPEN_INQUIRY_STATUSES)
    counts = dict(Inquiry.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    page = Paginator(
        inquiries.select_related("status_changed_by", "client").order_by("-submitted_at", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    log_event(request, "screening.inquiries.viewed", data={"status": status or "open", "page": page.number})
    context = {
        "form": form,
        "page": page,
        "counts": [(value, label, counts.get(value, 0)) for value, label in InquiryStatus.choices],
        "query_string": f"status={status}" if status else "",
    }
    return render(request, "screening/inquiry_list.html", context)


def _inquiry(request, inquiry_id):
    # The role check comes first: a role that may not triage gets 403 whatever the id.
    require(getattr(request, "membership", None), TRIAGE)
    return get_object_or_404(Inquiry.objects.select_related("client", "status_changed_by"), pk=inquiry_id)


def inquiry_detail(request, inquiry_id):
    inquiry = _inquiry(request, inquiry_id)
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.triage_inquiry(request, inquiry, form.cleaned_data["status"], form.cleaned_data["note"])
        except services.ScreeningError as error:
            form.add_error(None, str(error))
        else:
            inquiry.refresh_from_db()
            messages.success(request, f"Inquiry marked {inquiry.get_status_display().lower()}.")
            return redirect("screening:inquiry", inquiry_id=inquiry.pk)
    if request.method == "GET":
        log_event(request, "screening.inquiry.viewed", obj=inquiry)
    show_self_check = can(request.membership, Capability.VIEW_CLINICAL)
    answers = dict(SELF_CHECK_ANSWERS)
    context = {
        "inquiry": inquiry,
        "form": form,
        "triage": inquiry.triage.select_related("by"),
        "show_self_check": show_self_check,
        "self_check": [
            (question.text, answers.get(inquiry.self_check.get(question.key), "Not answered"))
            for question in SELF_CHECK
        ]
        if show_self_check
        else [],
    }
    return render(request, "screening/inquiry_detail.html", context)


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def inquiry_convert(request, inquiry_id):
    inquiry = _inquiry(request, inquiry_id)
    require(request.membership, Capability.MANAGE_CARE_TEAM)
    if inquiry.status == InquiryStatus.CONVERTED:
        messages.error(request, "This inquiry already became a client.")
        return redirect("screening:inquiry", inquiry_id=inquiry.pk)
    first, last = _split_name(inquiry.name)
    initial = {
        "legal_first_name": first,
        "legal_last_name": last,
        "email": inquiry.email,
        "phone": inquiry.phone,
    }
    client_form = ClientForm(
        request.POST or None, practice=request.practice, initial=initial, prefix="client"
    )
    team_form = CareTeamChoiceForm(request.POST or None, practice=request.practice, prefix="team")
    if request.method == "POST" and client_form.is_valid() and team_form.is_valid():
        try:
            client = services.convert_inquiry(
                request,
                inquiry,
                client_form,
                care_team=[team_form.cleaned_data["prescriber"], team_form.cleaned_data["therapist"]],
            )
        except services.ScreeningError as error:
            client_form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{client.display_name} is now a client (record {client.record_number}), with an episode in "
                "screening and a draft intake.",
            )
            return redirect("clients:detail", client_id=client.pk)
    match = Q(pk__in=[])
    if inquiry.email:
        match |= Q(email__iexact=inquiry.email)
    if inquiry.phone:
        match |= Q(phone=inquiry.phone)
    possible_duplicates = list(visible_clients(request.membership).filter(match)[:5])
    if request.method == "GET":
        log_event(request, "screening.inquiry.viewed", obj=inquiry, data={"page": "convert"})
    context = {
        "inquiry": inquiry,
        "form": client_form,
        "team_form": team_form,
        "possible_duplicates": possible_duplicates,
    }
    return render(request, "screening/inquiry_convert.html", context)
