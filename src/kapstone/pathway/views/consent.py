"""Staff pages of consent: a client's consent status and signatures, links, countersigning, and the
practice's consent documents (admins publish new versions)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kapstone.audit.services import log_event
from kapstone.pdf import pdf_response
from kapstone.practice.permissions import Capability, capability_required

from .. import consent as services
from ..access import client_for, episode_of, may_change
from ..forms import ConsentDocumentForm, ConsentRequestForm
from ..models import CONSENT_LINK_DAYS, ConsentDocument, ConsentKind, ConsentSignature
from ..programmes import consent_sample
from ..tasks import send_consent_link


def client_consent(request, client_id, episode_id):
    client = client_for(request, client_id)
    episode = episode_of(client, episode_id)
    signatures = (
        ConsentSignature.objects.filter(client=client)
        .select_related("document", "countersigned_by", "requested_by", "client")
        .order_by("-requested_at")
    )
    log_event(request, "pathway.consent.viewed", obj=episode)
    context = {
        "client": client,
        "episode": episode,
        "statuses": list(services.consent_status(episode).values()),
        "signatures": signatures,
        "request_form": ConsentRequestForm(),
        "link_days": CONSENT_LINK_DAYS,
        "can_change": may_change(request),
        "age": client.age_on(request.practice.today()),
    }
    return render(request, "pathway/consent.html", context)


@require_POST
def consent_request(request, client_id, episode_id):
    client = client_for(request, client_id, change=True)
    episode = episode_of(client, episode_id)
    form = ConsentRequestForm(request.POST)
    back = redirect("pathway:consent", client_id=client.pk, episode_id=episode.pk)
    if not form.is_valid():
        messages.error(request, "Choose which consent the client should sign.")
        return back
    try:
        signature, token = services.request_signature(request, episode, form.cleaned_data["kind"])
    except services.ConsentError as error:
        messages.error(request, str(error))
        return back
    url = request.build_absolute_uri(reverse("pathway:sign", args=[token]))
    emailed = bool(form.cleaned_data["send_email"] and client.email)
    if emailed:
        send_consent_link.enqueue(str(signature.pk), url)
    context = {"client": client, "episode": episode, "signature": signature, "url": url, "emailed": emailed}
    return render(request, "pathway/consent_link.html", context)


def _signature(client, signature_id):
    return get_object_or_404(
        ConsentSignature.objects.select_related("document", "countersigned_by", "requested_by", "client"),
        client=client,
        pk=signature_id,
    )


def signature_detail(request, client_id, signature_id):
    client = client_for(request, client_id)
    signature = _signature(client, signature_id)
    log_event(request, "pathway.consent.signature_viewed", obj=signature)
    context = {
        "client": client,
        "signature": signature,
        "can_change": may_change(request),
        "age": client.age_on(request.practice.today()),
    }
    return render(request, "pathway/signature.html", context)


def signature_pdf(request, client_id, signature_id):
    """The signed consent as the PDF kept at signing (or countersigning), the same bytes every time."""
    client = client_for(request, client_id)
    signature = _signature(client, signature_id)
    if signature.signed_at is None:
        raise Http404("This consent has not been signed.")
    printed = services.signed_pdf(request, signature)
    log_event(
        request,
        "pathway.consent.downloaded",
        obj=signature,
        data={"stage": printed.stage, "pdf_sha256": printed.sha256},
    )
    return pdf_response(bytes(printed.pdf), printed.filename)


@require_POST
def countersign(request, client_id, signature_id):
    client = client_for(request, client_id, change=True)
    signature = _signature(client, signature_id)
    try:
        services.countersign(request, signature)
    except services.ConsentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Countersigned {signature.document}.")
    if signature.episode_id:
        return redirect("pathway:consent", client_id=client.pk, episode_id=signature.episode_id)
    return redirect("pathway:signature", client_id=client.pk, signature_id=signature.pk)


# --- The practice's consent documents (admins) -------------------------------------------------


@capability_required(Capability.CONFIGURE_PRACTICE)
def document_list(request):
    documents = ConsentDocument.objects.select_related("published_by").order_by("kind", "-version")
    current = services.current_documents(request.practice)
    kinds = [
        (value, label, current.get(value), [d for d in documents if d.kind == value])
        for value, label in ConsentKind.choices
    ]
    return render(request, "pathway/consent_documents.html", {"kinds": kinds})


@capability_required(Capability.CONFIGURE_PRACTICE)
def document_publish(request, kind):
    if kind not in ConsentKind.values:
        raise Http404("No such kind of consent.")
    current = services.current_documents(request.practice).get(kind)
    initial = (
        {"title": current.title, "text": current.text}
        if current
        else {"title": ConsentKind(kind).label, "text": consent_sample(kind)}
    )
    form = ConsentDocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if current and data["text"].strip() == current.text and data["title"].strip() == current.title:
            form.add_error(
                "text", "This is the current version unchanged. Edit the text to publish a new version."
            )
        else:
            document = services.publish_document(
                request, kind, title=data["title"], text=data["text"], changes=data["changes"]
            )
            note = " Clients sign it again before their next dose." if kind == ConsentKind.TREATMENT else ""
            messages.success(request, f"Published {document.title}, version {document.version}.{note}")
            return redirect("pathway:consent_documents")
    context = {"form": form, "kind": kind, "kind_label": ConsentKind(kind).label, "current": current}
    return render(request, "pathway/consent_publish.html", context)


@capability_required(Capability.CONFIGURE_PRACTICE)
def document_detail(request, document_id):
    document = get_object_or_404(ConsentDocument.objects.select_related("published_by"), pk=document_id)
    signed = ConsentSignature.objects.filter(document=document).signed().count()
    return render(request, "pathway/consent_document.html", {"document": document, "signed": signed})
