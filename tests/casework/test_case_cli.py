"""``medcoder case analyze`` and ``medcoder provider lookup --offline``."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from medcoder.cli import case_cmd


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    case_cmd.register(app)
    return app


def test_case_analyze_writes_html_and_json(casework_dir, tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(
        _app(), ["case", "analyze", str(casework_dir / "opinion_sea"), "-o", str(out), "--no-code"]
    )
    assert result.exit_code == 0, result.output
    assert "Chronology of care" in out.read_text()
    result = runner.invoke(
        _app(), ["case", "analyze", str(casework_dir / "opinion_sea"), "--no-code"]
    )
    assert json.loads(result.stdout[result.stdout.index("{") :])["classification"]["allegations"]


def test_provider_lookup_offline_by_name(casework_dir) -> None:
    folder = casework_dir / "nppes"
    result = CliRunner().invoke(
        _app(),
        ["provider", "lookup", "Orrin Brisk", "--offline", str(folder / "nppes_sample.csv"),
         "--leie", str(folder / "leie_sample.csv"), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    profiles = json.loads(result.stdout)
    assert profiles[0]["npi"] == "1888888880" and profiles[0]["exclusions"]
