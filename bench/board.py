"""Benchmark: the live board's polled refresh under load, as a ratio to a trivial view (see README)."""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(data_dir: Path) -> dict:
    (data_dir / "static").mkdir()  # the API under test serves no static files; keep WhiteNoise quiet
    env = {
        "KAPSTONE_ENVIRONMENT": "development",
        "KAPSTONE_SECRET_KEY": "bench-" + "k" * 60,
        "KAPSTONE_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "KAPSTONE_HTTPS": "false",
        "KAPSTONE_REQUIRE_2FA": "false",
        "KAPSTONE_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
        "KAPSTONE_TASK_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "KAPSTONE_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "KAPSTONE_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "kapstone.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def build_floor(sessions: int):
    """A practice with ``sessions`` medicine sessions in progress today; returns (monitor, practice)."""
    from django.utils import timezone

    from kapstone.practice.tenancy import scopes_disabled
    from tests.factories import make_client, make_member, make_practice
    from tests.sessions.builders import dose, make_session, vitals

    with scopes_disabled():
        practice = make_practice(name=f"Bench {sessions}")
        prescriber, monitor = make_member(practice, "prescriber"), make_member(practice, "monitor")
        now = timezone.now()
        for index in range(sessions):
            client = make_client(practice, care_team=[prescriber, monitor], episode_state="treatment")
            session = make_session(client, room=f"Chair {index + 1}", opened_at=now - timedelta(minutes=50))
            given = now - timedelta(minutes=40 - index % 30)
            dose(session, prescriber, monitor, at=given)
            vitals(session, monitor, at=given + timedelta(minutes=5))
    return monitor, practice


def queries_per_refresh(monitor) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(monitor.user)
    client.get(reverse("sessions:board_cards"))  # warm caches (protocols, templates)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("sessions:board_cards"), HTTP_X_KAPSTONE_BACKGROUND="1")
    assert response.status_code == 200, response.status_code
    return len(captured)


def session_cookie(monitor) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(monitor.user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port: int, path: str, headers: dict, seconds: float, concurrency: int, max_requests: int = 200_000):
    """Requests per second from ``concurrency`` keep-alive clients for ``seconds`` (bounded)."""
    deadline = time.monotonic() + seconds
    counts, errors, lock = [0], [0], threading.Lock()

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline and counts[0] < max_requests:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with lock:
                counts[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0] / (time.monotonic() - started), errors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sessions", type=int, default=30)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = configure(Path(tmp))
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        small, _ = build_floor(3)
        monitor, _ = build_floor(options.sessions)
        queries = {"3": queries_per_refresh(small), str(options.sessions): queries_per_refresh(monitor)}
        cookie = session_cookie(monitor)

        port = free_port()
        server_env = {**os.environ, **env, "KAPSTONE_BIND": f"127.0.0.1:{port}", "KAPSTONE_WORKERS": "2"}
        server = subprocess.Popen(
            [sys.executable, "-m", "kapstone.cli", "serve", "--log-level", "warning"],
            env=server_env,
            cwd=ROOT,
        )
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            baseline, baseline_errors = load(port, "/healthz", {}, options.seconds, options.concurrency)
            board, board_errors = load(
                port,
                "/sessions/board/cards/",
                {"Cookie": cookie, "X-Kapstone-Background": "1"},
                options.seconds,
                options.concurrency,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

    result = {
        "sessions": options.sessions,
        "concurrency": options.concurrency,
        "seconds": options.seconds,
        "baseline_rps": round(baseline, 1),
        "board_rps": round(board, 1),
        "ratio_board_to_baseline": round(board / baseline, 3) if baseline else None,
        "errors": {"baseline": baseline_errors, "board": board_errors},
        "queries_per_refresh": queries,
        "queries_constant": len(set(queries.values())) == 1,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"board-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(result, indent=2))
    return 0 if result["queries_constant"] else 1


if __name__ == "__main__":
    sys.exit(main())
