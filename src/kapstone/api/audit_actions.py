"""Audit action codes of the open API and the words an admin reads for them.

Every read or change through the API writes one of these, with ``{"via": "api", "token": <id>}`` in
its data, so the audit page tells API use from page use and names the token.
"""

ACTIONS = {
    "api.token.created": "Created a personal API token",
    "api.token.revoked": "Revoked a personal API token",
    "api.clients.viewed": "Viewed the client list through the API",
    "api.client.viewed": "Viewed a client's details through the API",
    "api.episodes.viewed": "Viewed a client's episodes of care through the API",
    "api.appointments.viewed": "Viewed a client's appointments through the API",
    "api.responses.viewed": "Viewed a client's questionnaire responses through the API",
    "api.sessions.viewed": "Viewed a client's medicine sessions through the API",
    "api.alerts.viewed": "Viewed safety alerts through the API",
    "api.alert.acknowledged": "Acknowledged a safety alert through the API",
    "api.register.containers.viewed": "Viewed the controlled-substance containers through the API",
    "api.register.entries.viewed": "Viewed a container's register entries through the API",
    "api.fhir.everything.viewed": "Exported a client's record as a FHIR Bundle through the API",
    "api.fhir.bulk.exported": "Exported the practice's records as FHIR NDJSON files (kapstone export fhir)",
}
