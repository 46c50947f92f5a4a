"""Every audit action code with the words an admin reads on the audit page.

Codes are ``<app>.<object>.<verb>``, globally unique and never reused for another meaning. Each app
declares its own in ``<app>/audit_actions.py`` (a dict ``ACTIONS``); :func:`kapstone.audit.log_event`
refuses a code no app declares, so a typo fails a test instead of writing an event nobody can find.
"""

import importlib
import importlib.util
from functools import cache

from django.apps import apps


@cache
def all_actions() -> dict[str, str]:
    actions: dict[str, str] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.audit_actions"
        if not config.name.startswith("kapstone.") or importlib.util.find_spec(module_name) is None:
            continue
        for code, text in importlib.import_module(module_name).ACTIONS.items():
            if code in actions:
                raise ValueError(f"Audit action {code!r} is declared twice.")
            actions[code] = text
    return actions


def label(action: str) -> str:
    return all_actions().get(action, action)
