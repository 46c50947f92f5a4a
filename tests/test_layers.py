"""The import graph of ``src/kapstone`` keeps the layers of ``docs/architecture-notes.md``, and has no loop.

The graph is read with ``ast`` from every module (migrations aside), imports inside functions
included, relative imports resolved; a module that calls ``import_module`` also depends on every
``kapstone.*`` module it names in a string (the client chart's sections). Imports under
``if TYPE_CHECKING:`` never run and name a type only; they are left out. Each module belongs to the
room with the longest matching prefix. A room may import rooms on lower floors only; rooms on one
floor are independent of each other.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import kapstone

PACKAGE = Path(kapstone.__file__).parent

# Lowest floor first; each floor is {room: module prefixes}. Keep in step with
# docs/architecture-notes.md ("Layers"), which says why each room sits where it does.
FLOORS: list[dict[str, tuple[str, ...]]] = [
    {
        "clinical": ("kapstone.clinical",),
        "project checks": ("kapstone.checks", "kapstone.errors", "kapstone.health", "kapstone"),
    },
    {"practice": ("kapstone.practice",)},
    {"audit": ("kapstone.audit",)},
    {"accounts": ("kapstone.accounts",)},
    {
        "staff administration": (
            "kapstone.practice.services",
            "kapstone.practice.views",
            "kapstone.practice.urls",
            "kapstone.practice.management",
        )
    },
    {"clients": ("kapstone.clients",)},
    {"pathway": ("kapstone.pathway",)},
    {"measures": ("kapstone.measures",)},
    {"register": ("kapstone.register",), "prescribing": ("kapstone.prescribing",)},
    {"sessions": ("kapstone.sessions",)},
    {
        "screening": ("kapstone.screening",),
        "scheduling": ("kapstone.scheduling",),
        "integration": ("kapstone.integration",),
    },
    {
        "portal": ("kapstone.portal",),
        "home": ("kapstone.home",),
        "client chart": ("kapstone.clients.views", "kapstone.clients.urls", "kapstone.clients.templatetags"),
        "api": ("kapstone.api",),
        "research": ("kapstone.research",),
    },
    {"demo": ("kapstone.demo",)},
    {
        "backup": ("kapstone.backup",),
        "project": (
            "kapstone.cli",
            "kapstone.urls",
            "kapstone.settings",
            "kapstone.wsgi",
            "kapstone.asgi",
        ),
    },
]


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported} (line {self.line})"


def module_files() -> dict[str, tuple[Path, bool]]:
    """Every module's dotted name -> (file, is a package's __init__)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


MODULES = module_files()


def known(name: str) -> str:
    """The module a dotted name lives in (``kapstone.x.models.Client`` -> ``kapstone.x.models``)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(name: str) -> list[Import]:
    path, is_package = MODULES[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if is_package else name.rsplit(".", 1)[0]
    found: list[Import] = []
    for_types_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for child in ast.walk(statement)
    }
    calls_import_module = any(
        isinstance(node, ast.Name | ast.Attribute)
        and getattr(node, "id", getattr(node, "attr", "")) == "import_module"
        for node in ast.walk(tree)
    )
    for node in ast.walk(tree):
        targets: list[str] = []
        if id(node) in for_types_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # ``from package import submodule`` depends on the submodule, not only on the package.
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module
                for alias in node.names
            ]
        elif calls_import_module and isinstance(node, ast.Constant) and isinstance(node.value, str):
            targets = [node.value] if node.value in MODULES else []
        for target in dict.fromkeys(targets):
            if target == "kapstone" or target.startswith("kapstone."):
                imported = known(target)
                if imported != name:
                    found.append(Import(name, imported, node.lineno))
    return found


GRAPH = [edge for name in sorted(MODULES) for edge in imports_of(name)]


def room_of(module: str) -> tuple[int, str]:
    """(floor, room) of the room whose prefix matches ``module`` longest."""
    best = (-1, -1, "")
    for floor, rooms in enumerate(FLOORS):
        for room, prefixes in rooms.items():
            for prefix in prefixes:
                if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                    best = (len(prefix), floor, room)
    assert best[0] >= 0, (
        f"{module} is in no room of FLOORS: place its app in tests/test_layers.py and the docs"
    )
    return best[1], best[2]


def test_every_module_has_a_room():
    for module in MODULES:
        room_of(module)


def test_no_room_imports_a_higher_floor_or_a_neighbour():
    wrong = []
    for edge in GRAPH:
        (floor_from, room_from), (floor_to, room_to) = room_of(edge.importer), room_of(edge.imported)
        if floor_to > floor_from:
            wrong.append(f"{edge}: {room_from!r} is below {room_to!r}")
        elif floor_to == floor_from and room_to != room_from:
            wrong.append(f"{edge}: {room_from!r} and {room_to!r} are neighbours on one floor")
    assert not wrong, "Imports against the layers (docs/architecture-notes.md):\n" + "\n".join(wrong)


def loops() -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    successors: dict[str, list[str]] = {name: [] for name in MODULES}
    for edge in GRAPH:
        successors[edge.importer].append(edge.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in MODULES:
        if root in index:
            continue
        work = [(root, iter(successors[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_no_two_modules_import_each_other_even_through_others():
    found = loops()
    described = []
    for component in found:
        members = set(component)
        described.append(
            "loop: " + "; ".join(str(e) for e in GRAPH if e.importer in members and e.imported in members)
        )
    assert not found, "Import loops:\n" + "\n".join(described)


def test_the_graph_sees_imports_inside_functions_and_relative_imports():
    """The reader itself: a hidden import and a relative one are both arrows."""
    assert Import("kapstone.clients.services", "kapstone.clients.events", 7) in GRAPH or any(
        e.importer == "kapstone.clients.services" and e.imported == "kapstone.clients.events" for e in GRAPH
    )
    assert any(
        e.importer == "kapstone.clients.views" and e.imported == "kapstone.sessions.chart" for e in GRAPH
    )
    assert any(e.importer == "kapstone.cli" and e.imported == "kapstone.demo.builder" for e in GRAPH)


@pytest.mark.parametrize("module", ["kapstone.clinical.monitoring", "kapstone.clients.views"])
def test_rooms_are_found_by_the_longest_prefix(module):
    assert (
        room_of(module)[1]
        == {"kapstone.clinical.monitoring": "clinical", "kapstone.clients.views": "client chart"}[module]
    )


def deferred_imports() -> list[tuple[str, int, bool]]:
    """(module, line, says why) for every import inside a function, outside an app's ``ready()``
    (where Django asks apps to import their signal handlers)."""
    found = []
    for name, (path, _) in module_files().items():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == "ready":
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    here, above = lines[inner.lineno - 1], lines[inner.lineno - 2].strip()
                    found.append((name, inner.lineno, "#" in here or above.startswith("#")))
    return found


def test_an_import_inside_a_function_says_why():
    """Imports sit at the top of a module; one inside a function defers a load (Django before its
    settings, a heavy optional package) or breaks a real cycle, and a comment beside it says which."""
    found = deferred_imports()
    assert any(module == "kapstone.cli" for module, _, _ in found)  # the reader sees the CLI's deferrals
    silent = [f"{module}:{line}" for module, line, says_why in found if not says_why]
    assert not silent, "Imports inside functions without a comment saying why:\n" + "\n".join(silent)
