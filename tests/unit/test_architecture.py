"""The layout rules that keep the architecture visible, checked."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def imported_modules(folder: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


def test_analysis_never_imports_api_or_web() -> None:
    bad = {(f, m) for f, m in imported_modules("analysis") if m.split(".")[0] in ("api", "web", "kiosk")}
    assert not bad


def test_api_process_never_loads_numpy_or_sklearn() -> None:
    code = (
        "import sys; from api.app import create_app; from api.settings import load_settings;"
        "create_app(load_settings({'db_url': 'sqlite:///:memory:'}, environ={}));"
        "import api.cli, api.serve;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'sklearn', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_command_modules_do_not_import_the_command_line_entry_point() -> None:
    """api/cli.py registers the domains' commands; none of them imports it back (no import cycle)."""
    found = imported_modules("api")
    assert ("api/cli.py", "api.commands") in found  # the shared helpers are where this test looks
    assert not {(f, m) for f, m in found if m == "api.cli" and f != "api/cli.py"}


def test_instrument_files_are_read_only_through_the_checked_loader() -> None:
    readers = {
        str(path.relative_to(ROOT))
        for folder in ("api", "kiosk", "web")
        for path in (ROOT / folder).rglob("*.py")
        if 'files("api.instruments")' in path.read_text(encoding="utf-8")
    }
    assert readers == {"api/instruments/loader.py"}
