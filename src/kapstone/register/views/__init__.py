"""The register's staff pages: the ledger (stock, movements, counts, reports) and its setup."""

from django.http import QueryDict

from kapstone.accounts.requests import StaffRequest


def posted(request: StaffRequest) -> QueryDict | None:
    """The submitted data of a POST, None for a GET (so a form is bound only when something was sent)."""
    return request.POST if request.method == "POST" else None
