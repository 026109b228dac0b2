"""The architecture rules of issue 8, checked on the `portal` package as it is on disk.

How the checker works: every .py under portal/ is parsed with `ast`; nothing is imported, so a
half-moved module is checked as it stands. Every `import` and `from ... import` statement, at any
depth (module level, inside functions and classes), is recorded with its line. A statement that
names a portal module becomes an edge of the import graph:

- relative imports are resolved against the importing module's package (`from .. import x` in
  portal/feedback/views.py means portal.x);
- `from pkg import name` is an edge to pkg.name when that is a module or package, else to pkg
  (so `from . import x` with x a submodule is an edge to x, and `from . import helper` with
  helper a name defined in pkg/__init__.py is an edge to pkg);
- `import a.b.c` is an edge to a.b.c.

Decisions:
- Importing portal.x.y also runs portal/x/__init__.py; that implicit edge to the parent package is
  not counted (grimp and import-linter do the same): a package's __init__ counts when it is what
  an import names.
- Imports under `if TYPE_CHECKING:` never run, so they are left out of the cycle check. They
  still count for the layering rules (kernel, views, gateways): the code still depends on the
  module it names.
- A module importing itself (`from . import name` inside a package's __init__) is not a cycle.
- Dynamic imports (importlib, "module:function" strings in the feature registry) are not imports.
- The kernel is portal.kernel.*, portal.config and portal.extensions. Every other portal module is
  a feature: the feature packages, portal.cli, portal.worker and portal itself (portal/__init__.py).
- A views module is one whose last name ends in `views`; it belongs to the feature package it is in.
- A view function is a function decorated with `@<name ending in bp>.route/get/post/put/patch/delete`;
  its length runs from its `def` line to its last line (decorators excluded).
- An import inside a function is explained by a `#` comment on its lines or on the line just above;
  a bare tool pragma (`# noqa`, `# type: ignore`, `# pragma: ...`) does not say why.

The same functions run on the real tree and on small packages planted in tmp_path, which prove
that each rule fires.
"""
from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "portal"
KERNEL = ("kernel", "config", "extensions")  # below the package: portal.kernel.*, portal.config, portal.extensions
GATEWAYS = {
    "stripe": "portal/payments/stripe_gateway.py",
    "mailchimp_marketing": "portal/newsletter/mailchimp_gateway.py",
    "whoosh": ("portal/search/index.py", "portal/search/spelling.py"),
}
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 25
ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})
PRAGMA = re.compile(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?|type:\s*ignore(\[[^\]]*\])?|pragma:.*|pylint:.*|fmt:.*",
                    re.IGNORECASE)


# -- reading the tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One import statement in a module."""

    line: int
    end_line: int
    in_function: bool
    type_checking: bool
    text: str


@dataclass(frozen=True)
class Edge:
    """One name imported by a statement: `target` is the absolute dotted name it refers to."""

    source: str
    target: str
    statement: Statement
    internal: bool  # the target is inside the package being checked
    module: str | None = None  # the package's module the import points at; None if outside it or unresolved
    namespace: bool = False  # the target is a folder without __init__.py: nothing runs, no edge


@dataclass
class Module:
    name: str
    path: str  # relative to the checked root, with forward slashes: portal/feedback/views.py
    source: str
    tree: ast.Module
    is_package: bool
    statements: list[Statement] = field(default_factory=list)


@dataclass(repr=False)
class Project:
    package: str
    modules: dict[str, Module]
    edges: list[Edge]

    def __repr__(self) -> str:  # pytest shows the fixture in a failure: keep it to one line
        return f"<{self.package}: {len(self.modules)} modules, {len(self.edges)} imported names>"

    def where(self, edge: Edge) -> str:
        return f"{self.modules[edge.source].path}:{edge.statement.line}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


class _Imports(ast.NodeVisitor):
    """Every import statement of a module, knowing whether it sits in a function or under TYPE_CHECKING."""

    def __init__(self, source: str):
        self.source = source
        self.found: list[tuple[ast.Import | ast.ImportFrom, Statement]] = []
        self.functions = 0
        self.type_checking = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.type_checking += 1
        for child in node.body:
            self.visit(child)
        self.type_checking -= 1
        for child in node.orelse:
            self.visit(child)

    def _add(self, node: ast.Import | ast.ImportFrom) -> None:
        text = ast.get_source_segment(self.source, node) or ""
        self.found.append((node, Statement(node.lineno, node.end_lineno or node.lineno, self.functions > 0,
                                           self.type_checking > 0, " ".join(text.split()))))

    visit_Import = _add
    visit_ImportFrom = _add


def scan(root: Path, package: str = PACKAGE) -> Project:
    """Parse every module of `root/package` and resolve its imports."""
    modules: dict[str, Module] = {}
    folders: set[str] = set()
    for path in sorted((root / package).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        for n in range(1, len(parts)):
            folders.add(".".join(parts[:n]))
        source = path.read_text(encoding="utf-8")
        name = ".".join(parts)
        modules[name] = Module(name, path.relative_to(root).as_posix(), source, ast.parse(source, filename=str(path)),
                               is_package)
    edges: list[Edge] = []
    for module in modules.values():
        visitor = _Imports(module.source)
        visitor.visit(module.tree)
        for node, statement in visitor.found:
            module.statements.append(statement)
            edges.extend(_resolve(module, node, statement, modules, folders, package))
    return Project(package, modules, edges)


def _resolve(module: Module, node: ast.Import | ast.ImportFrom, statement: Statement, modules: dict[str, Module],
             folders: set[str], package: str) -> Iterable[Edge]:
    def edge(target: str, *candidates: str) -> Edge:
        internal = target == package or target.startswith(package + ".")
        if not internal:
            return Edge(module.name, target, statement, internal=False)
        for candidate in candidates:
            if candidate in modules:
                return Edge(module.name, target, statement, internal=True, module=candidate)
        if target in folders:
            return Edge(module.name, target, statement, internal=True, namespace=True)
        return Edge(module.name, target, statement, internal=True)

    if isinstance(node, ast.Import):
        for alias in node.names:
            yield edge(alias.name, alias.name)
        return
    if node.level:
        base = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
        if node.level - 1 > len(base) - 1:
            yield Edge(module.name, "." * node.level + (node.module or ""), statement, internal=True)
            return
        base = base[:len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
    else:
        origin = node.module or ""
    if (origin == package or origin.startswith(package + ".")) and origin not in modules and origin not in folders:
        yield Edge(module.name, origin, statement, internal=True)  # from a module that does not exist
        return
    for alias in node.names:
        if alias.name == "*":
            yield edge(origin, origin)
        else:
            yield edge(f"{origin}.{alias.name}", f"{origin}.{alias.name}", origin)


def _comments(source: str) -> dict[int, str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0]: token.string for token in tokens if token.type == tokenize.COMMENT}


def _explained(comments: dict[int, str], statement: Statement) -> bool:
    for line in range(statement.line - 1, statement.end_line + 1):
        words = PRAGMA.sub("", comments.get(line, "").lstrip("#"))
        if re.search(r"[^\W\d_]{2,}", words):
            return True
    return False


# -- the rules: each returns readable violations, empty when the tree follows it ----------------------------


def _is_kernel(project: Project, name: str) -> bool:
    return any(name == f"{project.package}.{part}" or name.startswith(f"{project.package}.{part}.") for part in KERNEL)


def _how(statement: Statement) -> str:
    notes = [note for flag, note in ((statement.in_function, "inside a function"),
                                     (statement.type_checking, "under TYPE_CHECKING")) if flag]
    return f" ({', '.join(notes)})" if notes else ""


def import_graph(project: Project) -> dict[str, dict[str, Edge]]:
    """module -> {imported module: the first statement importing it}, the imports that run (not TYPE_CHECKING)."""
    graph: dict[str, dict[str, Edge]] = {name: {} for name in project.modules}
    for edge in project.edges:
        if edge.module and edge.module != edge.source and not edge.statement.type_checking:
            graph[edge.source].setdefault(edge.module, edge)
    return graph


def _strongly_connected(graph: dict[str, dict[str, Edge]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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
                    found.append(sorted(component))
    return sorted(found)


def _shortest_cycle(graph: dict[str, dict[str, Edge]], start: str, within: set[str]) -> list[str]:
    parent: dict[str, str] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if child in within and child not in seen:
                seen.add(child)
                parent[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is in a cycle but none was found")  # cannot happen inside a component


def find_cycles(project: Project) -> list[list[str]]:
    """Import cycles, each as [a, b, ..., a]: the shortest cycle through every module of every tangle, no repeats."""
    graph = import_graph(project)
    cycles: list[list[str]] = []
    for component in _strongly_connected(graph):
        for module in component:
            cycle = _shortest_cycle(graph, module, set(component))
            turn = cycle.index(min(cycle[:-1]))
            canonical = cycle[turn:-1] + cycle[:turn] + [cycle[turn]]
            if canonical not in cycles:
                cycles.append(canonical)
    return cycles


def describe_cycle(project: Project, cycle: list[str]) -> str:
    graph = import_graph(project)
    lines = [" -> ".join(cycle)]
    for source, target in zip(cycle, cycle[1:], strict=False):
        edge = graph[source][target]
        lines.append(f"    {project.where(edge)}: `{edge.statement.text}`{_how(edge.statement)}")
    return "\n".join(lines)


def cycle_violations(project: Project) -> list[str]:
    return [f"import cycle: {describe_cycle(project, cycle)}" for cycle in find_cycles(project)]


def unresolved_imports(project: Project) -> list[str]:
    """Imports inside the package that name no module of it (a stale path after a move)."""
    return [f"{project.where(e)}: `{e.statement.text}`{_how(e.statement)} names {e.target}, which is not a module "
            f"of {project.package}" for e in project.edges if e.internal and not e.module and not e.namespace]


def kernel_violations(project: Project) -> list[str]:
    """The kernel imports no feature."""
    return [f"{project.where(e)}: kernel module {e.source} imports feature module {e.module}: "
            f"`{e.statement.text}`{_how(e.statement)}"
            for e in project.edges if e.module and _is_kernel(project, e.source) and not _is_kernel(project, e.module)]


def _feature_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2])


def views_violations(project: Project) -> list[str]:
    """Nobody outside feature X imports X's views modules."""
    found = []
    for e in project.edges:
        if not e.module or not e.module.rsplit(".", 1)[-1].endswith("views"):
            continue
        owner = _feature_of(e.module)
        if e.source != owner and not e.source.startswith(owner + "."):
            found.append(f"{project.where(e)}: {e.source} imports {e.module}, the views of another feature ({owner}): "
                         f"`{e.statement.text}`{_how(e.statement)}")
    return found


def gateway_violations(project: Project, gateways: dict[str, str | tuple[str, ...]] = GATEWAYS) -> list[str]:
    """Each outside library is imported by its gateway modules only."""
    found = []
    for e in project.edges:
        library = e.target.split(".", 1)[0]
        allowed = (gateways[library],) if isinstance(gateways.get(library), str) else gateways.get(library, ())
        if not e.internal and library in gateways and project.modules[e.source].path not in allowed:
            found.append(f"{project.where(e)}: {e.source} imports {library}, which only {' and '.join(allowed)} may "
                         f"import: `{e.statement.text}`{_how(e.statement)}")
    return sorted(set(found), key=found.index)


def long_modules(project: Project, limit: int = MAX_MODULE_LINES) -> list[str]:
    found = []
    for module in project.modules.values():
        count = len(module.source.splitlines())
        if count > limit:
            found.append(f"{module.path}: {count} lines, over the {limit} a module may have")
    return found


def _is_route(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr in ROUTE_METHODS
            and isinstance(target.value, ast.Name) and target.value.id.endswith("bp"))


def long_views(project: Project, limit: int = MAX_VIEW_LINES) -> list[str]:
    found = []
    for module in project.modules.values():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(map(_is_route, node.decorator_list)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{module.path}:{node.lineno}: view function {node.name}() is {length} lines "
                                 f"(def to last line), over {limit}")
    return found


def function_import_violations(project: Project) -> list[str]:
    found = []
    for module in project.modules.values():
        comments = _comments(module.source)
        for statement in module.statements:
            if statement.in_function and not _explained(comments, statement):
                found.append(f"{module.path}:{statement.line}: `{statement.text}` inside a function, with no comment "
                             "on its line (or the line above) saying why it must be there")
    return found


# -- the real tree ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal() -> Project:
    return scan(ROOT)


def report(violations: list[str], rule: str) -> str:
    return f"{len(violations)} violation(s) of: {rule}\n" + "\n".join(violations)


def test_the_scan_reads_the_whole_package(portal: Project):
    assert {"portal", "portal.config", "portal.extensions", "portal.kernel.uow", "portal.feedback.views"} <= set(portal.modules)
    assert any(e.module == "portal.kernel.uow" for e in portal.edges), "no module imports the unit of work?"


def test_no_import_cycles(portal: Project):
    violations = cycle_violations(portal)
    assert not violations, report(violations, "no import cycles among portal modules (TYPE_CHECKING imports excluded)")


def test_every_portal_import_names_a_module_that_exists(portal: Project):
    violations = unresolved_imports(portal)
    assert not violations, report(violations, "an import of a portal module names a module that exists")


def test_the_kernel_imports_no_feature(portal: Project):
    violations = kernel_violations(portal)
    assert not violations, report(violations, "the kernel (portal.kernel.*, portal.config, portal.extensions) "
                                              "imports no feature")


def test_no_feature_imports_another_features_views(portal: Project):
    violations = views_violations(portal)
    assert not violations, report(violations, "features never import another feature's views")


def test_only_gateways_import_outside_services(portal: Project):
    violations = gateway_violations(portal)
    assert not violations, report(violations, "only the gateway module imports stripe / mailchimp_marketing / whoosh")


def test_no_module_is_over_400_lines(portal: Project):
    violations = long_modules(portal)
    assert not violations, report(violations, f"no module over {MAX_MODULE_LINES} lines")


def test_no_view_function_is_over_25_lines(portal: Project):
    violations = long_views(portal)
    assert not violations, report(violations, f"no view function over {MAX_VIEW_LINES} lines")


def test_every_import_inside_a_function_says_why(portal: Project):
    violations = function_import_violations(portal)
    assert not violations, report(violations, "no import inside a function without a comment saying why")


# -- planted trees: each rule fires ------------------------------------------------------------------------------


def plant(root: Path, files: dict[str, str], package: str = PACKAGE) -> Project:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return scan(root, package)


def test_two_modules_importing_each_other_are_a_cycle(tmp_path: Path):
    shop = plant(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": "from shop import b\n",
        "shop/b.py": """
            def late():
                import shop.a  # a imports us at load time
            """,
        "shop/c.py": "from shop import a\n",  # into the cycle, not part of it
    }, package="shop")
    assert find_cycles(shop) == [["shop.a", "shop.b", "shop.a"]]
    assert cycle_violations(shop) == ["import cycle: shop.a -> shop.b -> shop.a\n"
                                      "    shop/a.py:1: `from shop import b`\n"
                                      "    shop/b.py:2: `import shop.a` (inside a function)"]


def test_a_relative_cycle_through_a_package_init_is_found(tmp_path: Path):
    shop = plant(tmp_path, {
        "shop/__init__.py": """
            from . import core
            VERSION = 1
            """,
        "shop/core.py": """
            from . import VERSION
            from .tools import helper
            """,
        "shop/tools/__init__.py": "from ..core import VERSION\n",
        "shop/tools/helper.py": "HELP = 1\n",
    }, package="shop")
    # `from . import core` is an edge to the submodule; `from . import VERSION` to the package itself;
    # `from .tools import helper` to the module shop.tools.helper, not to shop/tools/__init__.py.
    assert find_cycles(shop) == [["shop", "shop.core", "shop"]]
    assert "shop/core.py:1: `from . import VERSION`" in cycle_violations(shop)[0]


def test_a_longer_cycle_is_reported_once_whichever_module_it_is_entered_from(tmp_path: Path):
    shop = plant(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": "from .b import x\n",
        "shop/b.py": "from .c import y\nx = 1\n",
        "shop/c.py": "from . import a\ny = 1\n",
    }, package="shop")
    assert find_cycles(shop) == [["shop.a", "shop.b", "shop.c", "shop.a"]]


def test_imports_under_type_checking_make_no_cycle(tmp_path: Path):
    shop = plant(tmp_path, {
        "shop/__init__.py": "",
        "shop/a.py": "from .b import B\n",
        "shop/b.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from .a import A
            B = 1
            """,
    }, package="shop")
    assert find_cycles(shop) == []


KERNEL_TREE = {
    "portal/__init__.py": "from . import accounts\n",
    "portal/config.py": "from . import accounts\n",
    "portal/extensions.py": "",
    "portal/kernel/mail.py": """
        from ..extensions import db
        from portal.kernel import text

        def send():
            from portal.accounts.models import User  # planted: the kernel reaching into a feature
        """,
    "portal/kernel/text.py": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from ..accounts.models import User
        """,
    "portal/accounts/__init__.py": "",
    "portal/accounts/models.py": "from ..kernel import mail\n",
}


def test_a_kernel_module_importing_a_feature_is_caught(tmp_path: Path):
    tree = plant(tmp_path, KERNEL_TREE)
    assert kernel_violations(tree) == [
        "portal/config.py:1: kernel module portal.config imports feature module portal.accounts: `from . import accounts`",
        "portal/kernel/mail.py:5: kernel module portal.kernel.mail imports feature module portal.accounts.models: "
        "`from portal.accounts.models import User` (inside a function)",
        "portal/kernel/text.py:3: kernel module portal.kernel.text imports feature module portal.accounts.models: "
        "`from ..accounts.models import User` (under TYPE_CHECKING)",
    ]
    # The kernel's folder has no __init__.py: `from portal.kernel import text` still resolves, and nothing is unresolved.
    assert unresolved_imports(tree) == []


def test_a_stale_relative_import_is_reported(tmp_path: Path):
    tree = plant(tmp_path, {"portal/__init__.py": "", "portal/kernel/security.py": "from .accounts.models import Role\n"})
    assert unresolved_imports(tree) == ["portal/kernel/security.py:1: `from .accounts.models import Role` names "
                                        "portal.kernel.accounts.models, which is not a module of portal"]


def test_importing_another_features_views_is_caught(tmp_path: Path):
    tree = plant(tmp_path, {
        "portal/__init__.py": "from . import feedback\nfrom .community import moderation_views\n",
        "portal/feedback/__init__.py": "from .views import bp\n",
        "portal/feedback/views.py": "from .staff_views import helper\n",
        "portal/feedback/staff_views.py": "helper = 1\n",
        "portal/community/__init__.py": "",
        "portal/community/moderation_views.py": "",
        "portal/community/service.py": """
            from portal.feedback import service

            def f():
                from ..feedback.staff_views import helper  # planted
            """,
        "portal/feedback/service.py": "",
    })
    assert views_violations(tree) == [
        "portal/__init__.py:2: portal imports portal.community.moderation_views, the views of another feature "
        "(portal.community): `from .community import moderation_views`",
        "portal/community/service.py:4: portal.community.service imports portal.feedback.staff_views, the views of "
        "another feature (portal.feedback): `from ..feedback.staff_views import helper` (inside a function)",
    ]


def test_an_outside_library_imported_beside_its_gateway_is_caught(tmp_path: Path):
    tree = plant(tmp_path, {
        "portal/__init__.py": "",
        "portal/search/index.py": "from whoosh import index\n",
        "portal/search/service.py": "import whoosh.query as q, stripe\n",
        "portal/payments/stripe_gateway.py": "import stripe\n",
    })
    assert gateway_violations(tree) == [
        "portal/search/service.py:1: portal.search.service imports whoosh, which only portal/search/index.py and "
        "portal/search/spelling.py may import: `import whoosh.query as q, stripe`",
        "portal/search/service.py:1: portal.search.service imports stripe, which only portal/payments/stripe_gateway.py "
        "may import: `import whoosh.query as q, stripe`",
    ]


def test_long_modules_and_long_views_are_caught(tmp_path: Path):
    body = "".join(f"    x{n} = {n}\n" for n in range(23))
    tree = plant(tmp_path, {
        "portal/__init__.py": "x = 1\n" * 400,
        "portal/big.py": "x = 1\n" * 401,
        "portal/feedback/views.py": (
            "@bp.get('/a')\n@login_required\ndef short():\n" + body + "    return 1\n"  # 25 lines
            "@staff_bp.route('/b', methods=['POST'])\ndef long():\n" + body + "    y = 1\n    return 1\n"  # 26 lines
            "def helper():\n" + body * 2 + "\n"  # not a view
            "@bp.before_request\ndef hook():\n" + body * 2  # not a route
        ),
    })
    assert long_modules(tree) == ["portal/big.py: 401 lines, over the 400 a module may have"]
    assert long_views(tree) == ["portal/feedback/views.py:29: view function long() is 26 lines (def to last line), over 25"]


def test_an_import_in_a_function_needs_a_comment_saying_why(tmp_path: Path):
    tree = plant(tmp_path, {
        "portal/__init__.py": """
            import os

            def a():
                import json  # loaded only by the export, which few members run

            def b():
                # the jobs module imports this one: importing it at the top would be a cycle
                from .jobs import run

            def c():
                from .jobs import (  # noqa: PLC0415
                    run,
                )

            def d():
                import csv
                # a comment below the import is not about it
            """,
        "portal/jobs.py": "run = 1\n",
    })
    assert function_import_violations(tree) == [
        "portal/__init__.py:11: `from .jobs import ( # noqa: PLC0415 run, )` inside a function, with no comment on its "
        "line (or the line above) saying why it must be there",
        "portal/__init__.py:16: `import csv` inside a function, with no comment on its line (or the line above) saying "
        "why it must be there",
    ]
