"""Nothing under kapstone/clinical imports Django: the core stays pure and usable on its own."""

import ast
import subprocess
import sys
from pathlib import Path

import kapstone

CLINICAL = Path(kapstone.__file__).parent / "clinical"


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_module_under_clinical_imports_django():
    offenders = {
        f"{path.relative_to(CLINICAL)}: {name}"
        for path in CLINICAL.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"django", "django_scopes", "django_otp", "axes"}
        or (name.startswith("kapstone.") and not name.startswith("kapstone.clinical"))
    }
    assert offenders == set()


def test_the_clinical_package_imports_with_django_unavailable():
    script = (
        "import sys; sys.modules['django'] = None;"  # any import of django now raises ImportError
        "import importlib, pkgutil, kapstone.clinical as c;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(c.__path__, 'kapstone.clinical.')]"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
