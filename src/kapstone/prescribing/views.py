"""The prescribing records' pages under ``/prescribing/`` (docs/prescribing.md).

Thin views: forms tidy input, ``services`` decide and write the audit trail. Clinical roles read;
prescribers and admins record a client's PDMP checks and REMS enrolment; admins manage credentials,
the REMS certification and the settings. A client's pages find the client through ``get_client`` first,
so a client outside the member's care team does not exist for them (404) before any role check (403).
"""

from datetime import date, timedelta
from uuid import UUID

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.clients.models import Client
from kapstone.practice.models import Role
from kapstone.practice.permissions import Capability, can, capability_required, require

from . import gates, services
from .access import can_record, require_recorder
from .forms import CertificationForm, CredentialForm, EnrolmentForm, PdmpCheckForm, SettingsForm, add_error
from .models import (
    Credential,
    PdmpCheck,
    PrescribingSettings,
    RemsCertification,
    RemsEnrolment,
    current_credentials,
)
from .tasks import credentials_due

VIEW = Capability.VIEW_CLINICAL
CONFIGURE = Capability.CONFIGURE_PRACTICE
OVERVIEW_CLIENTS = 200


def posted(request: StaffRequest) -> QueryDict | None:
    """The submitted data of a POST, None for a GET (a form is bound only when something was sent)."""
    return request.POST if request.method == "POST" else None


def with_status(credentials: list[Credential], today: date, window: int) -> list[Credential]:
    """Mark each credential with its state today and whether a renewal superseded it, for the tables."""
    current = {c.pk for c in current_credentials(credentials)}
    for c in credentials:
        c.now = c.status(today, window)  # type: ignore[attr-defined]
        c.is_current = c.pk in current  # type: ignore[attr-defined]
    return credentials


# --- Overview ------------------------------------------------------------------------------------------


@capability_required(VIEW)
def index(request: StaffRequest) -> HttpResponse:
    today = request.practice.today()
    settings = PrescribingSettings.for_practice(request.practice)
    newest_check = PdmpCheck.objects.filter(client=OuterRef("pk"), reviewed=True).order_by("-checked_on")
    newest_enrolment = RemsEnrolment.objects.filter(client=OuterRef("pk")).order_by("-enrolled_on")
    clients = list(
        visible_clients(request.membership)
        .annotate(
            last_pdmp=Subquery(newest_check.values("checked_on")[:1]),
            enrolled_on=Subquery(newest_enrolment.values("enrolled_on")[:1]),
        )
        .order_by("legal_last_name", "legal_first_name")[:OVERVIEW_CLIENTS]
    )
    for row in clients:
        row.pdmp_due = (  # type: ignore[attr-defined]
            row.last_pdmp + timedelta(days=settings.pdmp_interval_days) if row.last_pdmp else None
        )
    log_event(request, "prescribing.clients.viewed", data={"clients": len(clients)})
    may_configure = can(request.membership, CONFIGURE)
    due = credentials_due(request.practice, today) if may_configure else None
    return render(
        request,
        "prescribing/index.html",
        {
            "today": today,
            "settings": settings,
            "clients": clients,
            "my_refusal": gates.prescriber_refusal(request.practice, request.user, today),
            "certification": gates.current_certification(request.practice, today),
            "due": due,
            "may_configure": may_configure,
        },
    )


# --- Credentials ---------------------------------------------------------------------------------------


@capability_required(VIEW)
def my_credentials(request: StaffRequest) -> HttpResponse:
    today = request.practice.today()
    window = PrescribingSettings.for_practice(request.practice).expiry_warning_days
    mine = Credential.objects.filter(membership=request.membership).select_related("recorded_by")
    return render(
        request,
        "prescribing/my_credentials.html",
        {
            "credentials": with_status(list(mine.order_by("kind", "state", "-expires_on")), today, window),
            "today": today,
            "window": window,
            "refusal": gates.prescriber_refusal(request.practice, request.user, today),
        },
    )


@capability_required(CONFIGURE)
def credentials(request: StaffRequest) -> HttpResponse:
    form = CredentialForm(posted(request), practice=request.practice)
    if request.method == "POST" and form.is_valid():
        credential = services.save_credential(request, form)
        messages.success(request, f"Recorded {credential.label} for {credential.membership.display_name}.")
        return redirect("prescribing:credentials")
    today = request.practice.today()
    window = PrescribingSettings.for_practice(request.practice).expiry_warning_days
    everything = list(Credential.objects.select_related("membership__user", "recorded_by"))
    return render(
        request,
        "prescribing/credentials.html",
        {
            "form": form,
            "credentials": with_status(everything, today, window),
            "today": today,
            "window": window,
        },
    )


@capability_required(CONFIGURE)
def credential(request: StaffRequest, credential_id: UUID) -> HttpResponse:
    found = Credential.objects.select_related("membership__user")
    item: Credential = get_object_or_404(found, pk=credential_id)
    form = CredentialForm(posted(request), instance=item, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        services.save_credential(request, form)
        messages.success(request, f"Saved {item.label} of {item.membership.display_name}.")
        return redirect("prescribing:credentials")
    return render(request, "prescribing/credential.html", {"form": form, "credential": item})


@capability_required(CONFIGURE)
def expiring(request: StaffRequest) -> HttpResponse:
    today = request.practice.today()
    return render(
        request,
        "prescribing/expiring.html",
        {
            "due": credentials_due(request.practice, today),
            "today": today,
            "window": PrescribingSettings.for_practice(request.practice).expiry_warning_days,
        },
    )


# --- One client: PDMP checks and REMS enrolment --------------------------------------------------------


def _client_page(request: StaffRequest, client: Client, today: date) -> dict[str, object]:
    return {
        "client": client,
        "today": today,
        "settings": PrescribingSettings.for_practice(request.practice),
        "may_record": can_record(request.membership),
        "episode": services.current_episode(client),
    }


def client(request: StaffRequest, client_id: UUID) -> HttpResponse:
    found = get_client(request, client_id, VIEW)
    today = request.practice.today()
    services.client_viewed(request, found, "prescribing")
    checks = PdmpCheck.objects.filter(client=found).select_related("checked_by", "recorded_by", "episode")
    enrolments = RemsEnrolment.objects.filter(client=found).select_related("prescriber", "recorded_by")
    settings = PrescribingSettings.for_practice(request.practice)
    newest = checks.filter(reviewed=True, checked_on__lte=today).first()
    return render(
        request,
        "prescribing/client.html",
        {
            **_client_page(request, found, today),
            "checks": checks,
            "enrolments": enrolments,
            "pdmp_problem": gates.pdmp_problem(found, today),
            "pdmp_due": gates.pdmp_due_by(newest, settings.pdmp_interval_days) if newest else None,
            "rems_problem": gates.rems_refusal(found, today),
            "notes": gates.warnings_for(found, request.user, today, esketamine=True),
        },
    )


def pdmp_new(request: StaffRequest, client_id: UUID) -> HttpResponse:
    found = get_client(request, client_id, VIEW)
    require_recorder(request.membership)
    today = request.practice.today()
    last = PdmpCheck.objects.filter(client=found).first()
    form = PdmpCheckForm(
        posted(request),
        practice=request.practice,
        initial={"checked_on": today, "checked_by": request.user.pk, "state": last.state if last else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.record_pdmp_check(request, found, **form.cleaned_data)
        except services.PrescribingError as error:
            add_error(form, error)
        else:
            messages.success(
                request, f"Recorded the PDMP check ({check.state}) of {check.checked_on:%Y-%m-%d}."
            )
            return redirect("prescribing:client", found.pk)
    else:
        services.client_viewed(request, found, "pdmp_new")
    return render(request, "prescribing/pdmp_new.html", {**_client_page(request, found, today), "form": form})


def enrolment_new(request: StaffRequest, client_id: UUID) -> HttpResponse:
    found = get_client(request, client_id, VIEW)
    require_recorder(request.membership)
    today = request.practice.today()
    initial = {"enrolled_on": today}
    if request.membership.role == Role.PRESCRIBER:
        initial["prescriber"] = request.user.pk
    form = EnrolmentForm(posted(request), practice=request.practice, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_enrolment(request, found, **form.cleaned_data)
        except services.PrescribingError as error:
            add_error(form, error)
        else:
            messages.success(request, f"Recorded the REMS enrolment of {found.display_name}.")
            return redirect("prescribing:client", found.pk)
    else:
        services.client_viewed(request, found, "enrolment_new")
    return render(
        request, "prescribing/enrolment_new.html", {**_client_page(request, found, today), "form": form}
    )


# --- The treatment setting's REMS certification and the settings (admins) -----------------------------


@capability_required(VIEW)
def certifications(request: StaffRequest) -> HttpResponse:
    may_configure = can(request.membership, CONFIGURE)
    form = CertificationForm(posted(request))
    if request.method == "POST":
        require(request.membership, CONFIGURE)
        if form.is_valid():
            certification = services.save_certification(request, form)
            messages.success(request, f"Recorded the REMS certification of {certification.setting_name}.")
            return redirect("prescribing:certifications")
    today = request.practice.today()
    return render(
        request,
        "prescribing/certifications.html",
        {
            "form": form,
            "certifications": RemsCertification.objects.select_related("recorded_by"),
            "current": gates.current_certification(request.practice, today),
            "today": today,
            "may_configure": may_configure,
        },
    )


@capability_required(CONFIGURE)
def certification(request: StaffRequest, certification_id: UUID) -> HttpResponse:
    item = get_object_or_404(RemsCertification, pk=certification_id)
    form = CertificationForm(posted(request), instance=item)
    if request.method == "POST" and form.is_valid():
        services.save_certification(request, form)
        messages.success(request, f"Saved the REMS certification of {item.setting_name}.")
        return redirect("prescribing:certifications")
    return render(request, "prescribing/certification.html", {"form": form, "certification": item})


@capability_required(CONFIGURE)
def prescribing_settings(request: StaffRequest) -> HttpResponse:
    instance = PrescribingSettings.for_practice(request.practice)
    form = SettingsForm(posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_settings(request, form)
        messages.success(request, "Saved the prescribing settings.")
        return redirect("prescribing:settings")
    return render(request, "prescribing/settings.html", {"form": form})
