"""The register's pages under ``/register/``, kept apart from the clinical record (docs/register.md).

Thin views: forms tidy input, ``services``/``counts``/``configure`` decide and write. Every page is
for the clinical roles; moving stock needs ``access.can_move_stock``; setting up needs an admin.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Count as CountOf
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.pdf import pdf_response
from kapstone.practice.permissions import Capability, capability_required

from .. import counts, reports, services
from ..access import can_move_stock, stock_mover_required
from ..forms import (
    CorrectionForm,
    CountForm,
    CountStartForm,
    DestroyForm,
    ExplainForm,
    LossForm,
    ReceiptForm,
    ReceiptLines,
    ReportForm,
    ReturnForm,
    SetAsideForm,
    TaskDoneForm,
    TransferForm,
    WasteForm,
    add_error,
)
from ..models import (
    CORRECTABLE,
    ON_HAND,
    Container,
    Count,
    Discrepancy,
    Entry,
    Location,
    Product,
    RegisterSettings,
    ReportingTask,
    Stock,
)
from ..rules import rules
from . import posted

VIEW = Capability.VIEW_CLINICAL
CONFIGURE = Capability.CONFIGURE_PRACTICE
RECENT_ENTRIES = 200


# --- Overview and one container --------------------------------------------------------------------


@capability_required(VIEW)
def index(request: StaffRequest) -> HttpResponse:
    locations = list(Location.objects.filter(is_active=True))
    on_hand = list(
        Container.objects.filter(state__in=ON_HAND)
        .select_related("product", "location", "storage")
        .order_by("location__name", "code")
    )
    stock = (
        Stock.objects.filter(balance__gt=0).select_related("product", "location").order_by("location__name")
    )
    today = request.practice.today()
    tasks = list(ReportingTask.objects.open().select_related("report").order_by("due_on"))
    for task in tasks:
        task.status = task.status_on(today)
    due = counts.biennial_due_by_location(request.practice)
    biennial = [(location, due.get(location.pk)) for location in locations]
    context = {
        "locations": locations,
        "containers": on_hand,
        "stock": stock,
        "open_discrepancies": Discrepancy.objects.filter(explanation__isnull=True).count(),
        "tasks": tasks,
        "biennial": biennial,
        "today": today,
        "may_move": can_move_stock(request.membership),
        "has_products": Product.objects.exists(),
    }
    return render(request, "register/index.html", context)


@capability_required(VIEW)
def container(request: StaffRequest, container_id: UUID) -> HttpResponse:
    item = get_object_or_404(
        Container.objects.select_related("product", "location", "storage", "receipt"), pk=container_id
    )
    entries = (
        Entry.objects.filter(container=item)
        .select_related("product", "recorded_by", "given_by", "witness", "client", "location", "corrects")
        .prefetch_related(Prefetch("corrections", queryset=Entry.objects.order_by("seq")))
        .order_by("-seq")[:RECENT_ENTRIES]
    )
    entries = list(entries)
    for entry in entries:
        entry.correctable = entry.kind in CORRECTABLE
    log_event(request, "register.container.viewed", obj=item, data={"container": item.code})
    context = {"container": item, "entries": entries, "may_move": can_move_stock(request.membership)}
    return render(request, "register/container.html", context)


# --- Movements -------------------------------------------------------------------------------------


@stock_mover_required
def receive(request: StaffRequest) -> HttpResponse:
    form = ReceiptForm(posted(request), practice=request.practice, membership=request.membership)
    lines = ReceiptLines(posted(request), prefix="line")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        chosen = [line.cleaned_data for line in lines if line.cleaned_data.get("product")]
        try:
            receipt = services.record_receipt(
                request,
                location=data["location"],
                received_on=data["received_on"],
                invoice_number=data["invoice_number"],
                supplier_name=data["supplier_name"],
                supplier_address=data["supplier_address"],
                supplier_dea_number=data["supplier_dea_number"],
                received_by=data["received_by"].user,
                note=data["note"],
                lines=[
                    services.ReceiptLine(
                        product=line["product"],
                        containers=line["containers"],
                        lot=line["lot"],
                        expires_on=line["expires_on"],
                        storage=line["storage"],
                    )
                    for line in chosen
                ],
            )
        except services.RegisterError as error:
            add_error(form, error)
        else:
            labels = ", ".join(receipt.containers.order_by("code").values_list("code", flat=True))
            messages.success(request, f"Received invoice {receipt.invoice_number}: {labels}.")
            return redirect("register:index")
    return render(request, "register/receive.html", {"form": form, "lines": lines})


def _movement(
    request: StaffRequest,
    container_id: UUID,
    form_class: type[forms.Form],
    template: str,
    act: Callable[[Container, Any], str],
    **form_kwargs: Any,
) -> HttpResponse:
    item = get_object_or_404(
        Container.objects.select_related("product", "location", "storage"), pk=container_id
    )
    form = form_class(posted(request), **{k: (item if v is Container else v) for k, v in form_kwargs.items()})
    if request.method == "POST" and form.is_valid():
        try:
            message = act(item, form)
        except services.RegisterError as error:
            add_error(form, error)
        else:
            messages.success(request, message)
            return redirect("register:container", item.pk)
    return render(request, template, {"form": form, "container": item})


@stock_mover_required
def waste(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        entry = services.record_waste(
            request,
            container=item,
            quantity=data["quantity"],
            manner=data["manner"],
            witness=data["witness"].user,
            witness_password=data["witness_password"],
            note=data["note"],
        )
        amount = item.amount(-entry.quantity)
        return f"Recorded waste of {amount} from {item.code}, witnessed by {entry.witness}."

    return _movement(
        request,
        container_id,
        WasteForm,
        "register/waste.html",
        act,
        container=Container,
        practice=request.practice,
        membership=request.membership,
    )


@stock_mover_required
def transfer(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        services.transfer(request, container=item, to_storage=data["to_storage"], note=data["note"])
        return f"Moved {item.code} to {data['to_storage'].location.name}: {data['to_storage']}."

    return _movement(request, container_id, TransferForm, "register/transfer.html", act, container=Container)


@stock_mover_required
def return_to_distributor(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        services.return_to_distributor(
            request,
            container=item,
            distributor=data["distributor"],
            reference=data["reference"],
            note=data["note"],
        )
        return f"Returned {item.code} to the reverse distributor."

    return _movement(request, container_id, ReturnForm, "register/return.html", act)


@stock_mover_required
def destroy(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        services.destroy(
            request,
            container=item,
            form_41_reference=data["form_41_reference"],
            manner=data["manner"],
            witness=data["witness"].user,
            witness_password=data["witness_password"],
        )
        return f"Recorded the destruction of {item.code} (Form 41 {data['form_41_reference']})."

    return _movement(
        request,
        container_id,
        DestroyForm,
        "register/destroy.html",
        act,
        practice=request.practice,
        membership=request.membership,
    )


@stock_mover_required
def loss(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        report = services.report_loss(
            request,
            container=item,
            kind=data["kind"],
            quantity=data["quantity"],
            discovered_at=form.when(),
            description=data["description"],
        )
        due = ", ".join(f"{t.get_kind_display()} by {t.due_on:%Y-%m-%d}" for t in report.tasks.all())
        return f"Recorded the {report.get_kind_display().lower()} of {item.code}. Due: {due}."

    return _movement(
        request,
        container_id,
        LossForm,
        "register/loss.html",
        act,
        container=Container,
        practice=request.practice,
    )


@stock_mover_required
def set_aside(request: StaffRequest, container_id: UUID) -> HttpResponse:
    def act(item: Container, form: Any) -> str:
        data = form.cleaned_data
        services.set_aside(request, container=item, state=data["state"], reason=data["reason"])
        return f"{item.code} is set aside as {data['state']}."

    return _movement(request, container_id, SetAsideForm, "register/set_aside.html", act)


@stock_mover_required
def correct(request: StaffRequest, entry_id: UUID) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.select_related("container__product"), pk=entry_id)
    form = CorrectionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_entry(
                request,
                entry=entry,
                corrected=form.cleaned_data["corrected"],
                reason=form.cleaned_data["reason"],
            )
        except services.RegisterError as error:
            add_error(form, error)
        else:
            messages.success(request, f"Corrected entry #{entry.seq}.")
            return redirect("register:container", entry.container_id)
    current = services.effective_amount(entry)
    return render(
        request,
        "register/correct.html",
        {"form": form, "entry": entry, "current": entry.container.amount(current)},
    )


# --- Counts and discrepancies ---------------------------------------------------------------------


@capability_required(VIEW)
def count_list(request: StaffRequest) -> HttpResponse:
    found = Count.objects.select_related("location", "counted_by").annotate(
        lines_count=CountOf("lines"),
        open_count=CountOf("lines__discrepancy", filter=Q(lines__discrepancy__explanation__isnull=True)),
    )
    context = {
        "counts": found[:RECENT_ENTRIES],
        "start": CountStartForm(),
        "may_move": can_move_stock(request.membership),
    }
    return render(request, "register/counts.html", context)


@stock_mover_required
def count_new(request: StaffRequest) -> HttpResponse:
    start = CountStartForm(request.GET or None)
    if not start.is_valid():
        return render(request, "register/counts_start.html", {"start": start})
    location, kind = start.cleaned_data["location"], start.cleaned_data["kind"]
    containers = counts.containers_to_count(location)
    form = CountForm(posted(request), practice=request.practice, containers=containers, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            count = counts.record_count(
                request,
                location=location,
                kind=kind,
                business_time=form.cleaned_data["business_time"],
                taken_at=form.when(),
                note=form.cleaned_data["note"],
                lines=[counts.Counted(c, counted, method) for c, counted, method in form.lines()],
            )
        except services.RegisterError as error:
            add_error(form, error)
        else:
            found = Discrepancy.objects.filter(line__count=count).count()
            if found:
                messages.warning(
                    request,
                    f"Recorded the count: {found} discrepanc{'y' if found == 1 else 'ies'} to explain.",
                )
            else:
                messages.success(request, "Recorded the count: it matches the register.")
            return redirect("register:count", count.pk)
    context = {"form": form, "location": location, "kind": Count.Kind(kind), "containers": form.containers}
    return render(request, "register/count_form.html", context)


@capability_required(VIEW)
def count_detail(request: StaffRequest, count_id: UUID) -> HttpResponse:
    item = get_object_or_404(Count.objects.select_related("location", "counted_by"), pk=count_id)
    lines = item.lines.select_related("container__product", "discrepancy__explanation")
    return render(request, "register/count.html", {"count": item, "lines": lines})


@capability_required(VIEW)
def discrepancy_list(request: StaffRequest) -> HttpResponse:
    found = Discrepancy.objects.select_related(
        "container__product", "line__count", "explanation__recorded_by"
    ).order_by("explanation", "-raised_at")
    context = {"discrepancies": found[:RECENT_ENTRIES], "may_move": can_move_stock(request.membership)}
    return render(request, "register/discrepancies.html", context)


@stock_mover_required
def explain(request: StaffRequest, discrepancy_id: UUID) -> HttpResponse:
    item = get_object_or_404(
        Discrepancy.objects.select_related("container__product", "line__count"), pk=discrepancy_id
    )
    form = ExplainForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            counts.explain_discrepancy(
                request,
                item,
                explanation=form.cleaned_data["explanation"],
                adjust=form.cleaned_data["adjust"],
            )
        except services.RegisterError as error:
            add_error(form, error)
        else:
            messages.success(request, f"Explained the discrepancy on {item.container.code}.")
            return redirect("register:discrepancies")
    return render(request, "register/explain.html", {"form": form, "discrepancy": item})


# --- Theft and loss reporting tasks ----------------------------------------------------------------


@capability_required(VIEW)
def task_list(request: StaffRequest) -> HttpResponse:
    today = request.practice.today()
    found = list(
        ReportingTask.objects.select_related("report__entry__container", "done_by").order_by(
            "done_at", "due_on"
        )
    )
    for task in found:
        task.status = task.status_on(today)
    context = {
        "tasks": found,
        "form": TaskDoneForm(),
        "may_move": can_move_stock(request.membership),
        "rules": rules(),
    }
    return render(request, "register/tasks.html", context)


@require_POST
@stock_mover_required
def task_done(request: StaffRequest, task_id: UUID) -> HttpResponse:
    task = get_object_or_404(ReportingTask, pk=task_id)
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.complete_task(request, task, reference=form.cleaned_data["reference"])
        except services.RegisterError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{task.get_kind_display()}: done.")
    else:
        messages.error(request, "Enter the reference of the notice or the Form 106 filing.")
    return redirect("register:tasks")


# --- Reports ---------------------------------------------------------------------------------------


def _report(request: StaffRequest) -> tuple[ReportForm, reports.Report | None]:
    form = ReportForm(request.GET or None)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, reports.build(data["kind"], request.practice, data["start"], data["end"], request.membership)


@capability_required(VIEW)
def report(request: StaffRequest) -> HttpResponse:
    form, built = _report(request)
    if built is not None:
        log_event(
            request,
            "register.report.viewed",
            data={
                "kind": built.kind,
                "from": request.GET["start"],
                "to": request.GET["end"],
                "rows": len(built.rows),
            },
        )
    settings = RegisterSettings.for_practice(request.practice)
    context = {
        "form": form,
        "report": built,
        "retention_years": settings.retention_years,
        "report_query": request.GET.urlencode(),
    }
    return render(request, "register/report.html", context)


@capability_required(VIEW)
def report_csv(request: StaffRequest) -> HttpResponse:
    _, built = _report(request)
    if built is None:  # no valid period: the report page says what is missing
        return redirect(f"{reverse('register:report')}?{request.GET.urlencode()}")
    log_event(
        request,
        "register.report.exported",
        data={
            "kind": built.kind,
            "from": request.GET["start"],
            "to": request.GET["end"],
            "rows": len(built.rows),
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{request.practice.slug}-{built.kind}-{request.GET['start']}-{request.GET['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    built.write_csv(response)
    return response


@capability_required(VIEW)
def report_pdf(request: StaffRequest) -> HttpResponse:
    form, built = _report(request)
    if built is None:  # no valid period: the report page says what is missing
        return redirect(f"{reverse('register:report')}?{request.GET.urlencode()}")
    data = form.cleaned_data
    log_event(
        request,
        "register.report.exported",
        data={
            "kind": built.kind,
            "from": request.GET["start"],
            "to": request.GET["end"],
            "rows": len(built.rows),
            "format": "pdf",
        },
    )
    pdf = built.pdf(request.practice, data["start"], data["end"], printed_by=request.user)
    name = f"{request.practice.slug}-{built.kind}-{data['start']:%Y-%m-%d}-{data['end']:%Y-%m-%d}.pdf"
    return pdf_response(pdf, name)
