"""The clinical core of kapstone: pure Python, no Django.

Instrument scoring, reliable change, the eligibility rule engine, protocols and dose arithmetic live
here, with their numbers in versioned reference data files under ``data/``. Nothing in this package
may import Django (``tests/clinical/test_purity.py`` enforces it).
"""
