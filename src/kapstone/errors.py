"""Error pages in the staff layout, so a 403 or 404 still leaves the user somewhere to go."""

from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)
