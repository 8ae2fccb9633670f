"""A pull request planned as plan.yml does it (``--allow-missing-keywords``, keyword values
not in the environment) never shows a keyword value held by the live side of a diff, for
hooks and actions alike, in text, JSON, markdown, the plan file and its comment body (issue
18, "Pull-request plans and outputs"). The live side is rendered through the template or not
shown. The canary is searched for as is, JSON-escaped, URL-encoded and base64."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reconciler.emulator.process import EmulatorProcess
from reconciler.secret_forms import found_in
from tests.e2e.helpers import run_cli
from tests.e2e.test_script_keywords import plans
from tests.fake_github import FakeGitHub

CANARY = "canary-PRPLAN-url-7c41d2"
CANARY_MAP = "canary-PRPLAN-mapping-93be0a"
HOOK = (
    "const url = '##API_URL##';\n"
    "const token = '##MAPPED##';\n"
    "module.exports = function (client, scope, audience, context, cb) {\n  cb(null, { url, token });\n};\n"
)
ACTION = (
    "const url = @@API_URL@@;\n"
    "const token = '##MAPPED##';\n"
    "exports.onExecutePostLogin = async (event, api) => { api.access.deny(url + token); };\n"
)
# What a pull request's author may do with those lines to make the plan show the live side.
EDITS = {
    "edit the keyword line": [("'##API_URL##';", "'##API_URL##/v2';"), ("@@API_URL@@;", "@@API_URL@@ + '/v2';")],
    "drop the keyword": [("'##API_URL##';", "'x';"), ("@@API_URL@@;", "'x';")],
    "drop every keyword": [("'##API_URL##';", "'x';"), ("@@API_URL@@;", "'x';"),
                           ("'##MAPPED##';", "'y';")],
    "whole line a keyword elsewhere": [("cb(null", "cb(false"), ("api.access", "api.x.access"),
                                       ("const url", "##OTHER##\nconst url")],
}


def write_config(root: Path, hook: str, action: str) -> Path:
    cfg = root / "cfg"
    (cfg / "hooks").mkdir(parents=True, exist_ok=True)
    (cfg / "actions" / "a").mkdir(parents=True, exist_ok=True)
    (cfg / "hooks" / "h.json").write_text(json.dumps(
        {"name": "h", "triggerId": "credentials-exchange", "enabled": True, "script": "./h.js"}))
    (cfg / "hooks" / "h.js").write_text(hook)
    (cfg / "actions" / "a.json").write_text(json.dumps({
        "name": "a", "code": "./actions/a/code.js", "runtime": "node22", "deployed": True,
        "supported_triggers": [{"id": "post-login", "version": "v3"}]}))
    (cfg / "actions" / "a" / "code.js").write_text(action)
    return cfg


def base_env(emulator: EmulatorProcess) -> dict[str, str | None]:
    return {**emulator.env(), "AUTH0_ACCESS_TOKEN": None, "AUTH0_ALLOW_DELETE": None, "NO_COLOR": "1",
            "AUTH0_KEYWORD_REPLACE_MAPPINGS": None, "API_URL": None, "MAPPED": None, "OTHER": None}


def outputs(cfg: Path, env: dict[str, str | None], tmp_path: Path) -> list[str]:
    """Text, JSON, markdown, the plan file and its comment body."""
    return plans(cfg, env, tmp_path, "--allow-missing-keywords")


def leaks(texts: list[str]) -> list[str]:
    return [form for text in texts for secret in (CANARY, CANARY_MAP) for form in found_in(text, secret)]


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_pull_request_plan_never_shows_a_live_keyword_value(emulator: EmulatorProcess, tmp_path: Path, edit: str) -> None:
    cfg = write_config(tmp_path, HOOK, ACTION)
    # apply.yml: the values are there; the mapping holds MAPPED, the environment API_URL.
    deploy = {**base_env(emulator), "API_URL": CANARY,
              "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MAPPED": CANARY_MAP})}
    applied = run_cli(["apply", "-c", str(cfg), "--yes"], deploy)
    assert applied.exit_code == 0, applied.output

    hook, action = HOOK, ACTION
    for old, new in EDITS[edit]:
        hook, action = hook.replace(old, new), action.replace(old, new)
    pr = write_config(tmp_path / "pr", hook, action)
    # plan.yml: the mapping secret may be set (here: both ways), the environment values are not.
    for mapping in (None, json.dumps({"MAPPED": CANARY_MAP})):
        env = {**base_env(emulator), "AUTH0_KEYWORD_REPLACE_MAPPINGS": mapping}
        texts = outputs(pr, env, tmp_path)
        assert "to update" in texts[0], texts[0]
        assert leaks(texts) == [], (edit, mapping)
        assert "live/h.js" in texts[0] and "a/code.js" in texts[0]


def test_an_unchanged_config_planned_without_values_shows_no_change(emulator: EmulatorProcess, tmp_path: Path) -> None:
    """Without keyword values an action's code is compared as a template, as a hook's script
    is: a pull request that does not touch it sees no change (not "keyword API_URL: value
    changed" on every plan), and a real edit shows only its own lines."""
    cfg = write_config(tmp_path, HOOK, ACTION)
    deploy = {**base_env(emulator), "API_URL": CANARY,
              "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MAPPED": CANARY_MAP})}
    assert run_cli(["apply", "-c", str(cfg), "--yes"], deploy).exit_code == 0
    review = run_cli(["plan", "-c", str(cfg), "--allow-missing-keywords", "--detailed-exitcode"], base_env(emulator))
    assert review.exit_code == 0, review.output
    assert "No changes." in review.output and "value changed" not in review.output
    edited = write_config(tmp_path / "pr", HOOK, ACTION + "// reviewed\n")
    review = run_cli(["plan", "-c", str(edited), "--allow-missing-keywords"], base_env(emulator))
    assert "+// reviewed" in review.output and "value changed" not in review.output, review.output
    assert leaks([review.output]) == []


# ------------------------------------------------- through the action: job summary and comment

from tests.test_action import GH_REPO, PR, Act, act, gh, github_env, needs_reconciler, repo  # noqa: E402,F401


@needs_reconciler
def test_the_job_summary_and_the_sticky_comment_show_no_live_value(act: Act, repo: Path, emulator: EmulatorProcess, gh: FakeGitHub, tmp_path: Path) -> None:
    shutil.rmtree(repo / "tenant-config")
    cfg = write_config(tmp_path / "deployed", HOOK, ACTION)
    deploy = {**base_env(emulator), "API_URL": CANARY,
              "AUTH0_KEYWORD_REPLACE_MAPPINGS": json.dumps({"MAPPED": CANARY_MAP})}
    assert run_cli(["apply", "-c", str(cfg), "--yes"], deploy).exit_code == 0
    edited = write_config(tmp_path / "pr", HOOK.replace("'##API_URL##';", "'##API_URL##/v2';"),
                          ACTION.replace("@@API_URL@@;", "'x';"))
    shutil.copytree(edited, repo / "tenant-config")

    env = {k: v for k, v in {**base_env(emulator), **github_env(gh, tmp_path)}.items() if v is not None}
    planned = act({"command": "plan", "tenant": "dev", "allow-missing-keywords": "true"}, env)
    assert planned.code == 0, planned.log
    posted = act({"command": "comment", "tenant": "dev", "status": "success"}, env, github={"github.token": gh.token})
    assert posted.code == 0, posted.log
    [comment] = gh.comments(GH_REPO, PR)
    assert "live line not shown" in comment["body"]
    texts = [planned.log, planned.summary, json.dumps(planned.outputs), posted.log, posted.summary,
             (repo / "plan.json").read_text(), comment["body"], *(r.body for r in gh.requests)]
    assert leaks(texts) == []
