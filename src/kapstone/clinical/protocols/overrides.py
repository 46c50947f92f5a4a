"""Practice overrides: a copy of a protocol with some settings changed, within their bounds.

The changed protocol is checked again with every load-time relation (``checks.py``), so an override can
never make a protocol inconsistent (a critical threshold inside a warning one, a check that can never be
overdue, ...). Its ``version_label`` names the change set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from kapstone.clinical.protocols.checks import inconsistencies
from kapstone.clinical.protocols.model import Override, Protocol
from kapstone.clinical.protocols.parse import bundled
from kapstone.clinical.tables import WHOLE_UNITS, Param


def _replace_path(obj: Any, parts: list[str], new: Param) -> Any:
    head, rest = parts[0], parts[1:]
    if not rest:
        return replace(obj, **{head: new})
    value = getattr(obj, head)
    if isinstance(value, tuple):
        item_id, rest = rest[0], rest[1:]
        return replace(
            obj, **{head: tuple(_replace_path(x, rest, new) if x.id == item_id else x for x in value)}
        )
    return replace(obj, **{head: _replace_path(value, rest, new)})


def _decimal(raw: Any, path: str) -> Decimal:
    if isinstance(raw, bool | float) or not isinstance(raw, int | str | Decimal):
        raise TypeError(f"{path}: give the value as int, str or Decimal, not {type(raw).__name__}")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{path}: {raw!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{path}: {raw!r} is not a finite number")
    return value


def apply_overrides(protocol: Protocol, overrides: Mapping[str, Any], *, label: str = "practice") -> Protocol:
    """Return a copy of ``protocol`` with settings changed by a practice.

    ``overrides`` maps a setting path (see :meth:`Protocol.params`) to its new value (int, str or
    Decimal). A value outside the setting's bounds, a fraction where the unit is whole, or a result
    that breaks a relation between settings raises ``ValueError`` saying which bound. Overrides stack:
    applying more to an overridden protocol keeps the file's values in ``Protocol.overrides``, and
    setting a value back to the file's value removes that override. ``version_label`` becomes
    ``<id>@<version>+<label>.<8 hex digits of the override set>``, so equal override sets share a label
    and any change gives a new one. The overridden setting's sources become ``("practice",)``.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", label):
        raise ValueError(f"override label {label!r}: use lower-case letters, digits and hyphens")
    params = protocol.params()
    records = {o.path: o for o in protocol.overrides}
    changed = protocol
    for path, raw in overrides.items():
        if path not in params:
            raise ValueError(f"{protocol.id}: {path!r} is not an adjustable setting")
        current = params[path]
        value = _decimal(raw, path)
        low, high = current.bounds
        if not low <= value <= high:
            raise ValueError(
                f"{protocol.id}: {path} = {value} {current.unit} is outside the protocol's bounds "
                f"{low}-{high} {current.unit}"
            )
        if current.unit in WHOLE_UNITS and value != value.to_integral_value():
            raise ValueError(f"{protocol.id}: {path} = {value} {current.unit} must be a whole number")
        original = records[path].old if path in records else current.value
        if value == original:
            records.pop(path, None)
            new = _file_param(protocol, path) or replace(current, value=value)
        else:
            records[path] = Override(path, original, value)
            note = f"Practice override; protocol default {original} {current.unit}"
            new = replace(current, value=value, sources=("practice",), unconfirmed=False, note=note)
        changed = _replace_path(changed, path.split("."), new)
    problems = inconsistencies(changed)
    if problems:
        raise ValueError(
            f"{protocol.id}: these overrides make the protocol inconsistent: " + "; ".join(problems)
        )
    ordered = tuple(sorted(records.values()))
    digest = hashlib.sha256(
        ";".join(f"{o.path}={o.new.normalize():f}" for o in ordered).encode()
    ).hexdigest()[:8]
    return replace(changed, overrides=ordered, override_label=f"{label}.{digest}" if ordered else "")


def _file_param(protocol: Protocol, path: str) -> Param | None:
    base = bundled().get(protocol.id)
    return base.params().get(path) if base is not None and base.version == protocol.version else None
