#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python ≥ 3.11: makes .venv, installs hailong, runs it.

python3 dev.py demo     # start the service on SQLite with demo data and print where to go
python3 dev.py test     # run the whole test suite
python3 dev.py lint     # ruff check, ruff format --check, mypy
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".hailong-installed"


def ensure_env() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"hailong needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("Installing hailong and its development tools into .venv …", flush=True)
        pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)


def run(*argv: str) -> int:
    return subprocess.run(list(argv), cwd=ROOT).returncode


def main() -> int:
    task = sys.argv[1] if len(sys.argv) > 1 else "help"
    extra = sys.argv[2:]
    if task not in ("demo", "test", "lint"):
        print(__doc__)
        return 0 if task == "help" else 2
    ensure_env()
    py = str(BIN / "python")
    if task == "demo":
        return run(str(BIN / "hailong"), "serve", "--demo", *extra)
    if task == "lint":
        paths = ("api", "kiosk", "web", "analysis", "tests", "bench", "dev.py")
        code = run(py, "-m", "ruff", "check", *paths) or run(py, "-m", "ruff", "format", "--check", *paths)
        return code or run(py, "-m", "mypy")
    return run(py, "-m", "pytest", *extra)


if __name__ == "__main__":
    raise SystemExit(main())
