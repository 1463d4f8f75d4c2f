"""Documentation that cannot drift from the code."""

from __future__ import annotations

import re

from click.testing import CliRunner

from dprk_ru_data.cli import main
from dprk_ru_data.normalise import parse_figure
from dprk_ru_data.normalise.conventions import VAGUE_QUANTITIES, conventions_markdown

from .conftest import ROOT


def test_conventions_doc_is_generated_from_the_code() -> None:
    doc = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    generated = re.search(r"<!-- generated:start -->\n(.*)<!-- generated:end -->", doc, re.S)
    assert generated, "docs/conventions.md lost its generated markers"
    assert generated.group(1) == conventions_markdown(), "regenerate docs/conventions.md"


def test_parser_applies_the_documented_vague_quantities() -> None:
    for phrase, rule in VAGUE_QUANTITIES.items():
        figure = parse_figure(phrase)
        assert (figure.low, figure.best, figure.high, figure.qualifier) == (
            rule.low, None, rule.high, "vague"), phrase


def test_every_command_has_help_and_appears_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0 and len(result.stdout) > 40, name
        assert f"dprk-data {name}" in readme, f"README does not mention dprk-data {name}"


def test_licences_are_stated_once_each_and_agree() -> None:
    import json
    import tomllib

    import yaml

    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    data_licence = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in data_licence and "creativecommons.org/licenses/by/4.0" in data_licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert project["license-files"] == ["LICENSE", "LICENSE-DATA"]
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert [licence["name"] for licence in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["license"] == (
        "CC-BY-4.0")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    licences = readme[readme.index("## Licences"):]
    assert "CC-BY-4.0" in licences and "MIT" in licences
