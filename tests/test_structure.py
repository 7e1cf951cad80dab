"""The package's shape: no import cycles, short modules, documented and typed public API."""
import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import askposts

PACKAGE = Path(askposts.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    return skip


def _imports(name: str, path: Path, known: set[str], deferred: bool = True) -> set[str]:
    """Modules of the package that ``name`` imports: with ``deferred``, inside functions too
    (a deferred import still makes a cycle); never those under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip, out = _type_checking_only(tree), set()
    for node in ast.walk(tree) if deferred else tree.body:
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in known else base)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m in known and m != name}


def test_no_import_cycle():
    modules = _modules()
    graph = {n: _imports(n, p, set(modules)) for n, p in modules.items()}
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            assert state.get(nxt) != 1, " -> ".join(trail + [nxt])
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


# The stages in the order data flows (files -> posts -> ... -> answers -> the front ends).
STAGES = ["posts", "embedding", "indexing", "answering", "questionlog", "fitting", "serving",
          "cli"]


def test_stages_import_only_earlier_stages():
    # A lower stage never reaches up, not even in a deferred import (only for type hints).
    modules = _modules()
    rank = {s: n for n, s in enumerate(STAGES)}

    def stage(module):
        parts = module.split(".")
        return rank.get(parts[1]) if len(parts) > 2 else None

    upward = [f"{name} -> {target}" for name, path in modules.items()
              for target in _imports(name, path, set(modules))
              if stage(name) is not None and (stage(target) or 0) > stage(name)]
    assert not upward, upward


def test_serving_loads_without_the_builder():
    # The web API answers from a built index: loading it never pulls in the builder (torch).
    modules = _modules()
    loaded = {n: _imports(n, p, set(modules), deferred=False) for n, p in modules.items()}
    http = "askposts.serving.http"
    assert loaded[http] and "askposts.indexing.builder" not in _closure(loaded, http)


def test_layout_names_the_stages():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert len(top) <= 12, top
    assert len(packages) >= 5, packages
    for name in packages:  # each says in a paragraph what it holds
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and len(doc) > 120, name


def _closure(graph, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_no_module_over_300_lines():
    long = {n: len(p.read_text().splitlines()) for n, p in _modules().items()}
    assert {n: k for n, k in long.items() if k > 300} == {}


def test_every_public_name_has_a_docstring():
    missing = []
    for name in askposts.__all__:
        obj = getattr(askposts, name)
        doc = inspect.getdoc(obj) or ""
        if not doc or doc.startswith(f"{name}("):  # a dataclass's generated signature
            missing.append(name)
    assert missing == []


def _public_functions():
    for info in pkgutil.walk_packages(askposts.__path__, "askposts."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{info.name}.{name}", obj
            elif inspect.isclass(obj):
                for attr, fn in vars(obj).items():
                    fn = fn.fget if isinstance(fn, property) else getattr(fn, "__func__", fn)
                    if inspect.isfunction(fn) and fn.__module__ == module.__name__ and \
                            (not attr.startswith("_") or attr == "__init__"):
                        yield f"{info.name}.{name}.{attr}", fn


def test_public_functions_have_type_hints():
    untyped = []
    for where, fn in _public_functions():
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.name not in ("self", "cls")]
        if any(p.annotation is inspect.Parameter.empty for p in params) or \
                "return" not in fn.__annotations__:
            untyped.append(where)
    assert untyped == []


_SPANISH = re.compile(r"[áéíóúñ¿¡]|\b(el|la|los|las|de|del|no|que|en|una?|debe|falta|puede|sin|"
                      r"con|por|para|se)\b", re.I)
# Text for people that may live outside the catalogue: the command line's (beside its
# arguments), the fitting tools' reports (for whoever fits), and word patterns.
_NOT_MESSAGES = ("spanish", "cli", "fitting")


def _skipped(tree: ast.AST) -> set[int]:
    """Docstrings, log lines (for whoever runs it) and regular expressions."""
    skip = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and ast.unparse(node.func).startswith(("log.", "re.")):
            skip |= {id(n) for n in ast.walk(node)}
    return skip


def test_user_messages_live_in_the_catalogue():
    # A sentence people read (five words or more, in Spanish) outside spanish.messages is a
    # message someone will not find when the wording has to change.
    strays = []
    for name, path in _modules().items():
        if name.split(".")[1:2] and name.split(".")[1] in _NOT_MESSAGES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _skipped(tree)
        for node in ast.walk(tree):
            if id(node) in skip or not isinstance(node, ast.Constant) or \
                    not isinstance(node.value, str) or node.value.lstrip().startswith("<"):
                continue
            words = re.findall(r"[^\W\d_]+", node.value)
            if len(words) >= 5 and _SPANISH.search(node.value) and \
                    not re.search(r"\\[bswd]|\(\?", node.value):
                strays.append(f"{name}:{node.lineno}: {node.value[:60]}")
    assert strays == []


def test_no_module_binds_a_top_level_name_twice():
    # A second `NOT_FOUND = ...` in the catalogue silently replaced the "no lo encontré"
    # reply with another message: a name bound twice at module level is a mistake.
    twice = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = [t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                 for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                 if isinstance(t, ast.Name)]
        bound += [node.name for node in tree.body
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        twice += [f"{name}.{n}" for n in sorted(set(bound)) if bound.count(n) > 1]
    assert twice == []
