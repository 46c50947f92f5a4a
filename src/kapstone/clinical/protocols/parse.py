"""Reading protocol files: TOML into the dataclasses of ``model.py``, field by field, then the relations.

The reader is driven by the dataclasses' type hints and field metadata, so the file format and the
model cannot drift apart; an unknown key (a typo) is an error, not a silently ignored line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast, get_args, get_origin, get_type_hints

from kapstone.clinical.protocols.checks import inconsistencies
from kapstone.clinical.protocols.model import DOSE_BASES, Protocol
from kapstone.clinical.tables import Param, ProtocolError, Table, reject_unknown
from kapstone.clinical.vitals import vital_ranges


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _build(cls: type, t: Table, ctx: Mapping[str, Any], extra: tuple[str, ...] = ()) -> Any:
    """Read table ``t`` into dataclass ``cls``, field by field, guided by type hints and metadata."""
    wanted = [f for f in fields(cls) if not f.metadata.get("skip")]
    reject_unknown(t, [f.name for f in wanted] + list(extra))
    values = {}
    for f in wanted:
        if f.name in t.data:
            values[f.name] = _read(_hints(cls)[f.name], t, f.name, f.metadata, ctx)
        elif f.default is MISSING:
            raise t.fail(f.name, "missing")
    return cls(**values)


def _read(hint: Any, t: Table, key: str, meta: Mapping[str, Any], ctx: Mapping[str, Any]) -> Any:
    args = get_args(hint)
    if type(None) in args:  # "X | None": present, so read as X
        hint = next(a for a in args if a is not type(None))
        args = get_args(hint)
    choices = ctx["vitals"] if meta.get("choices") == "vitals" else meta.get("choices")
    if hint is Param:
        unit = meta["unit"]
        if unit == "dose":
            unit = ctx["dose_unit"]
        elif unit == "parameter":
            unit = ctx["vitals"][t.data["parameter"]].unit
        return t.param(key, unit)
    if is_dataclass(hint):
        return _build(cast(type, hint), t.sub(key), ctx)
    if get_origin(hint) is tuple:
        if is_dataclass(args[0]):
            return tuple(_build(cast(type, args[0]), sub, ctx) for sub in t.subs(key))
        if args[0] is Decimal:
            return t.numbers(key)
        if key == "sources":
            return t.sources(key)
        items = t.strings(key)
        for item in items:
            if choices is not None and item not in choices:
                raise t.fail(key, f"{item!r} is not one of {', '.join(choices)}")
        return items
    if hint == int | str:
        value = t.get(key, (int, str))
        if isinstance(value, str) and value not in meta["symbols"]:
            raise t.fail(key, f"{value!r} is not minutes or one of {', '.join(meta['symbols'])}")
        if isinstance(value, int) and value < 0:
            raise t.fail(key, "must not be negative")
        return value
    if hint is str:
        return t.choice(key, choices) if choices is not None else t.get(key, str)
    if hint in (bool, int):
        return t.get(key, hint)
    raise TypeError(f"no reader for {hint!r}")  # a programming error in the dataclasses above


def parse(raw: Mapping[str, Any], file: str) -> Protocol:
    top = Table(raw, file)
    top.schema()
    if not re.fullmatch(r"[a-z][a-z0-9_]*", top.get("id", str)):
        raise top.fail("id", "use lower-case letters, digits and underscores")
    basis = top.sub("dose").choice("basis", DOSE_BASES)
    ctx = {"vitals": vital_ranges(), "dose_unit": "mg/kg" if basis == "mg_per_kg" else "mg"}
    protocol: Protocol = _build(Protocol, top, ctx, extra=("schema",))
    problems = inconsistencies(protocol)
    if problems:
        raise ProtocolError(f"{file}: " + "; ".join(problems))
    return protocol


def _data_dir() -> Path:
    return Path(str(resources.files("kapstone.clinical"))) / "data"


def load_protocol(path: str | Path) -> Protocol:
    """Load and validate one protocol file (e.g. a practice's own); raises :class:`ProtocolError`."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{path.name}: not valid TOML: {exc}") from exc
    protocol = parse(raw, path.name)
    if path.stem != protocol.id:
        raise ProtocolError(f"{path.name}: id {protocol.id!r} must match the file name")
    return protocol


@cache
def bundled() -> dict[str, Protocol]:
    return {p.id: p for p in map(load_protocol, sorted((_data_dir() / "protocols").glob("*.toml")))}


def all_protocols() -> tuple[Protocol, ...]:
    """The bundled protocols, ordered by id."""
    return tuple(bundled().values())


def get_protocol(protocol_id: str) -> Protocol:
    try:
        return bundled()[protocol_id]
    except KeyError:
        raise KeyError(f"unknown protocol {protocol_id!r}; known: {', '.join(bundled())}") from None
