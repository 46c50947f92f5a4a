"""Browser tests: Playwright drives Debian's Chromium against a live server and a real database."""

import os

import pytest
from django.urls import reverse

from ..conftest import build_world
from ..factories import PASSWORD

# The Playwright sync API runs an event loop in the test thread; the ORM calls in test bodies are
# still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def live_world(transactional_db):
    return build_world()


@pytest.fixture
def sign_in(page, live_server):
    def sign_in(user, password=PASSWORD):
        page.goto(live_server.url + reverse("accounts:login"))
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in
