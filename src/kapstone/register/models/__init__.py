"""The controlled-substance register: where stock is kept, what it is, and every movement of it.

Which federal rule each field serves is in ``docs/register.md``. Quantities are kept in the
product's own measure (mL for a solution, units for lozenges, tablets and nasal devices) with three
decimals; milligrams follow from the product's strength.

:class:`Entry` rows are append-only and hash-chained, one chain per practice, exactly like the audit
trail: appending locks only that practice's :class:`RegisterChain` row. Balances live on
:class:`Container` and :class:`Stock` (per product and location) and carry check constraints, so no
code path, however it is reached, can store a negative balance.
"""

from kapstone.audit.chain import GENESIS_HASH

from .base import (
    PLACES,
    QUANTITY,
    AppendOnlyError,
    AppendOnlyModel,
    quantize,
    validate_dea_number,
    validate_ndc,
    validate_retention,
)
from .counts import (
    Count,
    CountLine,
    Discrepancy,
    LossReport,
    RegisterHandler,
    RegisterSettings,
    ReportingTask,
)
from .entries import CORRECTABLE, DISPOSALS, OUTGOING, Entry, EntryKind, RegisterChain
from .stock import (
    CODE_PREFIX,
    CONTAINER_OF_FORM,
    DRAWABLE,
    MEASURE_OF_FORM,
    ON_HAND,
    Container,
    ContainerKind,
    ContainerState,
    FinishedForm,
    Location,
    Measure,
    Product,
    Receipt,
    Stock,
    StoragePlace,
    Substance,
    format_amount,
)

__all__ = [
    "CODE_PREFIX",
    "CONTAINER_OF_FORM",
    "CORRECTABLE",
    "DISPOSALS",
    "DRAWABLE",
    "GENESIS_HASH",
    "MEASURE_OF_FORM",
    "ON_HAND",
    "OUTGOING",
    "PLACES",
    "QUANTITY",
    "AppendOnlyError",
    "AppendOnlyModel",
    "Container",
    "ContainerKind",
    "ContainerState",
    "Count",
    "CountLine",
    "Discrepancy",
    "Entry",
    "EntryKind",
    "FinishedForm",
    "Location",
    "LossReport",
    "Measure",
    "Product",
    "Receipt",
    "RegisterChain",
    "RegisterHandler",
    "RegisterSettings",
    "ReportingTask",
    "Stock",
    "StoragePlace",
    "Substance",
    "format_amount",
    "quantize",
    "validate_dea_number",
    "validate_ndc",
    "validate_retention",
]
