"""The member's own API tokens, on "My account": make one (shown once), see them, revoke one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import tokens
from .forms import TokenForm


@never_cache
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = tokens.create_token(
            request,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )
        # Rendered, not redirected: the token exists only in this response and is never stored.
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    context = {"form": form, "tokens": tokens.tokens_of(request.membership), "now": timezone.now()}
    return render(request, "api/tokens.html", context)


@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(tokens.tokens_of(request.membership), pk=token_id)
    tokens.revoke_token(request, token)
    messages.success(request, f"Revoked the token “{token.name}”. It no longer works.")
    return redirect("api_tokens:list")
