"""`kapstone serve` runs gunicorn with the production settings: TLS-only cookies and HSTS, checks first."""

import http.client
import os
import subprocess
import sys
import time

from .demo.test_cli import free_port


def production_env(tmp_path, **extra):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_", "DATABASE_URL"))}
    return {
        **base,
        "KAPSTONE_SECRET_KEY": "p" * 64,
        "KAPSTONE_ALLOWED_HOSTS": "127.0.0.1,kap.example.org",
        "KAPSTONE_DATA_DIR": str(tmp_path),
        "KAPSTONE_WORKERS": "1",
        **extra,
    }


def request(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders())


def test_serve_runs_gunicorn_behind_a_tls_proxy(tmp_path):
    port = free_port()
    env = production_env(tmp_path, KAPSTONE_BIND=f"127.0.0.1:{port}", KAPSTONE_BEHIND_PROXY="true")
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        done = subprocess.run([sys.executable, "-m", "kapstone.cli", *command], env=env, timeout=180)
        assert done.returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "kapstone.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers = request(port, "/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.3)
        # Health checks answer over plain http; everything else is sent to https.
        assert status == 200
        status, headers = request(port, "/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers = request(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "max-age=63072000" in headers["Strict-Transport-Security"]
        assert "Secure" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
        assert "'nonce-" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_refuses_to_start_with_unsafe_settings(tmp_path):
    env = production_env(tmp_path, KAPSTONE_BIND=f"127.0.0.1:{free_port()}", KAPSTONE_ALLOWED_HOSTS="")
    result = subprocess.run(
        [sys.executable, "-m", "kapstone.cli", "serve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "kapstone.E003" in result.stderr
