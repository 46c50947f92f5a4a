"""A signed consent as a FHIR ``Consent``: what the client signed (title and text as an attachment),
when, of which kind (treatment or research), active from the signature on.

Only signed consents are exported; requests, declined and replaced ones stay in kapstone. The text is
the copy frozen at signing (``ConsentSignature.signed_text``), not the practice's current document.
"""

import base64
from typing import Any

from fhir.resources.R4B.consent import Consent

from kapstone.pathway.models import ConsentSignature

from . import codes
from .references import patient_of


def consent(signature: ConsentSignature) -> Consent:
    kind = signature.document.kind
    data: dict[str, Any] = {
        "resourceType": "Consent",
        "id": str(signature.pk),
        "status": "active",
        "scope": codes.CONSENT_SCOPES[kind].concept(),
        "category": [codes.Code(codes.CONSENT_KIND, kind, signature.document.get_kind_display()).concept()],
        "patient": patient_of(signature.client_id),
        "dateTime": signature.signed_at,
        "performer": [patient_of(signature.client_id)],
        "sourceAttachment": {
            "contentType": "text/plain; charset=utf-8",
            "data": base64.b64encode(signature.signed_text.encode()).decode(),
            "title": f"{signature.signed_title} (version {signature.document.version})",
            "creation": signature.signed_at,
        },
        # A signature names the practice's own document version, which is the policy agreed to.
        "policy": [{"uri": f"urn:uuid:{signature.document_id}"}],
        "provision": {"type": "permit", "period": {"start": signature.signed_at}},
    }
    return Consent.model_validate(data)
