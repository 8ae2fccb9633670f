"""Every string from a config or a tenant is escaped for the medium it lands in (issue 18):
action names (anything but NUL), code, dependency strings and secret key names cannot break
out of ``<summary>``, render images, links, headings or @-mentions, fake a "Plan: No
changes." line in markdown, or send control codes to a terminal; JSON stays valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reconciler.core.plan import Plan
from reconciler.emulator.process import EmulatorProcess
from reconciler.planfile import read_plan
from reconciler.render.text import render_text
from tests.e2e.helpers import Run, run_cli

NAMES = [
    "x</summary></details>\n\n# Heading\n\n![img](https://evil.example/i.png)\n\n**Plan: No changes.**",
    "a\n\n[link](https://evil.example) @octocat @acme/admins",
    "<img src=x onerror=alert(1)> <a href='https://evil.example'>click</a>",
    "tick` ![img](https://evil.example/i.png) `",
    "term \x1b[2J\x1b]0;pwned\x07 \x1b[8mhidden\x1b[0m \r\x08 \u2028line \u202egnp.exe \x9b31m",
    "www.evil.example https://evil.example/x @here",
]
SECRET_KEYS = ["K_1", "k\n\n# secret heading", "@octocat ![i](https://evil.example/s.png)"]


def write(cfg: Path) -> Path:
    (cfg / "actions").mkdir(parents=True)
    for i, name in enumerate(NAMES):
        folder = cfg / "actions" / f"a{i}"
        folder.mkdir()
        (folder / "code.js").write_text(f"// {name}\nexports.onExecutePostLogin = async () => {{}};\n")
        (cfg / "actions" / f"a{i}.json").write_text(json.dumps({
            "name": name, "code": f"./actions/a{i}/code.js", "runtime": "node22",
            "supported_triggers": [{"id": "post-login", "version": "v3"}],
            "dependencies": [{"name": "lodash", "version": "4.17.21 \n\n# dep ![i](https://evil.example/d.png)"}] if i == 0 else [],
            "secrets": [{"name": key, "value": "##S##"} for key in SECRET_KEYS] if i == 1 else [],
        }))
    return cfg


def outside_code(markdown: str) -> str:
    """The markdown with fenced blocks, code spans and <code> elements removed."""
    text = re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1\s*$", "", markdown)
    text = re.sub(r"<code>.*?</code>", "", text)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", text)


def markdown_attacks(markdown: str) -> list[str]:
    found = []
    prose = outside_code(markdown)
    if prose.count("<summary>") != prose.count("</summary>") or prose.count("<details>") != prose.count("</details>"):
        found.append("unbalanced summary/details")
    for line in markdown.splitlines():
        if line.startswith("<details><summary>") and not line.endswith("</summary>"):
            found.append(f"summary broken: {line[:60]!r}")
    headings = [line for line in prose.splitlines() if line.lstrip("> ").startswith("#")]
    found += [f"heading {line[:40]!r}" for line in headings[1:]]  # ours is the first
    found += [f"markup {m!r}" for m in re.findall(r"!\[|\]\(|<img|<a ", prose)]
    found += [f"mention {m!r}" for m in re.findall(r"(?<![\w`])@[A-Za-z0-9]", prose)]
    found += [f"autolink {m!r}" for m in re.findall(r"https?://evil|www\.evil", prose)]
    summaries = [line for line in prose.splitlines() if re.match(r"[>\s-]*(\*\*)?(Plan: |No changes)", line)]
    found += [f"fake summary {line[:40]!r}" for line in summaries[1:]]  # ours is the first
    found += [f"control {c!r}" for c in set(re.findall(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", markdown))]
    return found


def terminal_attacks(text: str) -> list[str]:
    own = re.sub(r"\x1b\[[0-9;]*m", "", text)  # the renderer's own colours
    return [repr(c) for c in sorted(set(re.findall(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", own)))]


# Each format's `plan` run, and the plan as saved by `plan --out`.
Planned = tuple[dict[str, Run], Plan]


@pytest.fixture
def planned(emulator: EmulatorProcess, tmp_path: Path) -> Planned:
    cfg = write(tmp_path / "cfg")
    env = {**emulator.env(), "NO_COLOR": "1", "AUTH0_ACCESS_TOKEN": None, "S": "canary-hostile-names-0a1b"}
    out = {fmt: run_cli(["plan", "-c", str(cfg), "--format", fmt], env) for fmt in ("text", "json", "markdown")}
    for fmt, result in out.items():
        assert result.exit_code == 0, (fmt, result.output)
    saved = tmp_path / "plan.json"
    assert run_cli(["plan", "-c", str(cfg), "--out", str(saved)], env).exit_code == 0
    return out, read_plan(str(saved)).plan


def test_markdown_cannot_be_broken_out_of(planned: Planned) -> None:
    out, plan = planned
    from reconciler.github.comment import comment_body

    for markdown in (out["markdown"].output, comment_body(plan, "dev")):
        assert markdown_attacks(markdown) == []
    assert "Plan: 6 to create" in out["markdown"].output


def test_the_terminal_gets_no_control_codes(planned: Planned) -> None:
    out, plan = planned
    assert terminal_attacks(out["text"].output) == []
    assert terminal_attacks(render_text(plan)) == []  # coloured, as on a terminal


def test_json_stays_valid_and_holds_the_names_exactly(planned: Planned) -> None:
    out, _ = planned
    data = json.loads(out["json"].output[out["json"].output.index("{"):])
    keys = {c["key"] for c in data["changes"]}
    assert set(NAMES) <= keys


def test_json_on_a_terminal_gets_no_control_codes(planned: Planned, tmp_path: Path) -> None:
    """JSON escapes C0 itself; C1 (8-bit CSI), line separators and bidi overrides reach a
    terminal raw unless written as \\uXXXX (the same string to any JSON reader)."""
    out, plan = planned
    from reconciler.planfile import write_plan
    from reconciler.render.json import render_json

    saved = tmp_path / "again.json"
    write_plan(plan, saved, config="cfg")
    shown = run_cli(["show", str(saved), "--format", "json"], {"NO_COLOR": "1"})
    for text in (out["json"].output, render_json(plan), shown.output):
        assert terminal_attacks(text) == []
        assert set(NAMES) <= {c["key"] for c in json.loads(text[text.index("{"):])["changes"]}


def test_an_error_line_naming_a_hostile_name_is_one_line_without_control_codes(tmp_path: Path) -> None:
    import click
    from click.testing import CliRunner

    from reconciler.commands.common import report_errors
    from reconciler.errors import ReconcilerError

    @click.command()
    @report_errors
    def boom() -> None:
        raise ReconcilerError(f"action {NAMES[4]!s} failed\nsecond line")

    result = CliRunner().invoke(boom, [])
    assert result.exit_code == 1 and terminal_attacks(result.output) == []
    assert result.output.count("\n") == 1
