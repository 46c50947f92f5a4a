"""The clinical core of kapstone: pure Python, no Django.

Instrument scoring, reliable change, the eligibility rule engine, protocols and dose arithmetic live
here, with their numbers in versioned reference data files under ``data/``. Nothing in this package
may import Django (``tests/clinical/test_purity.py`` enforces it).
"""

from kapstone.clinical.eligibility import evaluate_eligibility
from kapstone.clinical.instruments import all_instruments, get_instrument
from kapstone.clinical.outcomes import reliable_change
from kapstone.clinical.scoring import score

__all__ = ["all_instruments", "evaluate_eligibility", "get_instrument", "reliable_change", "score"]
