"""One demo build shared by the tests of a module (a build takes about 15 s); tests/demo/test_built_demo.py
holds every test that reads the built demo, so the demo is built once per test run.

A module declares::

    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker):
        with built_demo(django_db_blocker) as practice:
            yield practice

and its tests take ``demo`` (with ``db`` for their own queries). The build is committed, so every test
of the module sees it; when the module is done the database is flushed, as after a transactional
test, so no other module ever sees the demo.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command

from kapstone.demo.builder import DEMO_SLUG, build_demo
from kapstone.practice.models import Practice
from kapstone.practice.tenancy import scopes_disabled


@contextmanager
def built_demo(django_db_blocker) -> Iterator[Practice]:
    with django_db_blocker.unblock():
        with scopes_disabled():
            build_demo()
            practice = Practice.objects.get(slug=DEMO_SLUG)
        try:
            yield practice
        finally:
            call_command("flush", interactive=False, verbosity=0)
