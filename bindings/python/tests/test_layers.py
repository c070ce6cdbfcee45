"""The package imports in one direction: the layers listed in `moneykit_native/__init__.py`
(lowest first) hold. Every module is in the list once; each imports alone (without the
package's `__init__`) in a fresh interpreter and loads nothing listed after it; and no module
imports one listed after it, at module level or inside a function (an AST walk; imports under
`if TYPE_CHECKING:` are for annotations only and exempt)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import moneykit_native

PACKAGE = Path(moneykit_native.__file__).resolve().parent
NAME = "moneykit_native"


def layers() -> List[Tuple[str, List[str]]]:
    """(title, modules) per layer, lowest first, from the comment in `__init__.py`."""
    text = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    found = re.findall(r"^#\s+\d+\.\s+(.*?):\s+(\w+(?:,\s*\w+)*)\s*$", text, flags=re.M)
    assert found, "no layer list in moneykit_native/__init__.py"
    return [(title, [m.strip() for m in mods.split(",")]) for title, mods in found]


def ranks() -> Dict[str, int]:
    """Module -> its position in the list (layers in order, then order within the layer)."""
    order = [m for _, mods in layers() for m in mods]
    return {m: i for i, m in enumerate(order)}


def modules() -> List[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py"))


def test_every_module_is_in_exactly_one_layer() -> None:
    listed = [m for _, mods in layers() for m in mods]
    duplicates = sorted({m for m in listed if listed.count(m) > 1})
    assert not duplicates, f"listed twice: {duplicates}"
    assert set(listed) == set(modules()), (
        f"not in the layer list: {sorted(set(modules()) - set(listed))}; "
        f"listed but absent: {sorted(set(listed) - set(modules()))}"
    )
    # After `__init__` only public submodules (`moneykit_native.testing`), which the
    # package itself never imports.
    after = listed[listed.index("__init__") + 1:]
    assert all(not m.startswith("_") for m in after), after


class _Imports(ast.NodeVisitor):
    """Every module of the package that a module imports: (module, line)."""

    def __init__(self) -> None:
        self.found: List[Tuple[str, int]] = []
        self.dynamic: List[int] = []

    def visit_If(self, node: ast.If) -> None:
        t = node.test
        if (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
            isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
        ):
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == NAME:
                self.found.append((parts[1] if len(parts) > 1 else "__init__", node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        assert node.level <= 1, f"line {node.lineno}: an import above the package"
        module = node.module or ""
        if node.level == 0:
            if module != NAME and not module.startswith(NAME + "."):
                return
            module = module[len(NAME) + 1:]
        if module:
            self.found.append((module.split(".")[0], node.lineno))
        else:  # from . import _x, _y
            self.found += [(a.name, node.lineno) for a in node.names]

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if (isinstance(f, ast.Name) and f.id == "__import__") or (
            isinstance(f, ast.Attribute) and f.attr == "import_module"
        ):
            self.dynamic.append(node.lineno)
        self.generic_visit(node)


def imports_of(module: str) -> _Imports:
    path = PACKAGE / f"{module}.py"
    v = _Imports()
    v.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return v


def test_no_module_imports_one_listed_after_it() -> None:
    rank = ranks()
    problems = []
    for module in modules():
        found = imports_of(module)
        for line in found.dynamic:
            problems.append(f"{module}.py:{line}: a dynamic import (the layers cannot be checked)")
        for target, line in found.found:
            if target not in rank:
                problems.append(f"{module}.py:{line}: imports {target}, which is in no layer")
            elif rank[target] >= rank[module]:
                problems.append(f"{module}.py:{line}: imports {target}, listed after it")
    assert not problems, "\n".join(problems)


def test_the_old_cycle_stays_gone() -> None:
    """`_batch` needed `_client`'s argument check through a local import (a real cycle);
    the check now lives below both, in `_args`."""
    assert "_client" not in {t for t, _ in imports_of("_batch").found}
    assert ranks()["_args"] < ranks()["_batch"] < ranks()["_client"]


_IMPORT_ALONE = """
import importlib, json, sys, types
package, name = sys.argv[1], sys.argv[2]
if name == "__init__":
    sys.path.insert(0, str(__import__("pathlib").Path(package).parent))
    import moneykit_native
else:
    # The package without its __init__ (which imports everything): only what `name` needs.
    stub = types.ModuleType("moneykit_native")
    stub.__path__ = [package]
    sys.modules["moneykit_native"] = stub
    importlib.import_module("moneykit_native." + name)
loaded = sorted(m.split(".", 1)[1] for m in sys.modules if m.startswith("moneykit_native."))
print(json.dumps(loaded))
"""


@pytest.mark.parametrize("module", modules())
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-B", "-c", _IMPORT_ALONE, str(PACKAGE), module],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, f"import moneykit_native.{module} alone failed:\n{run.stderr}"
    rank = ranks()
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    above = [m for m in loaded if rank[m] > rank[module]]
    assert not above, f"importing {module} loaded modules listed after it: {above}"
