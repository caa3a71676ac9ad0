"""Imports run one way: spec → model → hardware → tools, and the models never load Amaranth."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "smelu_hw"

#: Layer of each package part; a file may import only its own layer and the ones below it.
#: The models and the hardware are siblings: neither imports the other.
LAYERS = {
    "errors": -1,  # what every layer raises
    "fixed": 0,
    "squaring": 0,
    "cache": 0,
    "specs": 1,
    "approx": 2,
    "models": 3,
    "hw": 3,
}
TOOLS = 4


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def _layer(part: str) -> int:
    return LAYERS.get(part, TOOLS)


def _imports(path: Path) -> set[str]:
    """The smelu_hw modules a file imports, as absolute dotted names."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name == "__init__.py":
        package += ".__init__"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
            found.update(names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("smelu_hw.")}


def _layered_files() -> list[Path]:
    files = [path for path in PACKAGE.rglob("*.py") if _layer(_part(_module(path))) < TOOLS]
    assert len(files) > 20, "the layered parts of the package were not found"
    return files


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


@pytest.mark.parametrize("path", _layered_files(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_layer_imports_only_itself_and_the_layers_below(path: Path) -> None:
    own = _part(_module(path))
    for imported in _imports(path):
        other = _part(imported)
        allowed = other == own or _layer(other) < _layer(own)
        assert allowed, f"{_module(path)} (layer {own}) imports {imported} (layer {other})"


def test_the_import_checker_sees_imports_that_would_break_the_rule() -> None:
    assert "smelu_hw.specs.dense" in _imports(PACKAGE / "models" / "dense.py")
    joined = _imports(PACKAGE / "registry.py")
    assert {"smelu_hw.hw", "smelu_hw.models", "smelu_hw.specs"} <= joined
    # Were the registry a model, its import of the hardware would be refused.
    assert not _layer(_part("smelu_hw.hw")) < _layer("models")


def test_the_golden_models_do_not_load_amaranth() -> None:
    code = (
        "import sys\n"
        "import smelu_hw, smelu_hw.specs, smelu_hw.models, smelu_hw.models.dense\n"
        "import smelu_hw.network, smelu_hw.manifest, smelu_hw.accuracy\n"
        "from smelu_hw.models import *\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'amaranth')\n"
        "assert 'smelu_hw.models.dense' in sys.modules\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_amaranth_probe_can_fail() -> None:
    code = "import sys, smelu_hw.hw\nprint(','.join(m for m in sys.modules if m.split('.')[0] == 'amaranth'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "amaranth" in result.stdout


#: The command-line layer: argument parsing and exit statuses, above every tool.
CLI_MODULES = ("smelu_hw.cli",)


def _is_cli(module: str) -> bool:
    return module in CLI_MODULES or module.split(".")[-1] == "__main__"


def _library_files() -> list[Path]:
    files = [path for path in PACKAGE.rglob("*.py") if not _is_cli(_module(path))]
    assert len(files) > 50, "the package's modules were not found"
    return files


@pytest.mark.parametrize("path", _library_files(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_library_module_imports_the_command_line_layer(path: Path) -> None:
    """Tools (the report's sweep, the verifier, the generator's library) are libraries: only
    a ``__main__`` module parses flags, so none of them may import one, nor ``smelu_hw.cli``."""
    for imported in _imports(path):
        assert not _is_cli(imported), f"{_module(path)} imports the command line {imported}"


def test_the_command_line_check_sees_such_an_import() -> None:
    assert _is_cli("smelu_hw.gen.__main__") and _is_cli("smelu_hw.cli")
    assert "smelu_hw.gen.__main__" in _imports(PACKAGE / "verify" / "__main__.py")
    assert not _is_cli("smelu_hw.gen.build")
