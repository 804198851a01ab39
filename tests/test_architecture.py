"""The engine is laid out by layer: each subpackage imports only those below it, nothing
imports in a circle, and nothing in the engine names an exercise's functions."""

import ast
import re
from pathlib import Path

import pytest

from autograder.grading import registry

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
LAYERS = ["sandbox", "inputs", "grading", "outputs", "integrations"]
"""Lowest first: a layer may import itself and those before it."""
TOP = {"cli", "arguments", "__main__", "selfcheck", "gradecell", "__init__"}
"""The package's own modules: the command line and the students' entry points (any layer)."""


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if "reference" not in p.relative_to(PACKAGE).parts}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` needs the module; `from module import name`, it
            subs = {f"{node.module}.{a.name}" for a in node.names}
            found |= (subs & MODULES.keys()) or {node.module}
    return {name for name in found if name.split(".")[0] == "autograder"}


def _layer(module: str) -> str:
    """The layer of a module, or of the module a name is imported from."""
    while module not in MODULES and "." in module:
        module = module.rsplit(".", 1)[0]
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "autograder"


def test_every_module_is_in_a_layer_an_exercise_or_the_top():
    for module in MODULES:
        layer = _layer(module)
        assert layer in LAYERS or layer == "exercises" or module.split(".")[-1] in TOP or (
            module == "autograder"), module


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_those_below_it(layer):
    allowed = {"autograder", *LAYERS[:LAYERS.index(layer) + 1]}
    for module, path in MODULES.items():
        if _layer(module) != layer:
            continue
        for name in _imports(path):
            target = _layer(name)
            assert target in allowed, f"{module} imports {name}, above {layer}"


def test_an_exercise_uses_only_the_sandbox_and_grading():
    for module, path in MODULES.items():
        if _layer(module) != "exercises" or module.endswith(".template"):
            continue  # a template is the students' notebook: it imports their self-check
        for name in _imports(path):
            assert _layer(name) in {"sandbox", "grading", "exercises"}, f"{module}: {name}"


def test_no_import_goes_in_a_circle():
    graph = {m: {n for n in _imports(p) if n in MODULES and n != m} for m, p in MODULES.items()}
    done, on_path = set(), []

    def visit(module):
        if module in on_path:
            raise AssertionError("circle: " + " -> ".join(on_path[on_path.index(module):]
                                                          + [module]))
        if module in done:
            return
        on_path.append(module)
        for target in sorted(graph[module]):
            visit(target)
        on_path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_the_engine_names_no_exercise_function():
    names = {f for ex in registry.every() for f in ex.functions}
    pattern = re.compile(rf"[\"']({'|'.join(map(re.escape, names))})[\"']")
    for module, path in MODULES.items():
        if _layer(module) in LAYERS and (found := pattern.findall(path.read_text())):
            raise AssertionError(f"{module} names {sorted(set(found))}")


def test_only_the_syntax_module_parses_source_into_a_tree():
    # Python 3.11's tree converter is not safe across threads, and a batch grades in threads:
    # a parse that bypasses inputs.syntax's lock can fail a grade at random.
    for module, path in MODULES.items():
        calls = [node.lineno for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "parse" and isinstance(node.func.value, ast.Name)
                 and node.func.value.id == "ast"]
        assert module == "autograder.inputs.syntax" or not calls, f"{module}: line {calls}"
