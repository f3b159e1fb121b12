"""What the tests that run a real server or a real browser share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ROOT = Path(__file__).resolve().parent.parent


def hailong_serve(*args: str) -> list[str]:
    """The command line of ``hailong serve`` with this interpreter."""
    return [sys.executable, "-m", "api.cli", "serve", *args]


@dataclass
class Served:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def served(
    argv: list[str], env: dict[str, str], port: int, log: Path, *, ready: str = "/readyz", seconds: float = 30
) -> Iterator[Served]:
    """Start a server process (its output to ``log``), wait until ``ready`` answers 200, stop it after.
    The one way tests and benchmarks run a real server."""
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = Served(base, proc, log)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode} during start-up:\n{server.output()[-3000:]}")
            try:
                with urllib.request.urlopen(base + ready, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer {ready} within {seconds:g} s:\n{server.output()[-3000:]}")
            time.sleep(0.05)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Where a test saves a screenshot: ``$HAILONG_SCREENSHOTS`` (``just screenshots`` sets it to
    docs/screenshots), else the test's own temp folder, so a test run never rewrites tracked files."""
    folder = os.environ.get("HAILONG_SCREENSHOTS")
    return (Path(folder) if folder else tmp_path) / name
