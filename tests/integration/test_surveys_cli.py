"""``hailong qr`` writes a code that decodes to the dossier's survey link."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import api.cli
from tests.harness import harness, seed_reference

DOSSIER = "000.00.12.H36-261120-0001"


def test_qr_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cv2 = pytest.importorskip("cv2")
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> str:
        async with harness(db) as h:
            await seed_reference(h)
            r = await h.client.get(f"/api/v1/dossiers/{DOSSIER}", headers=h.integrator)
            url: str = r.json()["survey_url"]
            return url

    url = asyncio.run(prepare())
    out = tmp_path / "qr.png"
    assert api.cli.main(["qr", DOSSIER, "--out", str(out), "--db", db]) == 0
    assert "QR version" in capsys.readouterr().out
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(cv2.imread(str(out), cv2.IMREAD_GRAYSCALE))
    assert text == url
    assert api.cli.main(["qr", DOSSIER, "--out", str(tmp_path / "qr.svg"), "--db", db]) == 0
    assert (tmp_path / "qr.svg").read_text().startswith("<svg")
    assert api.cli.main(["qr", "NOPE", "--out", str(out), "--db", db]) == 1
    assert "no dossier" in capsys.readouterr().err
    assert api.cli.main(["qr", DOSSIER, "--out", str(tmp_path / "qr.gif"), "--db", db]) == 2
    assert api.cli.main(["survey-key", "rotate", "--db", db]) == 0
    assert api.cli.main(["qr", DOSSIER, "--out", str(out), "--db", db]) == 0
    assert url not in capsys.readouterr().out.split("for ")[-1]  # new key, new link (the old one still works)
