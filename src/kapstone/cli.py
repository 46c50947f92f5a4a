"""The ``kapstone`` command: ``demo``, ``serve``, and every manage.py command.

kapstone demo [--port 8000] [--data-dir DIR]   build (or reuse) the demo practice and serve it
kapstone serve [gunicorn options]               production server on the configured database
kapstone export fhir|research ...               a practice's data out (docs/fhir.md, docs/research.md)
kapstone <command> ...                          any manage.py command (migrate, audit verify, ...)

``kapstone demo-worker --parent PID`` is the demo's background worker, started by ``demo`` itself.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

# How often the demo's worker checks that the server that started it is still there.
PARENT_POLL_SECONDS = 1.0


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapstone.settings")
    # Deferred: Django reads DJANGO_SETTINGS_MODULE when it loads, so it is set first.
    import django

    django.setup()


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapstone.settings")
    from django.core.management import execute_from_command_line  # deferred: after the settings are set

    execute_from_command_line(["kapstone", *argv])


def _gunicorn(bind: str, extra: list[str]) -> None:
    """Replace this process with gunicorn serving kapstone.wsgi (which runs the system checks)."""
    args = [sys.executable, "-m", "gunicorn", "kapstone.wsgi:application", "--bind", bind, *extra]
    os.execv(sys.executable, args)  # noqa: S606 - our own interpreter, fixed arguments


def demo(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="kapstone demo", description="Serve a synthetic demo practice.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", default="var/demo", help="where the demo database lives (reused)")
    parser.add_argument("--no-serve", action="store_true", help="build the demo data, print logins, exit")
    options = parser.parse_args(argv)

    data_dir = Path(options.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret_file = data_dir / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(64))
        secret_file.chmod(0o600)
    # The demo sets everything it needs itself; nothing here reaches the network.
    os.environ.update(
        {
            "KAPSTONE_ENVIRONMENT": "demo",
            "KAPSTONE_DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'kapstone.sqlite3'}",
            "KAPSTONE_SECRET_KEY_FILE": str(secret_file),
            "KAPSTONE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "KAPSTONE_HTTPS": "false",
            "KAPSTONE_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "KAPSTONE_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "KAPSTONE_SITE_URL": f"http://127.0.0.1:{options.port}",
        }
    )
    os.environ.pop("KAPSTONE_SECRET_KEY", None)
    _django_setup()
    from django.core.management import call_command  # deferred: Django loads after the settings are set

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # Deferred: the demo builder imports every app's models, which need django.setup() above.
    from kapstone.demo.builder import build_demo, print_logins

    created = build_demo()
    print("Built the demo practice." if created else f"Reusing the demo practice in {data_dir}.")
    url = f"http://127.0.0.1:{options.port}"
    print_logins(url)
    if options.no_serve:
        return
    sys.stdout.flush()
    # Background tasks (alert notices and escalations, emails) run in a worker beside the web server.
    # Ctrl+C reaches both through the terminal's process group; a SIGTERM or a crash reaches only the
    # server, so the worker watches this process (gunicorn after the exec keeps its pid) and stops
    # when it is gone.
    server_pid = os.getpid()
    worker = [sys.executable, "-m", "kapstone.cli", "demo-worker", "--parent", str(server_pid)]
    subprocess.Popen(worker)  # noqa: S603 - our own interpreter, fixed arguments
    _gunicorn(f"127.0.0.1:{options.port}", ["--workers", "2", "--access-logfile", "-"])


def demo_worker(argv: list[str]) -> None:
    """The demo's task worker (django-tasks-db's ``db_worker``), which stops once its server is gone."""
    parser = argparse.ArgumentParser(prog="kapstone demo-worker", description="The demo's task worker.")
    parser.add_argument("--parent", type=int, required=True, help="the server's pid; stop when it exits")
    options = parser.parse_args(argv)
    watcher = threading.Thread(target=_stop_when_orphaned, args=(options.parent,), daemon=True)
    watcher.start()
    _manage(["db_worker", "--no-startup-delay", "-v0"])


def _stop_when_orphaned(parent: int) -> None:
    """SIGTERM this process once ``parent`` is no longer its parent (it exited, or was killed: the
    orphan is then adopted by init or a subreaper). ``db_worker`` ends its current task, then exits."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def serve(argv: list[str]) -> None:
    """Production: gunicorn on $KAPSTONE_BIND (default 127.0.0.1:8000, behind a reverse proxy)."""
    bind = os.environ.get("KAPSTONE_BIND", "127.0.0.1:8000")
    workers = os.environ.get("KAPSTONE_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    _django_setup()
    from django.core.management import call_command  # deferred: Django loads after the settings are set

    call_command("check", fail_level="ERROR")
    _gunicorn(bind, ["--workers", workers, *argv])


# ``kapstone export <kind>`` is one verb over the exports of several apps, which may not import each
# other: each kind runs its own app's command. ``export fhir`` is the API app's ``export`` command.
EXPORT_COMMANDS = {"research": ["research", "export"]}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"] and len(argv) > 1 and argv[1] in EXPORT_COMMANDS:
        argv = EXPORT_COMMANDS[argv[1]] + argv[2:]
    command = argv[0] if argv else "help"
    if command == "demo":
        demo(argv[1:])
    elif command == "serve":
        serve(argv[1:])
    elif command == "demo-worker":
        demo_worker(argv[1:])
    else:
        _manage(argv)


if __name__ == "__main__":
    main()
