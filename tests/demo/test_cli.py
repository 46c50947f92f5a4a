"""`kapstone demo` builds the synthetic practice once, reuses it, and serves it on 127.0.0.1."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env():
    return {k: v for k, v in os.environ.items() if not k.startswith(("KAPSTONE_", "DJANGO_", "DATABASE_URL"))}


def run_demo(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "kapstone.cli", "demo", *args],
        env=demo_env(),
        capture_output=True,
        text=True,
        timeout=180,
        **kwargs,
    )


def count_rows(data_dir, table):
    with sqlite3.connect(data_dir / "kapstone.sqlite3") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """One `kapstone demo --no-serve` for the module: the data directory and what it printed."""
    data_dir = tmp_path_factory.mktemp("demo")
    first = run_demo("--data-dir", str(data_dir), "--no-serve")
    assert first.returncode == 0, first.stderr
    return data_dir, first.stdout


def test_the_demo_is_built_once_then_reused_and_prints_a_login_per_role(built):
    data_dir, printed = built
    assert "Built the demo practice." in printed
    for role in ("Admin", "Prescriber", "Therapist", "Monitor", "Front desk"):
        assert role in printed
    assert "admin@demo.kapstone.test" in printed
    second = run_demo("--data-dir", str(data_dir), "--no-serve")
    assert "Reusing the demo practice" in second.stdout
    assert count_rows(data_dir, "clients_client") == 35
    assert count_rows(data_dir, "practice_practice") == 1


def test_the_demo_serves_on_localhost(built):
    data_dir, _ = built
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kapstone.cli", "demo", "--data-dir", str(data_dir), "--port", str(port)],
        env=demo_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo did not answer in time"
                time.sleep(0.5)
        assert "Sign in" in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The pids of a process's children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent (in a container, pid 1 may never reap it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return " Z " not in f"{state} " and "zombie" not in state


def wait_until(condition, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux /proc")
def test_the_background_worker_stops_when_the_server_is_terminated(built):
    data_dir, _ = built
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kapstone.cli", "demo", "--data-dir", str(data_dir), "--port", str(port)],
        env=demo_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: list[int] = []

        def worker_started() -> bool:
            assert server.poll() is None, "the demo exited before starting its worker"
            workers[:] = [pid for pid in children(server.pid) if "demo-worker" in command_line(pid)]
            return bool(workers)

        wait_until(worker_started, 120, "the demo started no background worker")
        (worker,) = workers
        server.send_signal(signal.SIGTERM)  # not Ctrl+C: the signal reaches the server alone
        server.wait(timeout=60)
        wait_until(lambda: not is_running(worker), 60, f"the worker {worker} outlived the server")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)
