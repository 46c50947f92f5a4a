"""The client's side of a consent link: read, type your name, sign. No account; works on a phone."""

from django.shortcuts import render

from kapstone.audit.services import log_event
from kapstone.practice.public_links import public_link
from kapstone.practice.tenancy import practice_scope

from . import consent as services
from .forms import SignForm
from .models import CONSENT_LINK, ConsentKind, ConsentSignature


@public_link(CONSENT_LINK, ConsentSignature.objects.by_link)
def sign(request, signature, token):
    practice, document = signature.practice, signature.document
    with practice_scope(practice):
        optional = document.kind != ConsentKind.TREATMENT
        form = SignForm(request.POST or None, initial={"text_sha256": document.sha256})
        context = {
            "practice": practice,
            "document": document,
            "optional": optional,
            "form": form,
            "crisis_resources": practice.crisis_resources,
        }
        if request.method == "GET":
            log_event(request, "pathway.consent.link_opened", obj=signature, practice=practice)
            return render(request, "pathway/sign.html", context)
        try:
            if optional and "decline" in request.POST:
                services.decline(request, signature)
                return render(request, "pathway/sign_done.html", context | {"declined": True})
            if form.is_valid():
                signature = services.sign(
                    request,
                    signature,
                    typed_name=form.cleaned_data["typed_name"],
                    shown_sha256=form.cleaned_data["text_sha256"],
                )
                return render(request, "pathway/sign_done.html", context | {"signature": signature})
        except services.ConsentError as error:
            form.add_error(None, str(error))
        return render(request, "pathway/sign.html", context)
