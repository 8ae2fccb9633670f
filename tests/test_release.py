"""One version everywhere: the package metadata, `reconciler --version`, and the changelog's
newest entry (docs/releasing.md)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner

from reconciler import __version__
from reconciler.cli import cli

REPO = Path(__file__).resolve().parent.parent


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "reconciler.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_cli_prints_it() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"reconciler, version {__version__}"


def test_the_changelog_names_it_first() -> None:
    released = re.findall(r"^## (\d+\.\d+\.\d+)\b", (REPO / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert released and released[0] == __version__


def test_the_readme_installs_the_package_by_its_name() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    readme = (REPO / "README.md").read_text()
    extras = re.findall(r"pip install '([\w-]+)\[(\w+)\]'", readme)
    assert extras, "the README names the [node] extra"
    for name, extra in extras:
        assert name == project["name"] and extra in project["optional-dependencies"]


def test_the_package_is_described_actions_first() -> None:
    """PyPI's one line says what the README's title says: Actions, then Hooks."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "Auth0 Actions and Hooks" in project["description"]
