import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapstone.settings")

application = get_wsgi_application()

# Refuse to serve with an unsafe configuration (see kapstone.checks).
from django.core.checks import ERROR, run_checks  # noqa: E402
from django.core.management.base import SystemCheckError  # noqa: E402

if errors := [message for message in run_checks() if message.level >= ERROR]:
    raise SystemCheckError("kapstone refuses to start:\n" + "\n".join(str(e) for e in errors))
