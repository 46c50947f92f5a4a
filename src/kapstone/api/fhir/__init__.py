"""FHIR R4 out of kapstone: a client's record as FHIR resources (docs/fhir.md).

Each module maps one kind of record to the resource named after it, built with ``fhir.resources``'
R4B models so every resource is validated as it is made; ``sources`` lists what is exported and how
it is read; ``bundle`` gathers one client's resources (``GET /api/v1/fhir/Patient/{id}/$everything``,
``endpoint``), ``bulk`` writes a practice's as NDJSON (``kapstone export fhir``). Psychotherapy notes
(``kapstone.integration``) are never read here.
"""
