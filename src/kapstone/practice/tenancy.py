"""Tenancy in the ORM: the one helper every clinical model uses to scope its queries by practice.

A clinical model inherits :class:`PracticeScopedModel`. Its default manager refuses to run a query
unless a practice scope is active (``django_scopes.ScopeError``), and inside a scope it only ever sees
that practice's rows. ``StaffAccessMiddleware`` opens the scope of the signed-in member's practice
for each request; commands and tests open one with :func:`practice_scope` or ``scopes_disabled()``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled

from .models import Practice

__all__ = ["PracticeScopedModel", "practice_scope", "scopes_disabled"]


class PracticeScopedModel(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(practice="practice")

    class Meta:
        abstract = True


@contextmanager
def practice_scope(practice: Practice | None) -> Iterator[None]:
    """Scope queries to one practice. ``None`` means no practice: every scoped query is empty."""
    with scope(practice=practice if practice is not None else []):
        yield
