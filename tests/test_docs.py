"""Documentation that cannot drift from the code."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from dprk_ru_data.cli import main
from dprk_ru_data.normalise import parse_figure
from dprk_ru_data.normalise.conventions import VAGUE_QUANTITIES, conventions_markdown

from .conftest import ROOT


def test_conventions_doc_is_generated_from_the_code() -> None:
    doc = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    generated = re.search(r"<!-- generated:start -->\n(.*)<!-- generated:end -->", doc, re.S)
    assert generated, "docs/conventions.md lost its generated markers"
    assert generated.group(1) == conventions_markdown(), "run dprk-data codebook"


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


def _python_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        text = path.read_text(encoding="utf-8")
        blocks += [(f"{path.name}:{text[:match.start()].count(chr(10)) + 2}", match[1])
                   for match in re.finditer(r"```python\n(.*?)```", text, re.S)]
    return blocks


def _claimed(comment: str) -> dict[str, object] | None:
    """What a line's comment says its expression gives: a literal (``# '2025-22'``), or
    attributes (``# low=None, high=3000``); None for a comment in words."""
    import ast

    try:
        return {"": ast.literal_eval(comment)}
    except (ValueError, SyntaxError):
        pass
    pairs = [part.partition("=") for part in comment.split(", ")]
    try:
        return {name.strip(): ast.literal_eval(value) for name, sep, value in pairs
                if sep and name.strip().isidentifier()} if all(p[1] for p in pairs) else None
    except (ValueError, SyntaxError):
        return None


def test_readme_python_blocks_run_and_give_what_their_comments_say(monkeypatch) -> None:
    """Every ```python block of the README and docs runs; where a line's comment states a value
    (a literal, or attribute=value pairs), the line's expression gives exactly that."""
    monkeypatch.chdir(ROOT)
    blocks = _python_blocks()
    assert len(blocks) >= 2
    checked = 0
    namespaces: dict[str, dict[str, object]] = {}
    for where, code in blocks:  # one namespace per document: its blocks read top to bottom
        namespace = namespaces.setdefault(where.split(":")[0], {})
        for line in code.splitlines():
            statement, _, comment = line.partition("  # ")
            exec(statement, namespace)  # noqa: S102 - our own documentation
            claim = _claimed(comment.strip()) if comment else None
            if claim is None or "=" in statement.split("(")[0]:
                continue
            value = eval(statement, namespace)  # noqa: S307
            for attribute, expected in claim.items():
                got = getattr(value, attribute) if attribute else value
                assert got == expected, (where, line, got)
                checked += 1
    assert checked >= 5  # the README's examples state values, and they are checked


def test_the_readmes_stated_values_are_what_the_build_writes() -> None:
    """The values the README's examples state are written by `dprk-data build` from the data
    (between the values markers); the committed README is what it would write."""
    from dprk_ru_data.readme import render

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(readme, ROOT) == readme, ("README.md states values the data no longer give: "
                                            "run dprk-data build")


def test_the_build_rewrites_only_the_stated_values_between_the_markers() -> None:
    from dprk_ru_data.readme import ReadmeError, render

    text = ("# Title  # 1\n\n```python\n1 + 1  # 5\n```\n"
            "<!-- values:start -->\nSome prose  # 5\n```python\nx = [1, 2]\nsum(x)  # 5\n"
            "len(x)                 # 'stale'\r\n```\n```bash\necho 1  # 5\n```\n"
            "<!-- values:end -->\n```python\n2 + 2  # 5\n```\n")
    lines = render(text, ROOT).splitlines(keepends=True)
    changed = [(i, line) for i, (line, old) in enumerate(zip(lines, text.splitlines(True)))
               if line != old]
    assert changed == [(9, "sum(x)  # 3\n"), (10, "len(x)                 # 2\r\n")]
    with pytest.raises(ReadmeError, match="no <!-- values:start"):
        render("```python\n1  # 2\n```\n", ROOT)
    with pytest.raises(ReadmeError, match="README.md:2: values:start without"):
        render("x\n<!-- values:start -->\n", ROOT)


def test_every_command_option_and_choice_the_docs_name_exists() -> None:
    """Each `dprk-data COMMAND --option [VALUE]` in the README and docs names a real command, a
    real option of it, and for a choice, a value it accepts."""
    import shlex

    import click

    named = 0
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.strip().split("  #")[0]  # command lines of code blocks, not prose
            if not code.startswith("dprk-data "):
                continue
            words = shlex.split(code)
            command = main.commands.get(words[1])
            assert command is not None, (path.name, line)
            options = {opt: param for param in command.params for opt in param.opts}
            for index, word in enumerate(words[2:], start=2):
                if not word.startswith("--"):
                    continue
                option, _, inline = word.partition("=")
                assert option in options, (path.name, words[1], option)
                named += 1
                param = options[option]
                value = inline or (words[index + 1] if index + 1 < len(words) else "")
                if isinstance(param.type, click.Choice) and value:
                    assert value in param.type.choices, (path.name, option, value)
    assert named >= 8  # the README names most options; the test is that each one exists


def test_documented_offsets_hash_to_their_recorded_values(corpus) -> None:
    """Every `dprk-data locate SOURCE "PHRASE"` example in the docs is followed by the offsets
    and hash the command really prints."""
    import shlex

    from dprk_ru_data.evidence import locate

    checked = 0
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        for line, following in zip(lines, lines[1:]):
            match = re.fullmatch(r"# (\d+),(\d+),([0-9a-f]{64})", following)
            if not line.startswith("dprk-data locate") or not match:
                continue
            words = shlex.split(line.split("  #")[0])
            spans = locate(words[2], words[3], corpus)
            assert (int(match[1]), int(match[2]), match[3]) in {
                (s.start, s.end, s.sha256) for s in spans}, (path.name, line)
            checked += 1
    assert checked >= 1


def test_every_generated_block_of_the_conventions_is_what_the_code_writes() -> None:
    from dprk_ru_data.codebook import CONVENTION_BLOCKS, regenerate_conventions

    doc = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    assert regenerate_conventions(doc) == doc, "run dprk-data codebook"
    for name in CONVENTION_BLOCKS:  # a lost marker is named, not skipped
        broken = doc.replace(f"<!-- {name}:end -->", "", 1)
        with pytest.raises(ValueError, match=name):
            regenerate_conventions(broken)
