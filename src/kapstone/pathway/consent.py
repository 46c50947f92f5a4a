"""Informed consent: versioned documents, signing links, the client's signature and the countersignature.

A new version of a document never changes an old one; a treatment signature counts only for the
current version, so publishing a new version means the client signs again before the next dose.
The signed consent is printed to PDF when the client signs and again when staff countersign, and
kept (``ConsentPdf``): downloads serve those bytes (docs/documents.md).
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, client_ip, log_event
from kapstone.pdf import render_pdf
from kapstone.practice.models import Practice

from .models import ConsentDocument, ConsentKind, ConsentPdf, ConsentSignature, Episode, text_digest

logger = logging.getLogger(__name__)


class ConsentError(Exception):
    """A consent step that is not possible, with a message for the person who asked."""


def current_documents(practice: Practice) -> dict[str, ConsentDocument]:
    """The newest version of each kind of consent document the practice has published."""
    documents: dict[str, ConsentDocument] = {}
    for document in ConsentDocument.objects.filter(practice=practice).order_by("kind", "-version"):
        documents.setdefault(document.kind, document)
    return documents


@transaction.atomic
def publish_document(
    request: StaffRequest,
    kind: str,
    *,
    title: str,
    text: str,
    changes: str = "",
    actor: User | None = None,
) -> ConsentDocument:
    """Publish the next version of a consent document; unsigned requests for older versions stop."""
    if kind not in ConsentKind.values:
        raise ConsentError("Unknown kind of consent.")
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise ConsentError("A consent document needs a title and its text.")
    practice = request.practice
    latest = (
        ConsentDocument.objects.select_for_update()
        .filter(practice=practice, kind=kind)
        .aggregate(n=Max("version"))["n"]
    )
    document = ConsentDocument.objects.create(
        practice=practice,
        kind=kind,
        version=(latest or 0) + 1,
        title=title,
        text=text,
        changes=changes.strip(),
        published_by=actor_of(request, actor),
    )
    replaced = (
        ConsentSignature.objects.pending()
        .filter(document__practice=practice, document__kind=kind)
        .exclude(document=document)
        .update(cancelled_at=timezone.now(), token_hash="")
    )
    log_event(
        request,
        "pathway.consent_document.published",
        obj=document,
        actor=actor,
        data={"kind": kind, "version": document.version, "requests_replaced": replaced},
    )
    return document


@transaction.atomic
def request_signature(
    request: StaffRequest | None, episode: Episode, kind: str, *, actor: User | None = None
) -> tuple[ConsentSignature, str]:
    """A signing link for the current version of ``kind``: (the request, the one-time token)."""
    document = current_documents(episode.practice).get(kind)
    if document is None:
        raise ConsentError(
            f"There is no published {ConsentKind(kind).label.lower()} consent yet. "
            "An admin publishes it under Consent documents."
        )
    if not episode.is_open:
        raise ConsentError("This episode is closed; ask for consent in the client's current episode.")
    signatures = ConsentSignature.objects.select_for_update().filter(episode=episode, document=document)
    if signatures.signed().exists():
        raise ConsentError(f"The client has already signed version {document.version} in this episode.")
    signature = signatures.filter(declined_at__isnull=True, cancelled_at__isnull=True).first()
    if signature is None:
        signature = ConsentSignature(
            practice=episode.practice, document=document, client=episode.client, episode=episode
        )
    signature.requested_at = timezone.now()
    signature.requested_by = actor_of(request, actor)
    token = signature.issue_token()
    signature.save()
    log_event(
        request,
        "pathway.consent.requested",
        obj=signature,
        actor=actor,
        data={"kind": kind, "version": document.version},
    )
    return signature, token


def _lock_pending(signature: ConsentSignature) -> ConsentSignature:
    locked = ConsentSignature.objects.select_for_update().select_related("document").get(pk=signature.pk)
    if locked.status != "pending":
        raise ConsentError("This signing link has already been used or is no longer valid.")
    return locked


@transaction.atomic
def sign(
    request: HttpRequest, signature: ConsentSignature, *, typed_name: str, shown_sha256: str
) -> ConsentSignature:
    """The client signs: typed name, time, address and browser, and the exact text, frozen."""
    signature = _lock_pending(signature)
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise ConsentError("Type your full name to sign.")
    document = signature.document
    if shown_sha256 != document.sha256:
        raise ConsentError("The consent text you read is not the one on file. Please read it again and sign.")
    signature.signed_at = timezone.now()
    signature.signed_name = typed_name[:200]
    signature.ip_address = client_ip(request)
    signature.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    signature.signed_title = document.title
    signature.signed_text = document.text
    signature.signed_text_sha256 = text_digest(document.text)
    signature.end_link()  # one-time: the link stops working
    signature.save()
    printed = _archive_quietly(signature, ConsentPdf.Stage.SIGNED)
    log_event(
        request,
        "pathway.consent.signed",
        obj=signature,
        practice=signature.practice,
        data={
            "kind": document.kind,
            "version": document.version,
            "sha256": signature.signed_text_sha256,
            "pdf_sha256": printed.sha256 if printed else "",
        },
    )
    return signature


@transaction.atomic
def decline(request: HttpRequest, signature: ConsentSignature) -> ConsentSignature:
    """The client says no to an optional consent (never possible for the treatment consent)."""
    signature = _lock_pending(signature)
    if signature.document.kind == ConsentKind.TREATMENT:
        raise ConsentError("The treatment consent cannot be declined here; talk to your care team.")
    signature.declined_at = timezone.now()
    signature.ip_address = client_ip(request)
    signature.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    signature.end_link()
    signature.save()
    log_event(
        request,
        "pathway.consent.declined",
        obj=signature,
        practice=signature.practice,
        data={"kind": signature.document.kind, "version": signature.document.version},
    )
    return signature


@transaction.atomic
def countersign(
    request: StaffRequest | None, signature: ConsentSignature, *, actor: User | None = None
) -> ConsentSignature:
    signature = ConsentSignature.objects.select_for_update().get(pk=signature.pk)
    if signature.signed_at is None:
        raise ConsentError("The client has not signed yet; countersign after they do.")
    if signature.countersigned_at is not None:
        raise ConsentError("This signature is already countersigned.")
    signature.countersigned_at = timezone.now()
    signature.countersigned_by = actor_of(request, actor)
    signature.save(update_fields=["countersigned_at", "countersigned_by"])
    printed = _archive_quietly(signature, ConsentPdf.Stage.COUNTERSIGNED)
    log_event(
        request,
        "pathway.consent.countersigned",
        obj=signature,
        actor=actor,
        data={"pdf_sha256": printed.sha256 if printed else ""},
    )
    return signature


# --- The signed consent as a PDF, printed once and kept ---------------------------------------------


def _archive(signature: ConsentSignature, stage: str, *, late: bool = False) -> ConsentPdf:
    """Print the signature as it stands and keep the bytes. The caller holds the signature's row lock."""
    signature = ConsentSignature.objects.select_related(
        "document", "client", "practice", "countersigned_by"
    ).get(pk=signature.pk)
    printed_at = timezone.now()
    context = {
        "signature": signature,
        "document": signature.document,
        "client": signature.client,
        "practice": signature.practice,
        "countersigned": stage == ConsentPdf.Stage.COUNTERSIGNED,
        "printed_at": printed_at,
        "printed_late": late,
    }
    pdf = render_pdf("pathway/consent_pdf.html", context)
    return ConsentPdf.objects.create(
        practice=signature.practice,
        signature=signature,
        stage=stage,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        printed_at=printed_at,
        printed_late=late,
    )


def _archive_quietly(signature: ConsentSignature, stage: str) -> ConsentPdf | None:
    """Print at signing or countersigning; a failure to print never loses the signature itself.

    The signature's record (the frozen text, its SHA-256, name, time, address) is complete without
    the PDF; if printing fails, the first download prints it from that record instead.
    """
    try:
        with transaction.atomic():  # a savepoint: a failed insert leaves the signing transaction usable
            return _archive(signature, stage)
    except Exception:
        logger.exception(
            "Could not print consent signature %s; it is printed on first download.", signature.pk
        )
        return None


@transaction.atomic
def signed_pdf(request: HttpRequest | None, signature: ConsentSignature) -> ConsentPdf:
    """The kept PDF of a signed consent: countersigned if it was printed so, else as the client signed.

    A signature with no kept PDF (signed before PDFs were kept, or printing failed then) is printed
    now from the text frozen at signing, kept, and served the same from then on.
    """
    if signature.signed_at is None:
        raise ConsentError("Only a signed consent can be downloaded.")
    signature = ConsentSignature.objects.select_for_update().get(pk=signature.pk)
    kept = {pdf.stage: pdf for pdf in ConsentPdf.objects.filter(signature=signature)}
    best = kept.get(ConsentPdf.Stage.COUNTERSIGNED) or kept.get(ConsentPdf.Stage.SIGNED)
    if best is not None and (
        signature.countersigned_at is None or best.stage == ConsentPdf.Stage.COUNTERSIGNED
    ):
        return best
    stage = ConsentPdf.Stage.COUNTERSIGNED if signature.countersigned_at else ConsentPdf.Stage.SIGNED
    printed = _archive(signature, stage, late=True)
    log_event(
        request,
        "pathway.consent.pdf_printed",
        obj=signature,
        practice=signature.practice,
        data={"stage": stage, "pdf_sha256": printed.sha256, "late": True},
    )
    return printed


# --- Status ------------------------------------------------------------------------------------


@dataclass
class ConsentStatus:
    kind: str
    document: ConsentDocument | None  # the current version
    signature: ConsentSignature | None  # the most relevant signature or request
    state: str  # current, needs_countersign, pending, outdated, declined, missing, no_document

    @property
    def label(self) -> str:
        return ConsentKind(self.kind).label

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def description(self) -> str:
        version = f"version {self.document.version}" if self.document else ""
        signature = self.signature
        return {
            "current": f"Signed and countersigned ({version})",
            "needs_countersign": f"Signed by the client ({version}), not countersigned yet",
            "pending": f"Signing link sent ({version}), not signed yet",
            "outdated": (
                f"Signed version {signature.document.version if signature else '?'}; "
                f"{version} is new, so the client must sign again"
            ),
            "declined": f"Declined by the client ({version})",
            "missing": f"Not signed ({version})",
            "no_document": "The practice has not published this consent yet",
        }[self.state]


def _status(
    kind: str, document: ConsentDocument | None, signatures: Sequence[ConsentSignature]
) -> ConsentStatus:
    if document is None:
        return ConsentStatus(kind, None, None, "no_document")
    of_current = [s for s in signatures if s.document_id == document.pk]
    for state, test in (
        ("current", lambda s: s.signed_at and s.countersigned_at),
        ("needs_countersign", lambda s: s.signed_at),
        ("declined", lambda s: s.declined_at),
        ("pending", lambda s: s.status == "pending"),
    ):
        match = next((s for s in of_current if test(s)), None)
        if match is not None:
            return ConsentStatus(kind, document, match, state)
    older = next((s for s in signatures if s.signed_at and s.document.kind == kind), None)
    if older is not None:
        return ConsentStatus(kind, document, older, "outdated")
    return ConsentStatus(kind, document, None, "missing")


def consent_status(episode: Episode) -> dict[str, ConsentStatus]:
    """Each kind's status: the treatment consent in this episode, the research consent for the client.

    Two queries, whatever the number of versions and signatures.
    """
    documents = current_documents(episode.practice)
    signatures = list(
        ConsentSignature.objects.filter(client=episode.client)
        .select_related("document", "countersigned_by")
        .order_by("-requested_at")
    )
    treatment = [
        s for s in signatures if s.document.kind == ConsentKind.TREATMENT and s.episode_id == episode.pk
    ]
    research = [s for s in signatures if s.document.kind == ConsentKind.RESEARCH]
    return {
        ConsentKind.TREATMENT: _status(
            ConsentKind.TREATMENT, documents.get(ConsentKind.TREATMENT), treatment
        ),
        ConsentKind.RESEARCH: _status(ConsentKind.RESEARCH, documents.get(ConsentKind.RESEARCH), research),
    }
