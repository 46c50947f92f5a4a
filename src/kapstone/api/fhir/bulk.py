"""A practice's resources as FHIR Bulk Data NDJSON: one ``<Type>.ndjson`` file per resource type, one
resource per line (``application/fhir+ndjson``), streamed record by record so memory stays flat.

References are relative (``Patient/…``) and resolve across the files. Call inside the practice's
scope; the caller audits the export (``kapstone export fhir``).
"""

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.db.models import QuerySet

from kapstone.clients.models import Client

from .sources import CHUNK, RESOURCE_TYPES, SOURCES

# Called after each record with (records done, records in all).
Progress = Callable[[int, int], None]


def export(clients: QuerySet[Client], out: Path, progress: Progress | None = None) -> Counter[str]:
    """Write the NDJSON files of ``clients`` into the folder ``out`` (made if missing); how many
    resources of each type. Every type gets its file, empty when there is nothing of it."""
    out.mkdir(parents=True, exist_ok=True)
    total = sum(source.rows(clients).count() for source in SOURCES) if progress else 0
    counts: Counter[str] = Counter()
    files: dict[str, IO[str]] = {}
    done = 0
    try:
        for resource_type in RESOURCE_TYPES:
            files[resource_type] = (out / f"{resource_type}.ndjson").open("w", encoding="utf-8")
        for source in SOURCES:
            file = files[source.resource_type]
            for row in source.rows(clients).iterator(chunk_size=CHUNK):
                for resource in source.build(row):
                    file.write(resource.model_dump_json())
                    file.write("\n")
                    counts[source.resource_type] += 1
                done += 1
                if progress:
                    progress(done, total)
    finally:
        for file in files.values():
            file.close()
    return counts
