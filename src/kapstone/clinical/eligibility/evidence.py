"""The evidence library: the sources that rules, instruments and protocols cite."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._files import EligibilityDataError, check_keys, data_file, read_toml, table_list, text

KINDS = ("label", "guideline", "study", "review", "consensus", "regulation", "service")
ACCESS = ("primary", "secondary", "unverified")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_OPTIONAL = ("tag", "year", "doi", "urls", "note")


@dataclass(frozen=True)
class Evidence:
    """One cited source. ``access`` says how the source was read (see the header of evidence.toml)."""

    id: str
    short: str
    citation: str
    kind: str
    access: str
    year: int | None = None
    tag: str | None = None
    doi: str | None = None
    urls: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "short": self.short,
            "citation": self.citation,
            "kind": self.kind,
            "access": self.access,
            "year": self.year,
            "tag": self.tag,
            "doi": self.doi,
            "urls": list(self.urls),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "evidence") -> Evidence:
        entry = dict(data)
        # Stored copies carry explicit nulls for absent optional fields.
        for key in ("year", "tag", "doi"):
            if entry.get(key) is None:
                entry.pop(key, None)
        if not entry.get("note"):
            entry.pop("note", None)
        return parse_evidence(entry, where)


def parse_evidence(entry: object, where: str) -> Evidence:
    table = check_keys(
        entry, where, required=("id", "short", "citation", "kind", "access"), optional=_OPTIONAL
    )
    source_id = text(table, "id", where)
    if not _ID.match(source_id):
        raise EligibilityDataError(f"{where}: id {source_id!r} must be lower-case letters, digits and '-'")
    where = f"{where} {source_id!r}"
    kind = text(table, "kind", where)
    if kind not in KINDS:
        raise EligibilityDataError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    access = text(table, "access", where)
    if access not in ACCESS:
        raise EligibilityDataError(f"{where}: access {access!r} is not one of {', '.join(ACCESS)}")
    year = table.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1800 <= year <= 2100):
        raise EligibilityDataError(f"{where}: year must be a four-digit whole number")
    urls = table.get("urls", [])
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.strip() for u in urls):
        raise EligibilityDataError(f"{where}: urls must be a list of non-empty strings")
    return Evidence(
        id=source_id,
        short=text(table, "short", where),
        citation=text(table, "citation", where),
        kind=kind,
        access=access,
        year=year,
        tag=text(table, "tag", where) if "tag" in table else None,
        doi=text(table, "doi", where) if "doi" in table else None,
        urls=tuple(u.strip() for u in urls),
        note=text(table, "note", where, default=""),
    )


@dataclass(frozen=True)
class EvidenceLibrary:
    """All known sources, by id."""

    version: str
    sources: Mapping[str, Evidence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    def __contains__(self, source_id: object) -> bool:
        return source_id in self.sources

    def __getitem__(self, source_id: str) -> Evidence:
        return self.sources[source_id]

    def __iter__(self) -> Iterator[Evidence]:
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)

    def with_sources(self, extra: Iterable[Evidence], where: str) -> EvidenceLibrary:
        """This library plus a practice's own sources; an id may not be redefined."""
        sources = dict(self.sources)
        for source in extra:
            if source.id in sources:
                raise EligibilityDataError(
                    f"{where}: source {source.id!r} already exists in the evidence library"
                )
            sources[source.id] = source
        return EvidenceLibrary(version=self.version, sources=sources)


def parse_evidence_library(data: Mapping[str, Any], where: str) -> EvidenceLibrary:
    check_keys(data, where, required=("library",), optional=("source",))
    library = check_keys(data["library"], f"{where} [library]", required=("version",))
    sources: dict[str, Evidence] = {}
    for index, entry in enumerate(table_list(data, "source", where), start=1):
        source = parse_evidence(entry, f"{where}: source #{index}")
        if source.id in sources:
            raise EligibilityDataError(f"{where}: source {source.id!r} is defined twice")
        sources[source.id] = source
    return EvidenceLibrary(version=text(library, "version", where), sources=sources)


def load_evidence(path: str | os.PathLike[str] | None = None) -> EvidenceLibrary:
    """Load the evidence library: kapstone's own (``data/evidence.toml``) unless a path is given."""
    if path is None:
        return _bundled_evidence()
    data, where = read_toml(path)
    return parse_evidence_library(data, where)


@functools.cache
def _bundled_evidence() -> EvidenceLibrary:
    data, where = read_toml(data_file("evidence.toml"))
    return parse_evidence_library(data, where)
