from __future__ import annotations

import pytest

from api.cli import build_parser, main
from api.db import StoreError, parse_db_url
from api.settings import ENV, SettingsError, load_settings


def test_environment_then_overrides() -> None:
    s = load_settings({"port": 9000}, environ={"HAILONG_DB": "sqlite:///x.db", "HAILONG_PORT": "8100"})
    assert (s.db_url, s.port) == ("sqlite:///x.db", 9000)


@pytest.mark.parametrize(
    "env",
    [
        {"HAILONG_PORT": "eighty"},
        {"HAILONG_PORT": "70000"},
        {"HAILONG_TIMEZONE": "Nowhere/City"},
        {"HAILONG_DB": "mysql://x"},
        {"HAILONG_SURVEY_TTL_DAYS": "0"},
    ],
)
def test_bad_settings_fail_loudly(env: dict[str, str]) -> None:
    with pytest.raises((SettingsError, StoreError)):
        load_settings(environ=env)


@pytest.mark.parametrize("url", ["sqlite://x.db", "sqlite:///", "postgresql:///db", "ftp://x", ""])
def test_bad_urls_are_one_line(url: str) -> None:
    with pytest.raises(StoreError) as err:
        parse_db_url(url)
    assert "\n" not in str(err.value) and "bad database URL" in str(err.value)


def test_every_setting_has_an_environment_variable_documented_in_readme() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for var, _ in ENV.values():
        assert var in readme, f"{var} is not documented in README.md"


def test_every_command_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0


def test_serve_refuses_several_workers_on_sqlite(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    code = main(["serve", "--workers", "2", "--db", "sqlite:///x.db"])
    assert code == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_unreadable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--db", "sqlite:///no/such/folder/h.db"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
