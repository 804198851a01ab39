"""Where a submission uses the parts of PyTorch that a "from scratch" exercise forbids: anything in
torch.optim, nn.Linear, nn.MSELoss and F.mse_loss.

Runs on the trusted side and never executes the submission: it reads the syntax tree and follows
the names the module binds to torch, so prose in strings, comments and docstrings never counts and
a student's own `mse_loss` is not torch's. It catches the ordinary spellings (aliases, star
imports, getattr or importlib with a constant name), not code set on hiding what it calls.
"""

import ast
from dataclasses import dataclass

from autograder.inputs import syntax

MAX_CHARS = 300_000
_TEXT_CHARS = 80  # a spelling is shown to students, and a hostile one can be a megabyte long

FORBIDDEN: dict[str, str] = {
    "torch.optim": "torch.optim",
    "torch.nn.Linear": "nn.Linear",
    "torch.nn.modules.Linear": "nn.Linear",
    "torch.nn.modules.linear.Linear": "nn.Linear",
    "torch.nn.MSELoss": "nn.MSELoss",
    "torch.nn.modules.MSELoss": "nn.MSELoss",
    "torch.nn.modules.loss.MSELoss": "nn.MSELoss",
    "torch.nn.functional.mse_loss": "F.mse_loss",
    "torch._C._nn.mse_loss": "F.mse_loss",
}
# builtins need no import, and the exercise's scaffold imports torch in a cell of its own
_PRELUDE = {"torch": "torch", "getattr": "getattr", "__import__": "__import__"}
_IMPORTERS = ("__import__", "importlib.import_module")
_CALLEES = ("getattr", *_IMPORTERS)  # an alias of one of these is worth following too

Use = tuple[int, int, str, str]  # line, column, dotted path, spelling


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based, in the source
    label: str  # FORBIDDEN's label, e.g. "nn.Linear"
    text: str  # how the source spelled it, e.g. "optim.SGD" or "from torch.optim import SGD"


class ScanError(Exception):
    """The source could not be inspected (syntax error, too deeply nested, too big); the message
    is for the instructor."""


def scan(source: str) -> tuple[Finding, ...]:
    """Every use, sorted by line then label, at most one Finding per (line, label)."""
    if len(source) > MAX_CHARS:
        raise ScanError(f"source too big to inspect: {len(source):,} characters "
                        f"(limit {MAX_CHARS:,})")
    try:
        nodes = list(ast.walk(syntax.parse(source)))
        aliases, uses = _bindings(nodes)
        uses += _uses(nodes, aliases)
    except (SyntaxError, ValueError) as err:  # ValueError: null bytes, on older Pythons
        raise ScanError(f"cannot parse the source: {err}") from None
    except (RecursionError, MemoryError):
        raise ScanError("source too deeply nested to inspect") from None
    findings: dict[tuple[int, str], Finding] = {}
    for line, _, path, text in sorted(uses):
        label = next((label for prefix, label in FORBIDDEN.items()
                      if path == prefix or path.startswith(prefix + ".")), None)
        if label:
            short = text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS - 1] + "…"
            findings.setdefault((line, label), Finding(line, label, short))
    return tuple(findings[key] for key in sorted(findings))


def _bindings(nodes: list[ast.AST]) -> tuple[dict[str, str], list[Use]]:
    """The module-wide map of names to dotted paths, and the imports as uses."""
    aliases, star, uses = dict(_PRELUDE), set(), []
    for node in nodes:
        for a in node.names if isinstance(node, ast.Import) else ():
            uses.append((a.lineno, a.col_offset, a.name, f"import {_spelled(a)}"))
            top = a.name.partition(".")[0]
            aliases[a.asname or top] = a.name if a.asname else top
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue  # relative imports are the student's own modules
        for a in node.names:
            path = node.module if a.name == "*" else f"{node.module}.{a.name}"
            uses.append((a.lineno, a.col_offset, path, f"from {node.module} import {_spelled(a)}"))
            if a.name != "*":
                aliases[a.asname or a.name] = path
            elif path != "torch":  # torch's own __all__ leaves out nn and optim
                star |= {".".join(p.split(".")[:path.count(".") + 2])
                         for p in FORBIDDEN if p.startswith(path + ".")}
    # names a star import binds are nowhere in sight: the student's own definitions come first
    own = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    own |= {n.name for n in nodes
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    own |= aliases.keys()
    aliases |= {p.rpartition(".")[2]: p for p in star if p.rpartition(".")[2] not in own}
    _assignments(nodes, aliases)
    return aliases, uses


def _spelled(a: ast.alias) -> str:
    return f"{a.name} as {a.asname}" if a.asname else a.name


def _assignments(nodes: list[ast.AST], aliases: dict[str, str]) -> None:
    """Aliases made by assignment, such as `F = torch.nn.functional`, taken in source order."""
    assigns = [n for n in nodes if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value]
    for node in sorted(assigns, key=lambda n: (n.lineno, n.col_offset)):
        path = _resolve(node.value, aliases)[0]
        if path and (path.partition(".")[0] == "torch" or path in _CALLEES):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            aliases.update((t.id, path) for t in targets if isinstance(t, ast.Name))


def _uses(nodes: list[ast.AST], aliases: dict[str, str]) -> list[Use]:
    """Modules imported by call, and names, attribute chains and getattr() chains with their
    paths: a chain once, as its longest spelling."""
    uses: list[Use] = []
    inner: set[int] = set()
    for node in nodes:  # breadth first, so a chain comes before the links inside it
        if call := _import_call(node, aliases):
            uses.append((node.lineno, node.col_offset, call[0], call[2]))
        if id(node) in inner or isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            continue
        path, text, links = _resolve(node, aliases)
        inner.update(map(id, links))  # resolved or not: walking a chain once per link is O(n²)
        if path:
            uses.append((node.lineno, node.col_offset, path, text))
    return uses


def _resolve(node: ast.AST, aliases: dict[str, str]) -> tuple[str | None, str, list[ast.AST]]:
    """Path (None if not bound), spelling and links of a name, attribute or getattr() chain."""
    steps, links = [], []  # a loop, not recursion: chains can be as long as the parser allows
    while True:
        if isinstance(node, ast.Attribute):
            steps.append((node.attr, "." + node.attr))
            node = node.value
        elif _callee(node, aliases)[0] == "getattr" and (attr := _str_arg(node, 1)) is not None:
            steps.append((attr, f", {attr!r})"))
            node = node.args[0]
        else:
            break
        links.append(node)
    if isinstance(node, ast.Name) and node.id in aliases:
        path, text = aliases[node.id], node.id
    elif call := _import_call(node, aliases):
        path, text = call[1], call[2]
    else:
        return None, "", links
    steps.reverse()
    text = "getattr(" * sum(s.startswith(",") for _, s in steps) + text + "".join(
        s for _, s in steps)
    return ".".join([path, *(attr for attr, _ in steps)]), text, links


def _callee(node: ast.AST, aliases: dict[str, str]) -> tuple[str, str]:
    """(path, spelling) of the function `node` calls when that is a name or attribute chain."""
    func, attrs = node.func if isinstance(node, ast.Call) else None, []
    while isinstance(func, ast.Attribute):
        attrs.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in aliases:
        return "", ""
    attrs.reverse()
    path = ".".join([aliases[func.id], *attrs]).removeprefix("builtins.")
    return path, ".".join([func.id, *attrs])


def _import_call(node: ast.AST, aliases: dict[str, str]) -> tuple[str, str, str] | None:
    """(module imported, module returned, spelling) for an import call with a constant name."""
    callee, spelled = _callee(node, aliases)
    if callee not in _IMPORTERS or (name := _str_arg(node, 0)) is None:
        return None
    # __import__ returns the top package unless asked for names from the module itself
    whole = callee != "__import__" or len(node.args) > 3 or any(
        k.arg == "fromlist" for k in node.keywords)
    return name, name if whole else name.partition(".")[0], f"{spelled}({name!r})"


def _str_arg(call: ast.Call, index: int) -> str | None:
    arg = call.args[index] if len(call.args) > index else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
