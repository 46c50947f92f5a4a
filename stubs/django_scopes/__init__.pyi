# Type information for django-scopes 2.x, which ships none: the part kapstone uses
# (``practice.tenancy``). ``ScopedManager`` returns an instance of a subclass of the manager class it
# is given, so to a type checker the scoped manager is that manager.
from contextlib import _GeneratorContextManager
from typing import Any, TypeVar, overload

from django.db import models

_M = TypeVar("_M", bound=models.Manager[Any])

version: str

class ScopeError(Exception): ...

@overload
def ScopedManager(**scopes: str) -> models.Manager[Any]: ...
@overload
def ScopedManager(_manager_class: type[_M], **scopes: str) -> _M: ...
def scope(**scope_kwargs: Any) -> _GeneratorContextManager[None]: ...
def scopes_disabled() -> _GeneratorContextManager[None]: ...
def get_scope() -> dict[str, Any]: ...
